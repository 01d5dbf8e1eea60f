import NeuralCore

/// One directional-derivative comparison: backward's ⟨dL/dθ, v⟩ against the central
/// difference (L(θ + h·v) − L(θ − h·v)) / 2h, for a named tensor (the input or a parameter).
public struct DirectionalCheck: CustomStringConvertible {
    public let name: String
    public let analytic: Double
    public let numeric: Double
    /// |analytic − numeric| / max(|analytic|, |numeric|, floor).
    public let relativeError: Double
    /// The absolute error the central difference itself carries: Float32 rounding of the
    /// forward pass, ~1e-7 per output element, grows as ‖y∘r‖₂ and is divided by 2h.
    public var noise: Double = 0

    /// The part of |analytic − numeric| beyond the rounding noise, relative to the derivative;
    /// infinite when either side is not finite (`max(0, .nan)` would be 0).
    public var excessRelativeError: Double {
        guard analytic.isFinite && numeric.isFinite && noise.isFinite else { return .infinity }
        return max(0, abs(analytic - numeric) - noise) / max(abs(analytic), abs(numeric), 1e-300)
    }

    /// |analytic − numeric| ≤ tolerance · max(|analytic|, |numeric|) + noise; false when either
    /// side is not finite.
    public func within(_ tolerance: Double) -> Bool {
        guard analytic.isFinite && numeric.isFinite && noise.isFinite else { return false }
        return abs(analytic - numeric) <= tolerance * max(abs(analytic), abs(numeric)) + noise
    }

    public var description: String {
        "\(name): analytic \(analytic), numeric \(numeric), relative error \(relativeError), rounding noise ±\(noise)"
    }
}

/// The rounding noise of a central difference with step h of L = Σ y·r computed from Float32
/// outputs y: 1e-6 (about ten times Float32's 6e-8, for the several operations behind each
/// output) times ‖y∘r‖₂, divided by h.
public func roundingNoise(outputs: [Tensor], weights r: [Tensor], step h: Float) -> Double {
    var squares = 0.0
    for (y, w) in zip(outputs, r) {
        for i in 0..<y.count { let t = Double(y.data[i]) * Double(w.data[i]); squares += t * t }
    }
    return 1e-6 * squares.squareRoot() / Double(h)
}

/// L = Σ y·r in Double, the scalar whose gradient the checks compare (dL/dy = r).
public func projectedLoss(_ y: Tensor, _ r: Tensor) -> Double { y.dot(r) }

/// Checks a layer's backward against central differences of L = Σ y·r (r random) along random
/// directions, for dL/dx and for every parameter's dL/dθ (STYLE.md §6.1).
///
/// `forward` runs the layer in `mode`; the layer's own state (BN running statistics) may move
/// during the check, which does not change a training-mode output.
public func checkGradients(
    of layer: any Layer, input x: Tensor, mode: ForwardMode = .train, step h: Float = 1e-2,
    directions: Int = 2, seed: UInt64 = 7
) -> [DirectionalCheck] {
    var rng = SeededGenerator(seed: seed)
    let probe = layer.forward(x, ForwardMode(training: mode.training, recordsForBackward: false))
    let r = Tensor.uniform(shape: probe.shape, in: -1...1, using: &rng)
    let noise = roundingNoise(outputs: [probe], weights: [r], step: h)

    // Analytic: one recorded forward and backward.
    for (_, p) in layer.namedParameters() { p.zeroGradient() }
    _ = layer.forward(x, ForwardMode(training: mode.training, recordsForBackward: true))
    let dx = layer.backward(r, needsInputGradient: true)!
    let parameters = layer.namedParameters().filter { $0.1.isTrainable }
    let grads = parameters.map { $0.1.grad!.copy() }

    let evaluate = { () -> Double in
        projectedLoss(layer.forward(x, ForwardMode(training: mode.training, recordsForBackward: false)), r)
    }
    var checks: [DirectionalCheck] = []
    let targets: [(String, Tensor, Tensor)] = [("input", x, dx)]
        + zip(parameters, grads).map { ($0.0.0, $0.0.1.value, $0.1) }
    for (name, tensor, gradient) in targets {
        for d in 0..<directions {
            let v = Tensor.uniform(shape: tensor.shape, in: -1...1, using: &rng)
            let numeric = centralDifference(of: tensor, along: v, step: h, evaluate)
            // Rounding noise in L grows with the mass Σ|gᵢ·vᵢ| of the terms, not with their
            // (possibly cancelling) sum: judge tiny sums against 1e-3 of that mass.
            var mass = 0.0
            for i in 0..<v.count { mass += abs(Double(gradient.data[i]) * Double(v.data[i])) }
            var check = compare(name: "\(name) #\(d)", analytic: gradient.dot(v), numeric: numeric,
                                floor: max(1e-3, 1e-3 * mass))
            check.noise = noise
            checks.append(check)
        }
    }
    return checks
}

/// (L(t + h·v) − L(t − h·v)) / 2h, restoring `t` afterwards.
public func centralDifference(of t: Tensor, along v: Tensor, step h: Float, _ evaluate: () -> Double) -> Double {
    let original = t.copy()
    for i in 0..<t.count { t.data[i] = original.data[i] + h * v.data[i] }
    let plus = evaluate()
    for i in 0..<t.count { t.data[i] = original.data[i] - h * v.data[i] }
    let minus = evaluate()
    t.assign(original)
    return (plus - minus) / (2 * Double(h))
}

/// A `DirectionalCheck` whose relative error divides by at least `floor`, so that a derivative
/// that should be ~0 is not judged by relative error alone.
public func compare(name: String, analytic: Double, numeric: Double, floor: Double = 1e-3) -> DirectionalCheck {
    let scale = max(abs(analytic), abs(numeric), floor)
    return DirectionalCheck(name: name, analytic: analytic, numeric: numeric,
                            relativeError: abs(analytic - numeric) / scale)
}

/// Checks ⟨g, v⟩ against a central difference of `evaluate` when all `tensors` move together
/// along random directions v (one per tensor): (L(θ + h·v) − L(θ − h·v)) / 2h.
public func checkDirectional(name: String, tensors: [Tensor], gradients: [Tensor], step h: Float,
                             seed: UInt64, noise: Double = 0, _ evaluate: () -> Double) -> DirectionalCheck {
    var rng = SeededGenerator(seed: seed)
    let directions = tensors.map { Tensor.uniform(shape: $0.shape, in: -1...1, using: &rng) }
    let originals = tensors.map { $0.copy() }
    func move(_ sign: Float) {
        for (t, (o, v)) in zip(tensors, zip(originals, directions)) {
            for i in 0..<t.count { t.data[i] = o.data[i] + sign * h * v.data[i] }
        }
    }
    move(1)
    let plus = evaluate()
    move(-1)
    let minus = evaluate()
    for (t, o) in zip(tensors, originals) { t.assign(o) }
    var analytic = 0.0, mass = 0.0
    for (g, v) in zip(gradients, directions) {
        for i in 0..<g.count {
            let term = Double(g.data[i]) * Double(v.data[i])
            analytic += term
            mass += abs(term)
        }
    }
    var check = compare(name: name, analytic: analytic, numeric: (plus - minus) / (2 * Double(h)), floor: max(1e-3, 1e-3 * mass))
    check.noise = noise
    return check
}
