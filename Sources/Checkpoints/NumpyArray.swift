import Foundation

/// numpy values stay opaque objects while unpickling (any numpy version's spelling loads);
/// this reads the common ones back as numbers, e.g. a YOLOv5 checkpoint's `best_fitness`.
extension PickleObject {
    /// The elements of a pickled numpy array (`numpy[._]core.multiarray._reconstruct` + BUILD state
    /// `(version, shape, dtype, is_fortran, raw bytes)`) or numpy scalar (`multiarray.scalar(dtype, bytes)`),
    /// for numeric little-endian dtypes; nil for anything else (object arrays, big-endian data, …).
    public func numpyArray() -> StoredTensor? {
        guard module.hasPrefix("numpy") else { return nil }
        switch name {
        case "_reconstruct":
            guard case let .tuple(parts)? = state, parts.count == 5,
                  let shape = parts[1].sequenceItems?.compactMap(\.intValue), shape.count == parts[1].sequenceItems?.count,
                  let dtype = parts[2].objectValue?.numpyDType(), case let .bytes(raw) = parts[4] else { return nil }
            var strides = StoredTensor.contiguousStrides(for: shape)
            if case .bool(true) = parts[3] {  // Fortran order: the first index varies fastest
                strides = Array(StoredTensor.contiguousStrides(for: shape.reversed()).reversed())
            }
            return Self.view(dtype: dtype, shape: shape, strides: strides, raw: raw)
        case "scalar":
            guard arguments.count == 2, let dtype = arguments[0].objectValue?.numpyDType(),
                  case let .bytes(raw) = arguments[1] else { return nil }
            return Self.view(dtype: dtype, shape: [], strides: [], raw: raw)
        default:
            return nil
        }
    }

    private static func view(dtype: DType, shape: [Int], strides: [Int], raw: [UInt8]) -> StoredTensor? {
        guard StoredTensor.layoutProblem(dtype: dtype, shape: shape, strides: strides, storageOffset: 0,
                                         storageBytes: raw.count) == nil else { return nil }
        return StoredTensor(checkedDType: dtype, shape: shape, strides: strides, storageOffset: 0, storage: Data(raw))
    }

    /// The element type of a `numpy.dtype(descr, …)` object with BUILD state `(3, byteorder, …)`.
    func numpyDType() -> DType? {
        guard module == "numpy", name == "dtype", let descr = arguments.first?.stringValue else { return nil }
        if case let .tuple(parts)? = state, parts.count > 1, parts[1].stringValue == ">" { return nil }
        switch descr {
        case "f2": return .float16
        case "f4": return .float32
        case "f8": return .float64
        case "i1": return .int8
        case "u1": return .uint8
        case "i2": return .int16
        case "i4": return .int32
        case "i8": return .int64
        case "b1", "?": return .bool
        default: return nil
        }
    }
}
