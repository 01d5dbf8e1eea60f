/// The 1-D Winograd transforms of `WinogradTile`, applied element by element to `count`
/// contiguous floats of several rows at once: row j of the input at `input(j)`, row ξ of the
/// output at `output(ξ)`. The convolution lays tiles out so that both directions of the 2-D
/// transform are such calls (WinogradConvolution, "Tiles").
///
/// Each matrix is written out with its common terms shared; eight floats per SIMD step, then a
/// scalar tail. The tests compare every one with its matrix.
extension WinogradTile {
    /// out_ξ = Σ_j Bᵀ[ξ, j]·in_j, ξ, j < α.
    func transformInput(count: Int, input: (Int) -> UnsafePointer<Float>, output: (Int) -> UnsafeMutablePointer<Float>) {
        var i = 0
        switch self {
        case .f2:
            let (s0, s1, s2, s3) = (input(0), input(1), input(2), input(3))
            let (o0, o1, o2, o3) = (output(0), output(1), output(2), output(3))
            while i + 8 <= count {
                let (d0, d1, d2, d3) = (load8(s0 + i), load8(s1 + i), load8(s2 + i), load8(s3 + i))
                store(d0 - d2, o0 + i); store(d1 + d2, o1 + i); store(d2 - d1, o2 + i); store(d1 - d3, o3 + i)
                i += 8
            }
            while i < count {
                let (d0, d1, d2, d3) = (s0[i], s1[i], s2[i], s3[i])
                o0[i] = d0 - d2; o1[i] = d1 + d2; o2[i] = d2 - d1; o3[i] = d1 - d3
                i += 1
            }
        case .f4:
            let (s0, s1, s2, s3, s4, s5) = (input(0), input(1), input(2), input(3), input(4), input(5))
            let (o0, o1, o2, o3, o4, o5) = (output(0), output(1), output(2), output(3), output(4), output(5))
            while i + 8 <= count {
                let (d0, d1, d2) = (load8(s0 + i), load8(s1 + i), load8(s2 + i))
                let (d3, d4, d5) = (load8(s3 + i), load8(s4 + i), load8(s5 + i))
                let (a, b) = (d4 - d2, d3 - d1)
                store(4 * d0 - 5 * d2 + d4, o0 + i)
                store((d3 + d4) - 4 * (d1 + d2), o1 + i)
                store((d4 - d3) + 4 * (d1 - d2), o2 + i)
                store(a + 2 * b, o3 + i)
                store(a - 2 * b, o4 + i)
                store(4 * d1 - 5 * d3 + d5, o5 + i)
                i += 8
            }
            while i < count {
                let (d0, d1, d2, d3, d4, d5) = (s0[i], s1[i], s2[i], s3[i], s4[i], s5[i])
                let (a, b) = (d4 - d2, d3 - d1)
                o0[i] = 4 * d0 - 5 * d2 + d4
                o1[i] = (d3 + d4) - 4 * (d1 + d2)
                o2[i] = (d4 - d3) + 4 * (d1 - d2)
                o3[i] = a + 2 * b
                o4[i] = a - 2 * b
                o5[i] = 4 * d1 - 5 * d3 + d5
                i += 1
            }
        }
    }

    /// out_j = Σ_ξ Aᵀ[j, ξ]·in_ξ, j < m, ξ < α.
    func transformOutput(count: Int, input: (Int) -> UnsafePointer<Float>, output: (Int) -> UnsafeMutablePointer<Float>) {
        var i = 0
        switch self {
        case .f2:
            let (s0, s1, s2, s3) = (input(0), input(1), input(2), input(3))
            let (o0, o1) = (output(0), output(1))
            while i + 8 <= count {
                let (v0, v1, v2, v3) = (load8(s0 + i), load8(s1 + i), load8(s2 + i), load8(s3 + i))
                store(v0 + v1 + v2, o0 + i); store(v1 - v2 - v3, o1 + i)
                i += 8
            }
            while i < count {
                let (v0, v1, v2, v3) = (s0[i], s1[i], s2[i], s3[i])
                o0[i] = v0 + v1 + v2; o1[i] = v1 - v2 - v3
                i += 1
            }
        case .f4:
            let (s0, s1, s2, s3, s4, s5) = (input(0), input(1), input(2), input(3), input(4), input(5))
            let (o0, o1, o2, o3) = (output(0), output(1), output(2), output(3))
            while i + 8 <= count {
                let (v0, v1, v2) = (load8(s0 + i), load8(s1 + i), load8(s2 + i))
                let (v3, v4, v5) = (load8(s3 + i), load8(s4 + i), load8(s5 + i))
                let (sum12, difference12, sum34, difference34) = (v1 + v2, v1 - v2, v3 + v4, v3 - v4)
                store(v0 + sum12 + sum34, o0 + i)
                store(difference12 + 2 * difference34, o1 + i)
                store(sum12 + 4 * sum34, o2 + i)
                store(difference12 + 8 * difference34 + v5, o3 + i)
                i += 8
            }
            while i < count {
                let (v0, v1, v2, v3, v4, v5) = (s0[i], s1[i], s2[i], s3[i], s4[i], s5[i])
                let (sum12, difference12, sum34, difference34) = (v1 + v2, v1 - v2, v3 + v4, v3 - v4)
                o0[i] = v0 + sum12 + sum34
                o1[i] = difference12 + 2 * difference34
                o2[i] = sum12 + 4 * sum34
                o3[i] = difference12 + 8 * difference34 + v5
                i += 1
            }
        }
    }

    /// The adjoint of `transformOutput`: out_ξ = Σ_j Aᵀ[j, ξ]·in_j (dL/dy → dL/d(product)).
    func transformOutputGradient(count: Int, input: (Int) -> UnsafePointer<Float>, output: (Int) -> UnsafeMutablePointer<Float>) {
        var i = 0
        switch self {
        case .f2:
            let (s0, s1) = (input(0), input(1))
            let (o0, o1, o2, o3) = (output(0), output(1), output(2), output(3))
            while i + 8 <= count {
                let (d0, d1) = (load8(s0 + i), load8(s1 + i))
                store(d0, o0 + i); store(d0 + d1, o1 + i); store(d0 - d1, o2 + i); store(-d1, o3 + i)
                i += 8
            }
            while i < count {
                let (d0, d1) = (s0[i], s1[i])
                o0[i] = d0; o1[i] = d0 + d1; o2[i] = d0 - d1; o3[i] = -d1
                i += 1
            }
        case .f4:
            let (s0, s1, s2, s3) = (input(0), input(1), input(2), input(3))
            let (o0, o1, o2, o3, o4, o5) = (output(0), output(1), output(2), output(3), output(4), output(5))
            while i + 8 <= count {
                let (d0, d1, d2, d3) = (load8(s0 + i), load8(s1 + i), load8(s2 + i), load8(s3 + i))
                let (even, odd, even4, odd4) = (d0 + d2, d1 + d3, d0 + 4 * d2, 2 * d1 + 8 * d3)
                store(d0, o0 + i); store(even + odd, o1 + i); store(even - odd, o2 + i)
                store(even4 + odd4, o3 + i); store(even4 - odd4, o4 + i); store(d3, o5 + i)
                i += 8
            }
            while i < count {
                let (d0, d1, d2, d3) = (s0[i], s1[i], s2[i], s3[i])
                let (even, odd, even4, odd4) = (d0 + d2, d1 + d3, d0 + 4 * d2, 2 * d1 + 8 * d3)
                o0[i] = d0; o1[i] = even + odd; o2[i] = even - odd
                o3[i] = even4 + odd4; o4[i] = even4 - odd4; o5[i] = d3
                i += 1
            }
        }
    }

    /// The adjoint of `transformInput`, accumulated: out_j += Σ_ξ Bᵀ[ξ, j]·in_ξ (dL/d(transformed
    /// tile) → dL/dx). Outputs may overlap (neighbouring tiles share positions): each row is added
    /// in turn, j = 0, 1, …, within a step.
    func accumulateInputGradient(count: Int, input: (Int) -> UnsafePointer<Float>, output: (Int) -> UnsafeMutablePointer<Float>) {
        var i = 0
        switch self {
        case .f2:
            let (s0, s1, s2, s3) = (input(0), input(1), input(2), input(3))
            let (o0, o1, o2, o3) = (output(0), output(1), output(2), output(3))
            while i + 8 <= count {
                let (v0, v1, v2, v3) = (load8(s0 + i), load8(s1 + i), load8(s2 + i), load8(s3 + i))
                add(v0, o0 + i); add(v1 - v2 + v3, o1 + i); add(v1 + v2 - v0, o2 + i); add(-v3, o3 + i)
                i += 8
            }
            while i < count {
                let (v0, v1, v2, v3) = (s0[i], s1[i], s2[i], s3[i])
                o0[i] += v0; o1[i] += v1 - v2 + v3; o2[i] += v1 + v2 - v0; o3[i] += -v3
                i += 1
            }
        case .f4:
            let (s0, s1, s2, s3, s4, s5) = (input(0), input(1), input(2), input(3), input(4), input(5))
            let (o0, o1, o2, o3, o4, o5) = (output(0), output(1), output(2), output(3), output(4), output(5))
            while i + 8 <= count {
                let (v0, v1, v2) = (load8(s0 + i), load8(s1 + i), load8(s2 + i))
                let (v3, v4, v5) = (load8(s3 + i), load8(s4 + i), load8(s5 + i))
                let (sum12, difference12, sum34, difference34) = (v1 + v2, v2 - v1, v3 + v4, v3 - v4)
                add(4 * v0, o0 + i)
                add(4 * (difference12 + v5) - 2 * difference34, o1 + i)
                add(-(5 * v0 + 4 * sum12 + sum34), o2 + i)
                add(2 * difference34 - difference12 - 5 * v5, o3 + i)
                add(v0 + sum12 + sum34, o4 + i)
                add(v5, o5 + i)
                i += 8
            }
            while i < count {
                let (v0, v1, v2, v3, v4, v5) = (s0[i], s1[i], s2[i], s3[i], s4[i], s5[i])
                let (sum12, difference12, sum34, difference34) = (v1 + v2, v2 - v1, v3 + v4, v3 - v4)
                o0[i] += 4 * v0
                o1[i] += 4 * (difference12 + v5) - 2 * difference34
                o2[i] += -(5 * v0 + 4 * sum12 + sum34)
                o3[i] += 2 * difference34 - difference12 - 5 * v5
                o4[i] += v0 + sum12 + sum34
                o5[i] += v5
                i += 1
            }
        }
    }
}

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
@inline(__always) func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load8(UnsafePointer(p)) }
@inline(__always) func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
@inline(__always) func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
/// p[0..<8] += v.
@inline(__always) func add(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { store(load8(p) + v, p) }
