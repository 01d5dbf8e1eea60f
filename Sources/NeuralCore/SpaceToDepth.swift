/// YOLOv5's Focus slicing (models/common.py `Focus.forward`):
/// `cat([x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2]], 1)`,
/// so [N, C, H, W] → [N, 4C, H/2, W/2] with the slices (even rows, even cols), (odd rows,
/// even cols), (even rows, odd cols), (odd rows, odd cols) in channel blocks 0…3.
public final class SpaceToDepth: Layer {
    private var inputShape: [Int]?

    public init() {}

    /// (row parity, column parity) of channel block b.
    static func offsets(_ block: Int) -> (Int, Int) { (block % 2, block / 2) }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        x.requireNCHW("SpaceToDepth.forward")
        precondition(x.h % 2 == 0 && x.w % 2 == 0, "SpaceToDepth.forward: odd size in \(x.shape)")
        inputShape = mode.recordsForBackward ? x.shape : nil
        let (c, h, w) = (x.c, x.h, x.w)
        let (oh, ow) = (h / 2, w / 2)
        let y = Tensor(uninitializedShape: [x.n, 4 * c, oh, ow])
        parallelFor(x.n * 4 * c, costPerItem: oh * ow) { planes in
            for plane in planes {
                let (image, channel) = plane.quotientAndRemainder(dividingBy: 4 * c)
                let (block, ci) = channel.quotientAndRemainder(dividingBy: c)
                let (dy, dx) = Self.offsets(block)
                let src = x.data + (image * c + ci) * h * w
                let dst = y.data + plane * oh * ow
                for oy in 0..<oh {
                    for ox in 0..<ow { dst[oy * ow + ox] = src[(2 * oy + dy) * w + 2 * ox + dx] }
                }
            }
        }
        return y
    }

    public func backward(_ dyTensor: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let shape = inputShape else { preconditionFailure("SpaceToDepth.backward without a recorded forward") }
        inputShape = nil
        guard needsInputGradient else { return nil }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let (oh, ow) = (h / 2, w / 2)
        precondition(dyTensor.shape == [n, 4 * c, oh, ow], "SpaceToDepth.backward: dy \(dyTensor.shape) for input \(shape)")
        let dx = Tensor(uninitializedShape: shape)
        parallelFor(n * 4 * c, costPerItem: oh * ow) { planes in
            for plane in planes {
                let (image, channel) = plane.quotientAndRemainder(dividingBy: 4 * c)
                let (block, ci) = channel.quotientAndRemainder(dividingBy: c)
                let (dy, dx0) = Self.offsets(block)
                let src = dyTensor.data + plane * oh * ow
                let dst = dx.data + (image * c + ci) * h * w
                for oy in 0..<oh {
                    for ox in 0..<ow { dst[(2 * oy + dy) * w + 2 * ox + dx0] = src[oy * ow + ox] }
                }
            }
        }
        return dx
    }
}
