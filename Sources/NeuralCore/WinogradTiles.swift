/// The 2-D tile transforms of a Winograd convolution, image by image, channel by channel.
///
/// Layout. An image's tiles form tilesHigh rows of W1 = tilesWide + 1 tiles; the last tile of a
/// row is not part of the image (it keeps tile t at columns t·m … of a row W1·m wide, so that
/// rows of tiles sit end to end). Planes (the padded input, dL/dy, …) are stored phase-major:
/// element (row r, column q) at [r mod m][q mod m][r / m][q / m], [m][m][U][W1] with
/// U = tilesHigh + 2. Then every row a tile row reads, and every column a tile reads, is one
/// contiguous run across all tiles at once, and each direction of a 2-D transform is a single
/// call of a 1-D transform (`WinogradRows.swift`) over long rows.
///
/// The spare tile per row reads padding and the start of the next row: its transformed dL/dy is
/// exactly zero, so it adds nothing to dW or dx, and its output is never copied out. It costs
/// 1/tilesWide more GEMM columns.
extension WinogradConvolution {
    /// W1: tiles per row of tiles.
    var tilesPerRow: Int { tilesWide + 1 }
    /// Floats of one phase-major plane block [U][W1] (one row phase, one column phase).
    var phaseBlock: Int { (tilesHigh + 2) * tilesPerRow }
    /// Floats of a line holding all column phases: [m][U][W1].
    var lineLength: Int { tile.m * phaseBlock }
    /// Floats of a plane holding all row and column phases: [m][m][U][W1].
    var planeLength: Int { tile.m * lineLength }

    /// The slots v of column phase `cp` whose image column v·m + cp − columnOffset lies in 0..<W.
    private func phaseColumns(_ cp: Int, columnOffset: Int) -> (first: Int, end: Int) {
        let m = tile.m
        let first = (columnOffset - cp + m - 1) / m  // numerator ≥ 0: columnOffset ≥ 0, cp < m
        let last = width - 1 + columnOffset - cp     // may be negative: then no slot
        return (first, last < 0 ? 0 : last / m + 1)
    }

    /// Copies an H×W plane into phase-major layout, at row offset `rowOffset` and column offset
    /// `columnOffset` (1 for the zero-padded input, 0 for dL/dy); positions not written keep
    /// what they held (zeros, written once per call).
    func scatterPhases(_ plane: UnsafePointer<Float>, rowOffset: Int, columnOffset: Int, into phases: UnsafeMutablePointer<Float>) {
        let m = tile.m
        for iy in 0..<height {
            let r = iy + rowOffset
            let row = phases + r % m * lineLength + r / m * tilesPerRow
            let source = plane + iy * width
            for cp in 0..<m {
                let (first, end) = phaseColumns(cp, columnOffset: columnOffset)
                let destination = row + cp * phaseBlock
                var v = first
                while v < end { destination[v] = source[v * m + cp - columnOffset]; v += 1 }
            }
        }
    }

    /// The adjoint copy: an H×W plane from phase-major layout.
    func gatherPhases(_ phases: UnsafePointer<Float>, rowOffset: Int, columnOffset: Int, into plane: UnsafeMutablePointer<Float>) {
        let m = tile.m
        for iy in 0..<height {
            let r = iy + rowOffset
            let row = phases + r % m * lineLength + r / m * tilesPerRow
            let destination = plane + iy * width
            for cp in 0..<m {
                let (first, end) = phaseColumns(cp, columnOffset: columnOffset)
                let source = row + cp * phaseBlock
                var v = first
                while v < end { destination[v * m + cp - columnOffset] = source[v]; v += 1 }
            }
        }
    }

    /// V [α², C, T] of a block: Bᵀ d B of every input tile (zero padding of 1 around the image).
    func transformInput(_ block: Range<Int>, into v: UnsafeMutablePointer<Float>) {
        let (alpha, m, c, tiles) = (tile.alpha, tile.m, inputChannels, block.count * tilesPerImage)
        let (w1, phase, line) = (tilesPerRow, phaseBlock, lineLength)
        withScratch(planeLength + alpha * line) { scratch in
            let (planes, rows) = (scratch, scratch + planeLength)  // padded input; α lines (ξy)
            scratch.update(repeating: 0, count: planeLength + alpha * line)  // padding, written once
            for channel in 0..<c {
                for (j, image) in block.enumerated() {
                    scatterPhases(input.data + (image * c + channel) * height * width, rowOffset: 1, columnOffset: 1, into: planes)
                    // Down: rows[ξy] = Σ_i Bᵀ[ξy, i]·(padded row ty·m + i), every ty and column at once.
                    tile.transformInput(count: line - w1, input: { UnsafePointer(planes + $0 % m * line + $0 / m * w1) },
                                        output: { rows + $0 * line })
                    // Across: V[ξy·α + ξx] = Σ_j Bᵀ[ξx, j]·(column tx·m + j of rows[ξy]), every tile at once.
                    let t0 = j * tilesPerImage
                    for xi in 0..<alpha {
                        let source = UnsafePointer(rows + xi * line)
                        tile.transformInput(count: tilesPerImage, input: { source + $0 % m * phase + $0 / m },
                                            output: { v + ((xi * alpha + $0) * c + channel) * tiles + t0 })
                    }
                }
            }
        }
    }

    /// y of a block from M [α², K, T]: Aᵀ M A of every tile, cropped to the output.
    func transformOutput(_ products: UnsafePointer<Float>, _ block: Range<Int>, into y: Tensor) {
        let (alpha, k, tiles) = (tile.alpha, outputChannels, block.count * tilesPerImage)
        let (phase, line) = (phaseBlock, lineLength)
        withScratch(planeLength + alpha * line) { scratch in
            let (planes, rows) = (scratch, scratch + planeLength)  // output phases; α lines (ξy)
            scratch.update(repeating: 0, count: planeLength + alpha * line)
            for channel in 0..<k {
                for (j, image) in block.enumerated() {
                    let t0 = j * tilesPerImage
                    for xi in 0..<alpha {  // across: rows[ξy] column phase j = Σ_ξx Aᵀ[j, ξx]·M[ξy·α + ξx]
                        tile.transformOutput(count: tilesPerImage,
                                             input: { products + ((xi * alpha + $0) * k + channel) * tiles + t0 },
                                             output: { rows + xi * line + $0 * phase })
                    }
                    tile.transformOutput(count: line, input: { UnsafePointer(rows + $0 * line) }, output: { planes + $0 * line })
                    gatherPhases(planes, rowOffset: 0, columnOffset: 0, into: y.data + (image * k + channel) * height * width)
                }
            }
        }
    }

    /// Z [α², K, T] of a block: A dY Aᵀ of every output tile (zero beyond the output).
    func transformOutputGradient(_ dy: Tensor, _ block: Range<Int>, into z: UnsafeMutablePointer<Float>) {
        let (alpha, k, tiles) = (tile.alpha, outputChannels, block.count * tilesPerImage)
        let (phase, line) = (phaseBlock, lineLength)
        withScratch(planeLength + alpha * line) { scratch in
            let (planes, rows) = (scratch, scratch + planeLength)  // dL/dy phases; α lines (ξy)
            scratch.update(repeating: 0, count: planeLength + alpha * line)
            for channel in 0..<k {
                for (j, image) in block.enumerated() {
                    scatterPhases(dy.data + (image * k + channel) * height * width, rowOffset: 0, columnOffset: 0, into: planes)
                    tile.transformOutputGradient(count: line, input: { UnsafePointer(planes + $0 * line) }, output: { rows + $0 * line })
                    let t0 = j * tilesPerImage
                    for xi in 0..<alpha {
                        let source = UnsafePointer(rows + xi * line)
                        tile.transformOutputGradient(count: tilesPerImage, input: { source + $0 * phase },
                                                     output: { z + ((xi * alpha + $0) * k + channel) * tiles + t0 })
                    }
                }
            }
        }
    }

    /// dx of a block's images from dV [α², C, T]: B dV Bᵀ of every tile, overlaps added.
    func transformInputGradient(_ dv: UnsafePointer<Float>, _ block: Range<Int>, into dx: Tensor) {
        let (alpha, m, c, tiles) = (tile.alpha, tile.m, inputChannels, block.count * tilesPerImage)
        let (w1, phase, line) = (tilesPerRow, phaseBlock, lineLength)
        withScratch(planeLength + alpha * line) { scratch in
            let (planes, rows) = (scratch, scratch + planeLength)  // padded dL/dx; α lines (ξy)
            for channel in 0..<c {
                for (j, image) in block.enumerated() {
                    scratch.update(repeating: 0, count: planeLength + alpha * line)
                    let t0 = j * tilesPerImage
                    for xi in 0..<alpha {  // across, adjoint: column tx·m + j of rows[ξy] += Σ_ξx Bᵀ[ξx, j]·dV[ξy·α + ξx]
                        let target = rows + xi * line
                        tile.accumulateInputGradient(count: tilesPerImage,
                                                     input: { dv + ((xi * alpha + $0) * c + channel) * tiles + t0 },
                                                     output: { target + $0 % m * phase + $0 / m })
                    }
                    // Down, adjoint: padded row ty·m + i += Σ_ξy Bᵀ[ξy, i]·rows[ξy].
                    tile.accumulateInputGradient(count: line - w1, input: { UnsafePointer(rows + $0 * line) },
                                                 output: { planes + $0 % m * line + $0 / m * w1 })
                    gatherPhases(planes, rowOffset: 1, columnOffset: 1, into: dx.data + (image * c + channel) * height * width)
                }
            }
        }
    }
}
