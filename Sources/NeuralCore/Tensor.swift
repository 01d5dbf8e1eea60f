/// A dense, contiguous Float32 tensor in PyTorch's row-major layout (NCHW for images).
///
/// A reference type: layers hand tensors to each other without copying, and a tensor's bytes
/// are counted by `MemoryMeter.shared` for as long as it lives. Elements are reached through
/// `data`; element-wise helpers run on both cores.
public final class Tensor {
    /// Sizes, outermost first (`[N, C, H, W]` for activations, `[K, C, kh, kw]` for weights).
    public let shape: [Int]
    /// Number of elements, the product of `shape`.
    public let count: Int
    /// The elements, `count` of them, 64-byte aligned.
    public let data: UnsafeMutablePointer<Float>
    private let capacityBytes: Int
    /// The tensor whose storage a view shares (kept alive by the view); nil for an owner.
    private let base: Tensor?

    /// A tensor whose elements are undefined; for outputs that a kernel writes completely.
    public init(uninitializedShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative size in shape \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        let buffer = BufferCache.shared.allocate(bytes: count * MemoryLayout<Float>.stride)
        data = buffer.pointer.bindMemory(to: Float.self, capacity: count)
        capacityBytes = buffer.capacity
        base = nil
    }

    /// A view of `count(shape)` elements of `storage` from element `offset` on: it shares the
    /// storage (writes through either are seen by both) and counts no bytes of its own.
    public init(viewing storage: Tensor, offset: Int, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative size in shape \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        precondition(offset >= 0 && offset + count <= storage.count,
                     "Tensor(viewing:): elements \(offset)..<\(offset + count) of a tensor of \(storage.count)")
        data = storage.data + offset
        capacityBytes = 0
        base = storage.base ?? storage
    }

    /// A tensor with every element equal to `value`.
    public convenience init(shape: [Int], repeating value: Float = 0) {
        self.init(uninitializedShape: shape)
        data.update(repeating: value, count: count)
    }

    /// A tensor holding `values` in row-major order.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(uninitializedShape: shape)
        precondition(values.count == count,
                     "Tensor: \(values.count) values do not fill shape \(shape) (\(count) elements)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    deinit {
        if base == nil { BufferCache.shared.release(UnsafeMutableRawPointer(data), capacity: capacityBytes) }
    }

    /// Bytes of the elements (not of the rounded buffer).
    public var byteCount: Int { count * MemoryLayout<Float>.stride }

    /// The elements as an array, in row-major order.
    public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// A new tensor with the same shape and elements.
    public func copy() -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        result.data.update(from: data, count: count)
        return result
    }

    /// Copies every element of `other`, which must have the same shape.
    public func assign(_ other: Tensor) {
        precondition(other.shape == shape, "Tensor.assign: shape \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    /// Element at a multi-index (tests and small bookkeeping; kernels use `data`).
    public subscript(_ index: Int...) -> Float {
        get { data[offset(index)] }
        set { data[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor: index \(index) for shape \(shape)")
        var flat = 0
        for (i, size) in zip(index, shape) {
            precondition(i >= 0 && i < size, "Tensor: index \(index) out of shape \(shape)")
            flat = flat * size + i
        }
        return flat
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor\(shape)" }
}

extension Tensor {
    /// Batch size of an NCHW tensor.
    public var n: Int { shape[0] }
    /// Channels of an NCHW tensor.
    public var c: Int { shape[1] }
    /// Height of an NCHW tensor.
    public var h: Int { shape[2] }
    /// Width of an NCHW tensor.
    public var w: Int { shape[3] }

    /// Checks that this is a 4-D NCHW tensor; `context` names the caller in the message.
    public func requireNCHW(_ context: @autoclosure () -> String) {
        precondition(shape.count == 4, "\(context()): expected an NCHW tensor, got shape \(shape)")
    }

    /// Checks that `other` has this tensor's shape, printing both.
    public func requireSameShape(_ other: Tensor, _ context: @autoclosure () -> String) {
        precondition(shape == other.shape, "\(context()): shapes \(shape) and \(other.shape) differ")
    }
}

/// A counted buffer of 32-bit indices (max-pool argmax), metered like a tensor.
public final class IndexBuffer {
    /// Number of indices.
    public let count: Int
    /// The indices.
    public let data: UnsafeMutablePointer<Int32>
    private let capacityBytes: Int

    /// A buffer of `count` undefined indices.
    public init(count: Int) {
        self.count = count
        let buffer = BufferCache.shared.allocate(bytes: count * MemoryLayout<Int32>.stride)
        data = buffer.pointer.bindMemory(to: Int32.self, capacity: count)
        capacityBytes = buffer.capacity
    }

    deinit { BufferCache.shared.release(UnsafeMutableRawPointer(data), capacity: capacityBytes) }
}
