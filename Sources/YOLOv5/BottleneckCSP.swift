import NeuralCore

/// YOLOv5 `BottleneckCSP(c1, c2, n, shortcut, g=1, e=0.5)` (CSPNet, the v1–v3 block):
/// `cv4(act(bn(cat[cv3(m(cv1 x)), cv2 x])))` with c_ = int(c2·e); `cv1`, `cv4` are Conv
/// blocks, `cv2` (c1→c_) and `cv3` (c_→c_) bare 1×1 Conv2d without bias, `bn` over 2c_,
/// and `act` LeakyReLU(0.1) in the v3.x–v5.0 code (SiLU from v6.0).
public final class BottleneckCSP: Layer {
    let cv1: Conv
    let cv2: Conv2d, cv3: Conv2d
    let cv4: Conv
    /// BatchNorm over 2c_ with the inner activation fused.
    let bn: BatchNorm2d
    let m: Sequential
    private let concat = Concat()

    init<R: RandomNumberGenerator>(_ c1: Int, _ c2: Int, n: Int, shortcut: Bool, e: Double = 0.5,
                                   activation: Activation, innerActivation: Activation, using rng: inout R) {
        let hidden = Int(Double(c2) * e)
        cv1 = Conv(c1, hidden, k: 1, s: 1, activation: activation, using: &rng)
        cv2 = Conv2d(inChannels: c1, outChannels: hidden, kernelSize: 1, bias: false, using: &rng)
        cv3 = Conv2d(inChannels: hidden, outChannels: hidden, kernelSize: 1, bias: false, using: &rng)
        cv4 = Conv(2 * hidden, c2, k: 1, s: 1, activation: activation, using: &rng)
        bn = BatchNorm2d(channels: 2 * hidden, activation: innerActivation.function)
        m = Sequential((0..<n).map { _ in
            Bottleneck(hidden, hidden, shortcut: shortcut, e: 1.0, activation: activation, using: &rng)
        })
    }

    /// Registration order of YOLOv5's `__init__`: cv1, cv2, cv3, cv4, bn, (act,) m.
    public var children: [(String, any Module)] {
        [("cv1", cv1), ("cv2", cv2), ("cv3", cv3), ("cv4", cv4), ("bn", bn), ("m", m)]
    }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        let y1 = cv3.forward(m.forward(cv1.forward(x, mode), mode), mode)
        let y2 = cv2.forward(x, mode)
        let joined = bn.forward(concat.forward([y1, y2], mode), mode)
        return cv4.forward(joined, mode)
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let dJoined = cv4.backward(dy, needsInputGradient: true)!
        let dNormalised = bn.backward(dJoined, needsInputGradient: true)!
        let parts = concat.backward(dNormalised)
        let dm = m.backward(cv3.backward(parts[0], needsInputGradient: true)!, needsInputGradient: true)!
        let dx1 = cv1.backward(dm, needsInputGradient: needsInputGradient)
        let dx2 = cv2.backward(parts[1], needsInputGradient: needsInputGradient)
        return sum(dx1, dx2)
    }
}
