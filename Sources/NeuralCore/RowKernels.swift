/// Loops over one contiguous row, written so that the compiler vectorises them: independent
/// accumulators for reductions, and the activation chosen outside the loop.

/// Σ p[i], with eight partial sums (Float32 sums of one row; callers add rows in Double).
@inline(__always)
func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= n {
        acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var total = acc.sum()
    while i < n { total += p[i]; i += 1 }
    return total
}

/// Σ (p[i] − mean)².
@inline(__always)
func rowSquaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, _ mean: Float) -> Float {
    var acc = SIMD8<Float>()
    let m = SIMD8<Float>(repeating: mean)
    var i = 0
    while i + 8 <= n {
        let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) - m
        acc += d * d
        i += 8
    }
    var total = acc.sum()
    while i < n { let d = p[i] - mean; total += d * d; i += 1 }
    return total
}

/// dst[i] = act(src[i]·scale + shift).
@inline(__always)
func applyAffine(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int,
                 _ scale: Float, _ shift: Float, _ act: ActivationFunction) {
    switch act {
    case .identity: for i in 0..<n { dst[i] = src[i] * scale + shift }
    case .silu: for i in 0..<n { let z = src[i] * scale + shift; dst[i] = z / (1 + fastExp(-z)) }
    case .hardswish: for i in 0..<n { let z = src[i] * scale + shift; dst[i] = z * min(max(z + 3, 0), 6) / 6 }
    case .leakyReLU(let slope): for i in 0..<n { let z = src[i] * scale + shift; dst[i] = z > 0 ? z : z * slope }
    }
}

/// dz[i] = dy[i]·act'(x[i]·scale + shift).
@inline(__always)
func preActivationGradient(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dz: UnsafeMutablePointer<Float>,
                           _ n: Int, _ scale: Float, _ shift: Float, _ act: ActivationFunction) {
    switch act {
    case .identity:
        dz.update(from: dy, count: n)
    case .silu:
        for i in 0..<n {
            let z = x[i] * scale + shift
            let s = 1 / (1 + fastExp(-z))
            dz[i] = dy[i] * s * (1 + z * (1 - s))
        }
    case .hardswish:
        for i in 0..<n {
            let z = x[i] * scale + shift
            dz[i] = dy[i] * (z < -3 ? 0 : (z <= 3 ? z / 3 + 0.5 : 1))
        }
    case .leakyReLU(let slope):
        for i in 0..<n { dz[i] = x[i] * scale + shift > 0 ? dy[i] : dy[i] * slope }
    }
}

/// (Σ g[i], Σ g[i]·(x[i] − mean)), with eight partial sums each.
@inline(__always)
func rowGradientSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, _ mean: Float) -> (Float, Float) {
    var a = SIMD8<Float>(), b = SIMD8<Float>()
    let m = SIMD8<Float>(repeating: mean)
    var i = 0
    while i + 8 <= n {
        let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        a += gv
        b += gv * (xv - m)
        i += 8
    }
    var sum = a.sum(), centred = b.sum()
    while i < n { sum += g[i]; centred += g[i] * (x[i] - mean); i += 1 }
    return (sum, centred)
}

/// dst[i] = act(src[i]·scale + shift) + residual[i] (a Bottleneck's shortcut added in the same pass).
@inline(__always)
func applyAffine(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int,
                 _ scale: Float, _ shift: Float, _ act: ActivationFunction, adding residual: UnsafePointer<Float>) {
    switch act {
    case .identity: for i in 0..<n { dst[i] = (src[i] * scale + shift) + residual[i] }
    case .silu: for i in 0..<n { let z = src[i] * scale + shift; dst[i] = z / (1 + fastExp(-z)) + residual[i] }
    case .hardswish: for i in 0..<n { let z = src[i] * scale + shift; dst[i] = z * min(max(z + 3, 0), 6) / 6 + residual[i] }
    case .leakyReLU(let slope): for i in 0..<n { let z = src[i] * scale + shift; dst[i] = (z > 0 ? z : z * slope) + residual[i] }
    }
}

/// dz[i] = dy[i]·SiLU'(x[i]·scale + shift) and, in the same pass, (Σ dz[i], Σ dz[i]·(x[i] − mean)):
/// `preActivationGradient` then `rowGradientSums`, lane for lane the same arithmetic.
@inline(__always)
func siluGradientSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dz: UnsafeMutablePointer<Float>, _ n: Int,
                      _ scale: Float, _ shift: Float, _ mean: Float) -> (Float, Float) {
    var a = SIMD8<Float>(), b = SIMD8<Float>()
    let m = SIMD8<Float>(repeating: mean)
    var i = 0
    while i + 8 <= n {
        let xv = load8(x + i)
        let z = xv * scale + shift
        let s = 1 / (1 + fastExp(-z))
        let g = load8(dy + i) * s * (1 + z * (1 - s))
        store(g, dz + i)
        a += g
        b += g * (xv - m)
        i += 8
    }
    var sum = a.sum(), centred = b.sum()
    while i < n {
        let z = x[i] * scale + shift
        let s = 1 / (1 + fastExp(-z))
        let g = dy[i] * s * (1 + z * (1 - s))
        dz[i] = g
        sum += g; centred += g * (x[i] - mean)
        i += 1
    }
    return (sum, centred)
}
