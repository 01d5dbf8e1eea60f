/// Winograd's minimal filtering F(m×m, 3×3) (Lavin & Gray 2016, "Fast Algorithms for
/// Convolutional Neural Networks"): an m×m output tile of a 3×3 correlation from an α×α input
/// tile, α = m + 2, as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A: α² multiplies instead of 9m².
///
/// F(2, 3) uses the points 0, ±1 (α = 4, 2.25× fewer multiplies); F(4, 3) the points 0, ±1,
/// ±2 (α = 6, 4×), whose larger coefficients cost accuracy in Float32 (WinogradTests measure it).
public enum WinogradTile: Int, Sendable, CaseIterable {
    case f2 = 2
    case f4 = 4

    /// Output tile side m.
    public var m: Int { rawValue }
    /// Input tile side α = m + 2.
    public var alpha: Int { rawValue + 2 }

    /// Bᵀ [α, α]: input tile → transformed tile, row by row.
    var inputMatrix: [Float] {
        switch self {
        case .f2: return [1, 0, -1, 0,
                          0, 1, 1, 0,
                          0, -1, 1, 0,
                          0, 1, 0, -1]
        case .f4: return [4, 0, -5, 0, 1, 0,
                          0, -4, -4, 1, 1, 0,
                          0, 4, -4, -1, 1, 0,
                          0, -2, -1, 2, 1, 0,
                          0, 2, -1, -2, 1, 0,
                          0, 4, 0, -5, 0, 1]
        }
    }

    /// G [α, 3]: 3-tap filter → transformed filter.
    var filterMatrix: [Double] {
        switch self {
        case .f2: return [1, 0, 0,
                          0.5, 0.5, 0.5,
                          0.5, -0.5, 0.5,
                          0, 0, 1]
        case .f4: return [1.0 / 4, 0, 0,
                          -1.0 / 6, -1.0 / 6, -1.0 / 6,
                          -1.0 / 6, 1.0 / 6, -1.0 / 6,
                          1.0 / 24, 1.0 / 12, 1.0 / 6,
                          1.0 / 24, -1.0 / 12, 1.0 / 6,
                          0, 0, 1]
        }
    }

    /// Aᵀ [m, α]: transformed product → output tile.
    var outputMatrix: [Float] {
        switch self {
        case .f2: return [1, 1, 1, 0,
                          0, 1, -1, -1]
        case .f4: return [1, 1, 1, 1, 1, 0,
                          0, 1, -1, 2, -2, 0,
                          0, 1, 1, 4, 4, 0,
                          0, 1, -1, 8, -8, 1]
        }
    }
}

/// A 1-D transform as a [rows, columns] matrix applied to `columns` long rows of floats at once:
/// out_r[t] = Σ_c M[r, c]·in_c[t]. The rows are tiles side by side, so every loop runs over
/// contiguous memory and vectorises; zero coefficients are skipped.
struct RowTransform {
    let rows: Int, columns: Int
    /// (row, column, coefficient) of every non-zero entry, row by row.
    let terms: [(Int, Int, Float)]

    init(_ matrix: [Float], rows: Int, columns: Int) {
        precondition(matrix.count == rows * columns, "RowTransform: \(matrix.count) entries for \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        var terms: [(Int, Int, Float)] = []
        for r in 0..<rows { for c in 0..<columns where matrix[r * columns + c] != 0 { terms.append((r, c, matrix[r * columns + c])) } }
        self.terms = terms
    }

    /// The transposed transform (the adjoint, for backward passes).
    var transposed: RowTransform {
        var matrix = [Float](repeating: 0, count: rows * columns)
        for (r, c, v) in terms { matrix[c * rows + r] = v }
        return RowTransform(matrix, rows: columns, columns: rows)
    }

    /// out_r = Σ_c M[r, c]·in_c (or out_r += … when `accumulate`) over `count` floats, with
    /// in_c at `input(c)` and out_r at `output(r)`.
    @inline(__always)
    func apply(count: Int, accumulate: Bool, input: (Int) -> UnsafePointer<Float>, output: (Int) -> UnsafeMutablePointer<Float>) {
        var current = -1
        for (r, c, v) in terms {
            let (src, dst) = (input(c), output(r))
            if r != current && !accumulate {
                current = r
                if v == 1 { dst.update(from: src, count: count) } else { scaleRow(src, v, into: dst, count) }
            } else {
                addScaledRow(src, v, into: dst, count)
            }
        }
    }
}

/// dst[i] = v·src[i].
@inline(__always)
func scaleRow(_ src: UnsafePointer<Float>, _ v: Float, into dst: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { dst[i] = v * src[i] }
}

/// dst[i] += v·src[i] (a plain add or subtract for ±1).
@inline(__always)
func addScaledRow(_ src: UnsafePointer<Float>, _ v: Float, into dst: UnsafeMutablePointer<Float>, _ count: Int) {
    if v == 1 {
        for i in 0..<count { dst[i] += src[i] }
    } else if v == -1 {
        for i in 0..<count { dst[i] -= src[i] }
    } else {
        for i in 0..<count { dst[i] += v * src[i] }
    }
}
