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
        uniform(shape: shape, in: -bound...bound, using: &rng)
    }

    /// A tensor drawn from U(low, high): two 24-bit uniforms from each 64-bit draw (fast enough
    /// to initialise yolov5x's 86 million weights in a fraction of a second).
    public static func uniform<R: RandomNumberGenerator>(shape: [Int], in range: ClosedRange<Float>, using rng: inout R) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let (low, width) = (range.lowerBound, range.upperBound - range.lowerBound)
        var i = 0
        while i < t.count {
            let bits = rng.next()
            t.data[i] = low + width * Float(bits >> 40) * 0x1p-24
            if i + 1 < t.count { t.data[i + 1] = low + width * Float((bits >> 8) & 0xFF_FFFF) * 0x1p-24 }
            i += 2
        }
        return t
    }
}
