import Foundation

/// Student's t distribution with ν = `degreesOfFreedom` > 0. ν may be fractional, as Welch–
/// Satterthwaite's is. The distribution function comes from the regularized incomplete beta
/// function, P(|T| > t) = I_{ν/(ν+t²)}(ν/2, 1/2); quantiles are found by bisection on it, to
/// full Double precision. Mirrors scipy.stats.t `sf`, `cdf` and `ppf`.
public struct StudentT: Equatable, Sendable {
    /// ν, the degrees of freedom (n − 1 for the mean of n values).
    public let degreesOfFreedom: Double

    /// The t distribution with `degreesOfFreedom` ν (finite, > 0).
    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0 && degreesOfFreedom.isFinite,
                     "StudentT: degrees of freedom \(degreesOfFreedom) must be positive and finite")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(T > t), the upper tail (scipy `t.sf`); computed directly, so small tails keep their digits.
    public func upperTail(_ t: Double) -> Double {
        precondition(!t.isNaN, "StudentT.upperTail of NaN")
        let nu = degreesOfFreedom, tSquared = t * t
        // x = ν/(ν + t²) and 1 − x = t²/(ν + t²), each written so that t² = ∞ gives 0 and 1.
        let x = 1 / (1 + tSquared / nu), complement = 1 / (1 + nu / tSquared)
        let twoSided = regularizedIncompleteBeta(a: nu / 2, b: 0.5, x: x, complement: complement)
        return t >= 0 ? twoSided / 2 : 1 - twoSided / 2
    }

    /// P(T ≤ t), the distribution function (scipy `t.cdf`).
    public func cdf(_ t: Double) -> Double {
        t <= 0 ? upperTail(-t) : 1 - upperTail(t)
    }

    /// The t with P(T ≤ t) = p, 0 < p < 1 (scipy `t.ppf`).
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "StudentT.quantile: probability \(p) must lie in (0, 1)")
        return p >= 0.5 ? upperTailQuantile(1 - p) : -upperTailQuantile(p)
    }

    /// The t with P(T > t) = q, 0 < q < 1 (scipy `t.isf`).
    public func upperTailQuantile(_ q: Double) -> Double {
        precondition(q > 0 && q < 1, "StudentT.upperTailQuantile: probability \(q) must lie in (0, 1)")
        if q > 0.5 { return -upperTailQuantile(1 - q) }
        if q == 0.5 { return 0 }
        // The tail falls from 1/2 at t = 0: double an upper bracket until it holds the root.
        var low = 0.0, high = 1.0
        while upperTail(high) > q { low = high; high *= 2 }
        // Bisect until the bracket is two adjacent Doubles.
        while true {
            let middle = low + (high - low) / 2
            if middle <= low || middle >= high { break }
            if upperTail(middle) > q { low = middle } else { high = middle }
        }
        return low + (high - low) / 2
    }

    /// The critical value t* of a two-sided interval at `level` (0.95 → the 97.5 % quantile):
    /// mean ± t* · standard error covers the true mean with probability `level`.
    public func twoSidedCriticalValue(level: Double) -> Double {
        precondition(level > 0 && level < 1, "StudentT.twoSidedCriticalValue: level \(level) must lie in (0, 1)")
        return upperTailQuantile((1 - level) / 2)
    }
}
