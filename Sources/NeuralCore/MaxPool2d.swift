/// Max pooling over k×k windows, like `torch.nn.MaxPool2d(k, s, p)`: padding never wins
/// (it acts as −∞), and among equal values the first in scan order is the maximum.
///
/// SPPF uses k 5, s 1, p 2; SPP uses k 5, 9, 13 with s 1, p k/2.
public final class MaxPool2d: Layer {
    public let kernelSize: Int, stride: Int, padding: Int
    private struct Saved { let inputShape: [Int]; let argmax: IndexBuffer }
    private var saved: Saved?  // argmax per output, kept only when a backward will run

    /// A max pool with window `kernelSize`, `stride` (default: the window) and `padding`.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        precondition(kernelSize > 0 && padding >= 0 && padding <= kernelSize / 2,
                     "MaxPool2d: kernel \(kernelSize), padding \(padding) (PyTorch needs p <= k/2)")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        x.requireNCHW("MaxPool2d.forward")
        let (h, w, k, s, p) = (x.h, x.w, kernelSize, stride, padding)
        let oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1
        let y = Tensor(uninitializedShape: [x.n, x.c, oh, ow])
        let argmax = mode.recordsForBackward ? IndexBuffer(count: y.count) : nil
        parallelFor(x.n * x.c, costPerItem: oh * ow * k * k) { planes in
            for plane in planes {
                let src = x.data + plane * h * w
                let dst = y.data + plane * oh * ow
                let arg = argmax.map { $0.data + plane * oh * ow }
                for oy in 0..<oh {
                    let y0 = max(oy * s - p, 0), y1 = min(oy * s - p + k, h)
                    for ox in 0..<ow {
                        let x0 = max(ox * s - p, 0), x1 = min(ox * s - p + k, w)
                        var best = -Float.infinity
                        var bestIndex = y0 * w + x0
                        for iy in y0..<y1 {
                            for ix in x0..<x1 where src[iy * w + ix] > best {
                                best = src[iy * w + ix]
                                bestIndex = iy * w + ix
                            }
                        }
                        dst[oy * ow + ox] = best
                        arg?[oy * ow + ox] = Int32(bestIndex)
                    }
                }
            }
        }
        saved = argmax.map { Saved(inputShape: x.shape, argmax: $0) }
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let s = saved else { preconditionFailure("MaxPool2d.backward without a recorded forward") }
        defer { saved = nil }
        guard needsInputGradient else { return nil }
        let dx = Tensor(shape: s.inputShape)
        let (inPlane, outPlane) = (s.inputShape[2] * s.inputShape[3], dy.h * dy.w)
        precondition(dy.n * dy.c * outPlane == s.argmax.count, "MaxPool2d.backward: dy \(dy.shape) for input \(s.inputShape)")
        parallelFor(dy.n * dy.c, costPerItem: outPlane) { planes in
            for plane in planes {
                let (g, arg, d) = (dy.data + plane * outPlane, s.argmax.data + plane * outPlane, dx.data + plane * inPlane)
                for i in 0..<outPlane { d[Int(arg[i])] += g[i] }
            }
        }
        return dx
    }
}
