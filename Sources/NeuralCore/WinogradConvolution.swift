/// A 3×3, stride-1, padding-1 convolution by Winograd F(m×m, 3×3), all three passes as batched
/// GEMMs over transformed tiles (one `cblas_sgemm` per position ξ of the α×α tile):
///
/// - forward: V[ξ] = Bᵀ d B of every input tile, [C, T]; M[ξ] = U[ξ] [K, C] · V[ξ]; y = Aᵀ M A.
/// - weight gradient: Z[ξ] = A dY Aᵀ, [K, T]; dU[ξ] += Z[ξ] · V[ξ]ᵀ; dW += Gᵀ dU G.
/// - input gradient: dV[ξ] = U[ξ]ᵀ · Z[ξ]; dx = B dV Bᵀ, overlapping tiles added.
///
/// U = G g Gᵀ are the transformed weights, [α², K, C]. The backward passes are the exact
/// adjoints of the forward one. The batch is cut into blocks of whole images (tiles of a
/// block side by side, T = images·tiles per image), blocks into `ConvolutionPlan.parts` groups:
/// a fixed plan, so that results do not depend on the thread count.
struct WinogradConvolution {
    /// Aim for at least this many tiles per block (GEMM columns).
    static let targetTiles = 512

    let tile: WinogradTile
    let input: Tensor
    let inputChannels: Int, outputChannels: Int
    let height: Int, width: Int
    let tilesHigh: Int, tilesWide: Int
    let imagesPerBlock: Int
    let blocks: [Range<Int>]
    let groups: Int

    init(_ x: Tensor, outputChannels: Int, tile: WinogradTile) {
        self.tile = tile
        input = x
        inputChannels = x.c
        self.outputChannels = outputChannels
        (height, width) = (x.h, x.w)
        tilesHigh = (x.h + tile.m - 1) / tile.m
        tilesWide = (x.w + tile.m - 1) / tile.m
        let perImage = tilesHigh * (tilesWide + 1)
        var perBlock = max(1, (Self.targetTiles + perImage - 1) / perImage)
        perBlock = min(perBlock, (x.n + ConvolutionPlan.parts - 1) / ConvolutionPlan.parts)  // a block for every part
        let size = max(1, perBlock)
        imagesPerBlock = size
        blocks = Swift.stride(from: 0, to: x.n, by: size).map { $0..<min($0 + size, x.n) }
        groups = min(ConvolutionPlan.parts, blocks.count)
    }

    /// The tile `ConvolutionAlgorithm.automatic` uses for a 3×3 stride-1 convolution of this
    /// size, or nil where im2col + GEMM is faster (measured with `freeze-bench kernels`).
    static func preferredTile(inputChannels: Int, outputChannels: Int, height: Int, width: Int) -> WinogradTile? {
        // F(4,3) does 2.25× fewer multiplies than F(2,3) but rounds a 10×10 image up to 12×16
        // (tiles, plus the spare tile per row), 1.9× the work; F(2,3) rounds it to 10×12.
        // Measured (freeze-bench kernels, yolov5n): F(4,3) wins from 20×20 up, F(2,3) at 10×10.
        height * width <= 256 ? .f2 : .f4
    }

    /// Tiles of an image in the GEMMs: tilesHigh rows of tilesWide + 1 (see WinogradTiles.swift).
    var tilesPerImage: Int { tilesHigh * (tilesWide + 1) }
    /// α².
    var positions: Int { tile.alpha * tile.alpha }
    /// Tiles of the largest block: the GEMMs' column count.
    var blockTiles: Int { imagesPerBlock * tilesPerImage }

    /// Runs `body(group, block)` for every block, a group's blocks in order on one thread.
    func forEachBlock(_ body: (Int, Range<Int>) -> Void) {
        forEachPart(groups) { group in
            for index in Swift.stride(from: group, to: blocks.count, by: groups) { body(group, blocks[index]) }
        }
    }

    // MARK: Weights

    /// U = G g Gᵀ for every filter: [α², K, C]. Filters side by side (K·C long rows), so each
    /// step of the transform is one `RowTransform`.
    func transformedWeights(_ weight: Tensor) -> Tensor {
        let (pairs, alpha) = (outputChannels * inputChannels, tile.alpha)
        let u = Tensor(uninitializedShape: [positions, outputChannels, inputChannels])
        let g = RowTransform(tile.filterMatrix.map(Float.init), rows: alpha, columns: 3)
        withScratch((9 + 3 * alpha) * pairs) { scratch in
            let (taps, half) = (scratch, scratch + 9 * pairs)  // taps [3·3, K·C]; half [3 (i), α (s), K·C]
            transposeFilters(weight.data, into: taps, pairs: pairs)
            for i in 0..<3 {  // half[i, s] = Σ_j G[s, j]·g[i, j]
                g.apply(count: pairs, accumulate: false, input: { UnsafePointer(taps + (i * 3 + $0) * pairs) },
                        output: { half + (i * alpha + $0) * pairs })
            }
            for s in 0..<alpha {  // U[r·α + s] = Σ_i G[r, i]·half[i, s]
                g.apply(count: pairs, accumulate: false, input: { UnsafePointer(half + ($0 * alpha + s) * pairs) },
                        output: { u.data + ($0 * alpha + s) * pairs })
            }
        }
        return u
    }

    /// dW[k, c] += Gᵀ dU[·, k, c] G for a weight gradient in the transformed domain.
    func accumulateWeightGradient(_ du: Tensor, into dWeight: Tensor) {
        let (pairs, alpha) = (outputChannels * inputChannels, tile.alpha)
        let gt = RowTransform(tile.filterMatrix.map(Float.init), rows: alpha, columns: 3).transposed
        withScratch((9 + 3 * alpha) * pairs) { scratch in
            let (taps, half) = (scratch, scratch + 9 * pairs)
            for s in 0..<alpha {  // half[i, s] = Σ_r G[r, i]·dU[r·α + s]
                gt.apply(count: pairs, accumulate: false, input: { UnsafePointer(du.data + ($0 * alpha + s) * pairs) },
                         output: { half + ($0 * alpha + s) * pairs })
            }
            for i in 0..<3 {  // dg[i, j] = Σ_s G[s, j]·half[i, s]
                gt.apply(count: pairs, accumulate: false, input: { UnsafePointer(half + (i * alpha + $0) * pairs) },
                         output: { taps + (i * 3 + $0) * pairs })
            }
            parallelFor(pairs, costPerItem: 9) { range in
                for pair in range {
                    for tap in 0..<9 { dWeight.data[pair * 9 + tap] += taps[tap * pairs + pair] }
                }
            }
        }
    }

    /// taps[tap, pair] = weight[pair, tap] for 3×3 filters.
    private func transposeFilters(_ weight: UnsafePointer<Float>, into taps: UnsafeMutablePointer<Float>, pairs: Int) {
        parallelFor(pairs, costPerItem: 9) { range in
            for pair in range {
                for tap in 0..<9 { taps[tap * pairs + pair] = weight[pair * 9 + tap] }
            }
        }
    }
}

/// Runs `body` with `count` floats of scratch (metered like any tensor, and reused through the
/// buffer cache from one call to the next).
@inline(__always)
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    let scratch = Tensor(uninitializedShape: [count])
    return withExtendedLifetime(scratch) { body(scratch.data) }
}

extension WinogradConvolution {
    /// y [N, K, H, W] = the convolution of the input with the weights U (`transformedWeights`).
    func forward(_ u: Tensor, into y: Tensor) {
        let (k, c) = (outputChannels, inputChannels)
        forEachBlock { _, block in
            let tiles = block.count * tilesPerImage
            withScratch(positions * c * tiles) { v in
                transformInput(block, into: v)
                withScratch(positions * k * tiles) { products in
                    for xi in 0..<positions {
                        sgemm(m: k, n: tiles, k: c, u.data + xi * k * c, lda: c, v + xi * c * tiles, ldb: tiles,
                              products + xi * k * tiles, ldc: tiles)
                    }
                    transformOutput(products, block, into: y)
                }
            }
        }
    }

    /// Adds dL/dW into `dWeight` (if given) and writes dL/dx into `dx` (if given), from dL/dy.
    /// `u` (the transformed weights) is needed only for dx.
    func backward(_ dy: Tensor, weights u: Tensor?, weightGradient dWeight: Tensor?, inputGradient dx: Tensor?) {
        let (k, c) = (outputChannels, inputChannels)
        // One partial dU per group, added in group order: the same sums whatever the threads.
        let partials = dWeight == nil ? [] : (0..<groups).map { _ in Tensor(shape: [positions, k, c]) }
        forEachBlock { group, block in
            let tiles = block.count * tilesPerImage
            withScratch(positions * k * tiles) { z in
                transformOutputGradient(dy, block, into: z)
                withScratch(positions * c * tiles) { v in
                    if dWeight != nil {
                        transformInput(block, into: v)
                        let du = partials[group].data
                        for xi in 0..<positions {
                            sgemm(transposeB: true, m: k, n: c, k: tiles, z + xi * k * tiles, lda: tiles, v + xi * c * tiles, ldb: tiles,
                                  beta: 1, du + xi * k * c, ldc: c)
                        }
                    }
                    if let dx, let u {
                        for xi in 0..<positions {  // dV [C, T] overwrites V, read above
                            sgemm(transposeA: true, m: c, n: tiles, k: k, u.data + xi * k * c, lda: c, z + xi * k * tiles, ldb: tiles,
                                  v + xi * c * tiles, ldc: tiles)
                        }
                        transformInputGradient(v, block, into: dx)
                    }
                }
            }
        }
        guard let dWeight, let total = partials.first else { return }
        for partial in partials.dropFirst() { total.add(partial) }
        accumulateWeightGradient(total, into: dWeight)
    }
}
