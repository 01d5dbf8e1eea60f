import NeuralCore

/// YOLOv5 `SPP(c1, c2, k=(5, 9, 13))`: `cv2(cat[x, mp5(x), mp9(x), mp13(x)])` with x = `cv1`(input),
/// c_ = c1/2, max pools of stride 1 and padding k/2.
public final class SPP: Layer {
    let cv1: Conv, cv2: Conv
    let pools: [MaxPool2d]

    init<R: RandomNumberGenerator>(_ c1: Int, _ c2: Int, kernels: [Int], activation: Activation, using rng: inout R) {
        let hidden = c1 / 2
        cv1 = Conv(c1, hidden, k: 1, s: 1, activation: activation, using: &rng)
        cv2 = Conv(hidden * (kernels.count + 1), c2, k: 1, s: 1, activation: activation, using: &rng)
        pools = kernels.map { MaxPool2d(kernelSize: $0, stride: 1, padding: $0 / 2) }
    }

    public var children: [(String, any Module)] { [("cv1", cv1), ("cv2", cv2)] }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        let y = cv1.forward(x, mode)
        return cv2.forward(concatenating: [y] + pools.map { $0.forward(y, mode) }, mode)
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let parts = cv2.backward(concatenated: dy, parts: pools.count + 1)
        let dY = parts[0]
        for (pool, part) in zip(pools, parts.dropFirst()) {
            dY.add(pool.backward(part, needsInputGradient: true)!)
        }
        return cv1.backward(dY, needsInputGradient: needsInputGradient)
    }
}

/// YOLOv5 `SPPF(c1, c2, k=5)`: x = `cv1`(input); y1 = mp(x), y2 = mp(y1), y3 = mp(y2);
/// `cv2(cat[x, y1, y2, y3])`, equal to SPP(5, 9, 13) and faster.
public final class SPPF: Layer {
    let cv1: Conv, cv2: Conv
    /// One pool per application (each keeps its own argmax for backward); PyTorch reuses one.
    let pools: [MaxPool2d]

    init<R: RandomNumberGenerator>(_ c1: Int, _ c2: Int, kernel: Int, activation: Activation, using rng: inout R) {
        let hidden = c1 / 2
        cv1 = Conv(c1, hidden, k: 1, s: 1, activation: activation, using: &rng)
        cv2 = Conv(hidden * 4, c2, k: 1, s: 1, activation: activation, using: &rng)
        pools = (0..<3).map { _ in MaxPool2d(kernelSize: kernel, stride: 1, padding: kernel / 2) }
    }

    public var children: [(String, any Module)] { [("cv1", cv1), ("cv2", cv2)] }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        let y0 = cv1.forward(x, mode)
        let y1 = pools[0].forward(y0, mode)
        let y2 = pools[1].forward(y1, mode)
        let y3 = pools[2].forward(y2, mode)
        return cv2.forward(concatenating: [y0, y1, y2, y3], mode)
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let parts = cv2.backward(concatenated: dy, parts: 4)
        // y3 = mp(y2): its gradient joins y2's, then y1's, then x's.
        let d2 = parts[2]
        d2.add(pools[2].backward(parts[3], needsInputGradient: true)!)
        let d1 = parts[1]
        d1.add(pools[1].backward(d2, needsInputGradient: true)!)
        let d0 = parts[0]
        d0.add(pools[0].backward(d1, needsInputGradient: true)!)
        return cv1.backward(d0, needsInputGradient: needsInputGradient)
    }
}

/// YOLOv5 `Focus(c1, c2, k)`: space-to-depth (RECIPE.md §1 order), then `conv` = Conv(4c1→c2, k).
public final class Focus: Layer {
    private let slicing = SpaceToDepth()
    let conv: Conv

    init<R: RandomNumberGenerator>(_ c1: Int, _ c2: Int, k: Int, s: Int, p: Int?, activation: Activation, using rng: inout R) {
        conv = Conv(4 * c1, c2, k: k, s: s, p: p, activation: activation, using: &rng)
    }

    public var children: [(String, any Module)] { [("conv", conv)] }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        conv.forward(slicing.forward(x, mode), mode)
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let dSliced = conv.backward(dy, needsInputGradient: needsInputGradient)
        return dSliced.map { slicing.backward($0, needsInputGradient: true)! }
    }
}
