/// Element types a checkpoint can store: PyTorch's dtypes and their safetensors codes.
public enum DType: String, CaseIterable, Sendable {
    /// IEEE binary16 (`torch.half`, "F16"), bfloat16 ("BF16"), binary32 ("F32"), binary64 ("F64").
    case float16, bfloat16, float32, float64
    /// Two's-complement and unsigned integers ("I8", "U8", "I16", "I32", "I64").
    case int8, uint8, int16, int32, int64
    /// One byte per element, nonzero is true ("BOOL").
    case bool

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .float16, .bfloat16, .int16: 2
        case .float32, .int32: 4
        case .float64, .int64: 8
        }
    }

    /// Whether values are floating point (converted to `Float` by rounding, never to integers).
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: true
        default: false
        }
    }

    /// The safetensors header code: "F16", "BF16", "F32", "F64", "I8", "U8", "I16", "I32", "I64", "BOOL".
    public var safeTensorsCode: String {
        switch self {
        case .float16: "F16"
        case .bfloat16: "BF16"
        case .float32: "F32"
        case .float64: "F64"
        case .int8: "I8"
        case .uint8: "U8"
        case .int16: "I16"
        case .int32: "I32"
        case .int64: "I64"
        case .bool: "BOOL"
        }
    }

    /// The dtype with safetensors code `code`, if this module reads it.
    public init?(safeTensorsCode code: String) {
        guard let match = DType.allCases.first(where: { $0.safeTensorsCode == code }) else { return nil }
        self = match
    }
}

/// Exact IEEE 754 binary16 → binary32 (every half value is a float value), done on the bits so
/// that it does not depend on the platform's `Float16` support.
@inline(__always)
func floatFromHalfBits(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = UInt32(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }  // inf, NaN (payload kept)
    if exponent == 0 {
        let magnitude = Float(mantissa) * 0x1p-24  // zero or subnormal: mantissa · 2^-24, exact
        return sign == 0 ? magnitude : -magnitude
    }
    return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))  // rebias 15 → 127
}

/// Exact bfloat16 → binary32: bfloat16 is the upper half of a float.
@inline(__always)
func floatFromBFloat16Bits(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }
