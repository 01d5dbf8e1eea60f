/// Concatenation of NCHW tensors along channels, like `torch.cat(xs, dim=1)`.
/// Nothing is recorded: backward only needs the channel counts. A module without parameters
/// (YOLOv5's `Concat` is one of `model.modules()`).
public final class Concat: Module {
    private var channelCounts: [Int]?

    public init() {}

    /// [N, ΣCᵢ, H, W] from inputs [N, Cᵢ, H, W], in order.
    public func forward(_ xs: [Tensor], _ mode: ForwardMode) -> Tensor {
        precondition(!xs.isEmpty, "Concat.forward: no inputs")
        let first = xs[0]
        first.requireNCHW("Concat.forward")
        for x in xs {
            precondition(x.shape.count == 4 && x.n == first.n && x.h == first.h && x.w == first.w,
                         "Concat.forward: shapes \(xs.map(\.shape)) differ outside the channel axis")
        }
        let counts = xs.map(\.c)
        channelCounts = mode.recordsForBackward ? counts : nil
        let total = counts.reduce(0, +)
        let pixels = first.h * first.w
        let y = Tensor(uninitializedShape: [first.n, total, first.h, first.w])
        parallelFor(first.n * xs.count, costPerItem: total * pixels / xs.count) { range in
            for job in range {
                let (image, i) = job.quotientAndRemainder(dividingBy: xs.count)
                let offset = counts[..<i].reduce(0, +)
                let size = counts[i] * pixels
                (y.data + (image * total + offset) * pixels).update(from: xs[i].data + image * size, count: size)
            }
        }
        return y
    }

    /// Splits dL/dy back into one gradient per input.
    public func backward(_ dy: Tensor) -> [Tensor] {
        guard let counts = channelCounts else { preconditionFailure("Concat.backward without a recorded forward") }
        channelCounts = nil
        let total = counts.reduce(0, +)
        precondition(dy.c == total, "Concat.backward: dy \(dy.shape) for channels \(counts)")
        let pixels = dy.h * dy.w
        var offset = 0
        return counts.map { channels in
            let dx = Tensor(uninitializedShape: [dy.n, channels, dy.h, dy.w])
            let start = offset
            parallelFor(dy.n, costPerItem: channels * pixels) { images in
                for image in images {
                    (dx.data + image * channels * pixels).update(from: dy.data + (image * total + start) * pixels,
                                                                 count: channels * pixels)
                }
            }
            offset += channels
            return dx
        }
    }
}

/// Element-wise sum of two tensors of one shape (the shortcut of a Bottleneck).
/// Backward passes dL/dy unchanged to both inputs, so it records nothing.
public enum Add {
    /// a + b.
    public static func forward(_ a: Tensor, _ b: Tensor) -> Tensor {
        Tensor.zipMap(a, b, +)
    }

    /// (dL/da, dL/db) = (dL/dy, dL/dy): the same tensor for both; copy before adding into either.
    public static func backward(_ dy: Tensor) -> (Tensor, Tensor) { (dy, dy) }
}
