/// An element-wise activation, for the fused kernels (BatchNorm + activation) and the standalone
/// activation layers; `RowKernels.swift` holds each one's value and derivative loop.
public enum ActivationFunction: Sendable, Equatable {
    case identity
    /// x·σ(x) (`nn.SiLU`).
    case silu
    /// x·relu6(x + 3)/6 (`nn.Hardswish`).
    case hardswish
    /// max(x, 0) + slope·min(x, 0) (`nn.LeakyReLU(slope)`).
    case leakyReLU(Float)
}

/// e^x to within 3e-7 relative (Cephes `expf`'s polynomial), written so that loops over it
/// vectorise: the rounding of x·log₂e to an integer k is done by adding 1.5·2²³, and 2^k is
/// built from k's bits, with no calls and no traps. Inputs are clamped to [−87.3, 88.7].
@inline(__always)
public func fastExp(_ value: Float) -> Float {
    let x = min(max(value, -87.3), 88.7)
    let t = x * 1.442_695_04 + 12_582_912  // 1.5·2²³: the sum's low mantissa bits hold round(x·log₂e)
    let k = t - 12_582_912
    let r = x - k * 0.693_359_375 + k * 2.121_944_4e-4  // x − k·ln2, ln2 split in two for accuracy
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let e = p * (r * r) + r + 1
    return e * Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
}

/// `fastExp` for eight lanes, lane for lane the same arithmetic.
@inline(__always)
func fastExp(_ value: SIMD8<Float>) -> SIMD8<Float> {
    // The clamp of `fastExp` as lane selects (`pointwiseMin` is an out-of-line call here).
    let (low, high) = (SIMD8<Float>(repeating: -87.3), SIMD8<Float>(repeating: 88.7))
    var x = value.replacing(with: low, where: value .< low)
    x = x.replacing(with: high, where: x .> high)
    let t = x * 1.442_695_04 + 12_582_912
    let k = t - 12_582_912
    let r = x - k * 0.693_359_375 + k * 2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let e = p * (r * r) + r + 1
    let bits = (unsafeBitCast(t, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return e * unsafeBitCast(bits, to: SIMD8<Float>.self)
}
