/// Nearest-neighbour upsampling by an integer factor, like `nn.Upsample(scale_factor=2,
/// mode='nearest')`: out[y, x] = in[y / f, x / f].
public final class Upsample: Layer {
    public let factor: Int
    private var recorded = false

    /// An upsampler by `factor` (YOLOv5 uses 2).
    public init(factor: Int = 2) {
        precondition(factor >= 1, "Upsample: factor \(factor)")
        self.factor = factor
    }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        x.requireNCHW("Upsample.forward")
        recorded = mode.recordsForBackward
        let (h, w, f) = (x.h, x.w, factor)
        let y = Tensor(uninitializedShape: [x.n, x.c, h * f, w * f])
        parallelFor(x.n * x.c, costPerItem: h * w * f * f) { planes in
            for plane in planes {
                let src = x.data + plane * h * w
                let dst = y.data + plane * h * w * f * f
                for oy in 0..<(h * f) {
                    let row = src + (oy / f) * w
                    let out = dst + oy * w * f
                    for ox in 0..<(w * f) { out[ox] = row[ox / f] }
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        precondition(recorded, "Upsample.backward without a recorded forward")
        recorded = false
        guard needsInputGradient else { return nil }
        let f = factor
        precondition(dy.h % f == 0 && dy.w % f == 0, "Upsample.backward: dy \(dy.shape) for factor \(f)")
        let (h, w) = (dy.h / f, dy.w / f)
        let dx = Tensor(shape: [dy.n, dy.c, h, w])
        parallelFor(dy.n * dy.c, costPerItem: dy.h * dy.w) { planes in
            for plane in planes {
                let g = dy.data + plane * h * w * f * f
                let d = dx.data + plane * h * w
                for oy in 0..<(h * f) {
                    let row = d + (oy / f) * w
                    let src = g + oy * w * f
                    for ox in 0..<(w * f) { row[ox / f] += src[ox] }
                }
            }
        }
        return dx
    }
}
