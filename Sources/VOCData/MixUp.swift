import Foundation

/// YOLOv5's `mixup` (v7): `uint8(r·A + (1 − r)·B)` with r ~ Beta(32, 32), labels concatenated.
public enum MixUp {
    /// v7's Beta parameters (the guide era used 8).
    public static let betaParameter: Double = 32

    /// Mixes `b` into `a` with ratio `r` (same sizes), truncating as numpy's `astype(np.uint8)` does.
    public static func blend(_ a: RGBImage, _ b: RGBImage, ratio r: Float) -> RGBImage {
        precondition(a.width == b.width && a.height == b.height, "MixUp: \(a.width)×\(a.height) vs \(b.width)×\(b.height)")
        var out = a
        out.pixels.withUnsafeMutableBufferPointer { o in
            b.pixels.withUnsafeBufferPointer { q in
                for i in 0..<o.count { o[i] = UInt8(Float(o[i]) * r + Float(q[i]) * (1 - r)) }
            }
        }
        return out
    }

    /// A draw from Beta(α, α), as X/(X + Y) of two Gamma(α) draws.
    public static func randomRatio<R: RandomNumberGenerator>(alpha: Double = betaParameter, using rng: inout R) -> Float {
        let x = gamma(alpha, using: &rng), y = gamma(alpha, using: &rng)
        return Float(x / (x + y))
    }

    /// Marsaglia–Tsang Gamma(shape ≥ 1, 1).
    static func gamma<R: RandomNumberGenerator>(_ shape: Double, using rng: inout R) -> Double {
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
                x = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = Double.random(in: 0..<1, using: &rng)
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }
}
