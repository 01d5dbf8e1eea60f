import Foundation

/// A seeded, reproducible generator (SplitMix64): every random draw in FreezeStudy goes through
/// one of these, passed in explicitly, so a seed reproduces a run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Float in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        Float.random(in: low..<high, using: &self)
    }

    /// A standard normal draw (Box–Muller).
    public mutating func normal() -> Float {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}

extension Tensor {
    /// A tensor drawn from U(−bound, bound).
    public static func uniform<R: RandomNumberGenerator>(shape: [Int], bound: Float, using rng: inout R) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.data[i] = Float.random(in: -bound...bound, using: &rng) }
        return t
    }

    /// A tensor drawn from U(low, high).
    public static func uniform<R: RandomNumberGenerator>(shape: [Int], in range: ClosedRange<Float>, using rng: inout R) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.data[i] = Float.random(in: range, using: &rng) }
        return t
    }
}
