import NeuralCore

/// YOLOv5 `C3(c1, c2, n, shortcut, g=1, e=0.5)`: `cv3(cat[m(cv1 x), cv2 x])` with c_ = int(c2·e),
/// `cv1`, `cv2` Conv 1×1 c1→c_, `m` n Bottlenecks c_→c_ (e = 1), `cv3` Conv 1×1 2c_→c2. The
/// concatenation is never built: cv3 reads its two parts where they lie.
public final class C3: Layer {
    let cv1: Conv, cv2: Conv, cv3: Conv
    let m: Sequential

    init<R: RandomNumberGenerator>(_ c1: Int, _ c2: Int, n: Int, shortcut: Bool, e: Double = 0.5,
                                   activation: Activation, using rng: inout R) {
        let hidden = Int(Double(c2) * e)
        cv1 = Conv(c1, hidden, k: 1, s: 1, activation: activation, using: &rng)
        cv2 = Conv(c1, hidden, k: 1, s: 1, activation: activation, using: &rng)
        cv3 = Conv(2 * hidden, c2, k: 1, activation: activation, using: &rng)
        m = Sequential((0..<n).map { _ in
            Bottleneck(hidden, hidden, shortcut: shortcut, e: 1.0, activation: activation, using: &rng)
        })
    }

    public var children: [(String, any Module)] { [("cv1", cv1), ("cv2", cv2), ("cv3", cv3), ("m", m)] }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        let a = m.forward(cv1.forward(x, mode), mode)
        let b = cv2.forward(x, mode)
        return cv3.forward(concatenating: [a, b], mode)
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let (dA, dB) = innerBackward(dy)
        let dx1 = cv1.backward(dA, needsInputGradient: needsInputGradient)
        let dx2 = cv2.backward(dB, needsInputGradient: needsInputGradient)
        return sum(dx1, dx2)
    }

    /// dL/d(cv1 output) and dL/d(cv2 output), through cv3 and m.
    private func innerBackward(_ dy: Tensor) -> (Tensor, Tensor) {
        let parts = cv3.backward(concatenated: dy, parts: 2)
        return (m.backward(parts[0], needsInputGradient: true)!, parts[1])
    }
}

/// A C3 whose input is a Concat (YOLOv5's head) reads it part by part: cv1 and cv2 are 1×1.
extension C3: ConcatenationReader {
    func forward(concatenating parts: [Tensor], _ mode: ForwardMode) -> Tensor {
        let a = m.forward(cv1.forward(concatenating: parts, mode), mode)
        let b = cv2.forward(concatenating: parts, mode)
        return cv3.forward(concatenating: [a, b], mode)
    }

    func backward(concatenated dy: Tensor, needsPartGradients: [Bool]) -> [Tensor?] {
        let (dA, dB) = innerBackward(dy)
        let from1 = cv1.backward(concatenated: dA, needsPartGradients: needsPartGradients)
        let from2 = cv2.backward(concatenated: dB, needsPartGradients: needsPartGradients)
        return zip(from1, from2).map { sum($0, $1) }
    }
}
