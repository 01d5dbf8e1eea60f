extension Tensor {
    /// A new tensor with `transform` applied to every element, on all cores.
    @inlinable
    public func map(_ transform: (Float) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let (src, dst) = (UnsafePointer(data), result.data)
        parallelFor(count) { range in
            for i in range { dst[i] = transform(src[i]) }
        }
        return result
    }

    /// A new tensor with `transform(a[i], b[i])` for two tensors of one shape, on all cores.
    @inlinable
    public static func zipMap(_ a: Tensor, _ b: Tensor, _ transform: (Float, Float) -> Float) -> Tensor {
        a.requireSameShape(b, "Tensor.zipMap")
        let result = Tensor(uninitializedShape: a.shape)
        let (pa, pb, dst) = (UnsafePointer(a.data), UnsafePointer(b.data), result.data)
        parallelFor(a.count) { range in
            for i in range { dst[i] = transform(pa[i], pb[i]) }
        }
        return result
    }

    /// Adds `other` (same shape) into this tensor.
    public func add(_ other: Tensor) {
        requireSameShape(other, "Tensor.add")
        let (src, dst) = (UnsafePointer(other.data), data)
        parallelFor(count) { range in
            for i in range { dst[i] += src[i] }
        }
    }

    /// Σ self·other in Double (tests and loss bookkeeping).
    public func dot(_ other: Tensor) -> Double {
        requireSameShape(other, "Tensor.dot")
        var sum = 0.0
        for i in 0..<count { sum += Double(data[i]) * Double(other.data[i]) }
        return sum
    }

    /// Σ self² in Double.
    public var sumOfSquares: Double { dot(self) }
}

/// y[n, k, ·] += bias[k] for an NCHW tensor.
public func addChannelBias(_ bias: UnsafePointer<Float>, to y: Tensor) {
    let (channels, pixels) = (y.c, y.h * y.w)
    parallelFor(y.n * channels, costPerItem: pixels) { rows in
        for row in rows {
            let b = bias[row % channels]
            let p = y.data + row * pixels
            for i in 0..<pixels { p[i] += b }
        }
    }
}

/// sums[k] += Σ over n, h, w of dy[n, k, h, w].
public func accumulateChannelSums(of dy: Tensor, into sums: UnsafeMutablePointer<Float>) {
    let (channels, pixels) = (dy.c, dy.h * dy.w)
    parallelFor(channels, costPerItem: dy.n * pixels) { range in
        for k in range {
            var total: Float = 0
            for n in 0..<dy.n {
                let p = dy.data + (n * channels + k) * pixels
                var s: Float = 0
                for i in 0..<pixels { s += p[i] }
                total += s
            }
            sums[k] += total
        }
    }
}
