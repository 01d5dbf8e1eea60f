import Foundation

/// The regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), a, b > 0,
/// 0 ≤ x ≤ 1, by its continued fraction (modified Lentz), as in Numerical Recipes §6.4
/// `betai`/`betacf`. `complement` is 1 − x, passed separately so that a caller who knows it
/// exactly (Student's t: t²/(ν + t²)) loses no digits to the subtraction near x = 1.
func regularizedIncompleteBeta(a: Double, b: Double, x: Double, complement y: Double) -> Double {
    precondition(a > 0 && b > 0 && a.isFinite && b.isFinite, "incomplete beta: a = \(a), b = \(b) must be positive and finite")
    precondition(x >= 0 && x <= 1 && y >= 0 && y <= 1, "incomplete beta: x = \(x), 1 − x = \(y) must lie in [0, 1]")
    if x == 0 { return 0 }
    if y == 0 { return 1 }
    // log of x^a · (1 − x)^b / B(a, b), the factor in front of either continued fraction.
    let logFront = a * log(x) + b * log(y) - (lgamma(a) + lgamma(b) - lgamma(a + b))
    // The fraction converges fast for x < (a + 1)/(a + b + 2); beyond, use I_x(a, b) = 1 − I_{1−x}(b, a).
    if x < (a + 1) / (a + b + 2) {
        return exp(logFront) * betaContinuedFraction(a: a, b: b, x: x) / a
    }
    return 1 - exp(logFront) * betaContinuedFraction(a: b, b: a, x: y) / b
}

/// The continued fraction of I_x(a, b) (Numerical Recipes `betacf`), evaluated by the modified
/// Lentz method until a step changes it by less than the Double precision.
private func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
    let tiny = Double.leastNormalMagnitude / Double.ulpOfOne  // keeps Lentz's denominators off 0
    let epsilon = 2 * Double.ulpOfOne
    // Convergence takes O(√max(a, b)) steps; this bound is far beyond any ν a study produces.
    let maxIterations = 100_000
    func guarded(_ value: Double) -> Double { abs(value) < tiny ? tiny : value }
    var c = 1.0
    var d = 1 / guarded(1 - (a + b) * x / (a + 1))
    var fraction = d
    for iteration in 1...maxIterations {
        let m = Double(iteration), twoM = 2 * m
        // Even step: d_{2m} = m (b − m) x / ((a + 2m − 1)(a + 2m)).
        let even = m * (b - m) * x / ((a + twoM - 1) * (a + twoM))
        d = 1 / guarded(1 + even * d)
        c = guarded(1 + even / c)
        fraction *= d * c
        // Odd step: d_{2m+1} = −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
        let odd = -(a + m) * (a + b + m) * x / ((a + twoM) * (a + twoM + 1))
        d = 1 / guarded(1 + odd * d)
        c = guarded(1 + odd / c)
        let change = d * c
        fraction *= change
        if abs(change - 1) <= epsilon { return fraction }
    }
    preconditionFailure("incomplete beta: continued fraction for a = \(a), b = \(b), x = \(x) did not converge in \(maxIterations) steps")
}
