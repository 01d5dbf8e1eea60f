import Foundation
import NeuralCore

/// A tensor as a checkpoint file stores it: element type, shape and strides over little-endian
/// bytes (a PyTorch storage or a safetensors data range), converted on request.
///
/// Mirrors `torch.Tensor`'s view of a storage: element (not byte) `storageOffset` and `strides`,
/// so transposed and sliced tensors read correctly. Its layout was checked against the bytes when
/// it was made, so conversions cannot fail.
public struct StoredTensor: Sendable {
    /// Element type in the file.
    public let dtype: DType
    /// Sizes, outermost first; `[]` for a scalar.
    public let shape: [Int]
    /// Distance in elements between neighbours along each dimension.
    public let strides: [Int]
    /// Index of element `[0, 0, …]` in the storage, in elements.
    public let storageOffset: Int
    /// The storage's bytes, little-endian.
    let storage: Data

    /// Number of elements, the product of `shape` (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// Row-major strides for `shape` (PyTorch's `contiguous()` layout). The product wraps rather
    /// than traps, which only happens for shapes with a zero size and therefore no elements to reach.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = step
            step = step &* max(shape[i], 1)
        }
        return strides
    }

    /// Why this layout does not fit in `storageBytes` bytes, or nil when every element lies inside.
    static func layoutProblem(dtype: DType, shape: [Int], strides: [Int], storageOffset: Int, storageBytes: Int) -> String? {
        guard shape.count == strides.count else { return "size \(shape) and stride \(strides) differ in length" }
        guard shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }), storageOffset >= 0 else {
            return "negative size, stride or offset (size \(shape), stride \(strides), offset \(storageOffset))"
        }
        var elements = 1, last = storageOffset
        for (size, step) in zip(shape, strides) {
            let (product, o1) = elements.multipliedReportingOverflow(by: size)
            let (reach, o2) = max(size - 1, 0).multipliedReportingOverflow(by: step)
            let (sum, o3) = last.addingReportingOverflow(reach)
            guard !o1, !o2, !o3 else { return "size \(shape) with stride \(strides) overflows" }
            elements = product
            last = sum
        }
        if elements == 0 { return nil }
        let (elementsNeeded, o4) = last.addingReportingOverflow(1)
        let (bytesNeeded, o5) = elementsNeeded.multipliedReportingOverflow(by: dtype.byteCount)
        guard !o4, !o5, bytesNeeded <= storageBytes else {
            return "size \(shape), stride \(strides) and offset \(storageOffset) reach \(dtype) element \(last),"
                + " which needs \(bytesNeeded) bytes, but the storage has \(storageBytes) bytes"
        }
        return nil
    }

    /// A view checked by `layoutProblem`; callers turn a problem into an error naming their location.
    init(checkedDType dtype: DType, shape: [Int], strides: [Int], storageOffset: Int, storage: Data) {
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        self.storageOffset = storageOffset
        self.storage = storage
    }

    /// Calls `body(outputIndex, storageElementIndex)` for every element in row-major order.
    @inline(__always)
    private func forEachElement(_ body: (Int, Int) -> Void) {
        let n = count
        if n == 0 { return }
        if strides == Self.contiguousStrides(for: shape) {
            for i in 0..<n { body(i, storageOffset + i) }
            return
        }
        var index = [Int](repeating: 0, count: shape.count)  // odometer over the multi-index
        var position = storageOffset
        for i in 0..<n {
            body(i, position)
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                position += strides[d]
                if index[d] < shape[d] { break }
                position -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Writes every element, converted to Float32, into `out` (`count` elements, row-major).
    /// float16 and bfloat16 convert exactly; float64 and large integers round to nearest.
    public func write(to out: UnsafeMutablePointer<Float>) {
        storage.withUnsafeBytes { raw in
            func load<T: FixedWidthInteger>(_ element: Int, _: T.Type) -> T {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: element * MemoryLayout<T>.size, as: T.self))
            }
            switch dtype {
            case .float16: forEachElement { out[$0] = floatFromHalfBits(load($1, UInt16.self)) }
            case .bfloat16: forEachElement { out[$0] = floatFromBFloat16Bits(load($1, UInt16.self)) }
            case .float32: forEachElement { out[$0] = Float(bitPattern: load($1, UInt32.self)) }
            case .float64: forEachElement { out[$0] = Float(Double(bitPattern: load($1, UInt64.self))) }
            case .int8: forEachElement { out[$0] = Float(load($1, Int8.self)) }
            case .uint8: forEachElement { out[$0] = Float(load($1, UInt8.self)) }
            case .int16: forEachElement { out[$0] = Float(load($1, Int16.self)) }
            case .int32: forEachElement { out[$0] = Float(load($1, Int32.self)) }
            case .int64: forEachElement { out[$0] = Float(load($1, Int64.self)) }
            case .bool: forEachElement { out[$0] = load($1, UInt8.self) != 0 ? 1 : 0 }
            }
        }
    }

    /// The elements as Float32, row-major (see `write(to:)` for the rounding).
    public func floatValues() -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { write(to: base) }
            initialized = count
        }
    }

    /// The elements as a NeuralCore tensor of the same shape (a scalar becomes shape `[]`).
    public func tensor() -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        write(to: result.data)
        return result
    }

    /// The elements as Float64, row-major; exact for every dtype except int64 beyond 2^53.
    public func doubleValues() -> [Double] {
        if dtype == .float64 {
            var values = [Double](repeating: 0, count: count)
            storage.withUnsafeBytes { raw in
                forEachElement { values[$0] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $1 * 8, as: UInt64.self))) }
            }
            return values
        }
        if let integers = int64Values() { return integers.map { Double($0) } }
        return floatValues().map { Double($0) }
    }

    /// The elements as Int64 for integer and bool dtypes (row-major); nil for floating-point dtypes.
    public func int64Values() -> [Int64]? {
        guard !dtype.isFloatingPoint else { return nil }
        var values = [Int64](repeating: 0, count: count)
        storage.withUnsafeBytes { raw in
            func load<T: FixedWidthInteger>(_ element: Int, _: T.Type) -> Int64 {
                Int64(T(littleEndian: raw.loadUnaligned(fromByteOffset: element * MemoryLayout<T>.size, as: T.self)))
            }
            switch dtype {
            case .int8: forEachElement { values[$0] = load($1, Int8.self) }
            case .uint8: forEachElement { values[$0] = load($1, UInt8.self) }
            case .int16: forEachElement { values[$0] = load($1, Int16.self) }
            case .int32: forEachElement { values[$0] = load($1, Int32.self) }
            case .int64: forEachElement { values[$0] = load($1, Int64.self) }
            case .bool: forEachElement { values[$0] = load($1, UInt8.self) != 0 ? 1 : 0 }
            default: break
            }
        }
        return values
    }
}
