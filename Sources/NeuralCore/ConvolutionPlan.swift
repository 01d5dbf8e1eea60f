/// How an im2col convolution cuts a batch into GEMMs: a fixed plan, the same whatever the
/// thread count, so that results are too (threads only execute the parts).
///
/// Images are grouped into chunks of at least `targetColumns` output pixels (small late layers
/// batch up into one wider GEMM; 1×1 stride-1 convolutions stay one image per GEMM, read in
/// place), with at least `parts` chunks when the batch allows. Chunks go
/// round robin into `parts` groups; a group runs its chunks in order on one thread with its own
/// scratch buffers, and weight-gradient partial sums are per group, added in group order. A
/// single image (one chunk) is instead split into `parts` column (or row) ranges of each GEMM.
struct ConvolutionPlan {
    /// Parts every pass is cut into: two, the most cores a run gets here. One thread runs the
    /// same parts one after the other.
    static let parts = 2
    /// Aim for at least this many GEMM columns per chunk.
    static let targetColumns = 4096
    /// Cap on a chunk's column matrix, in floats (64 MB).
    static let columnLimit = 16 << 20

    /// A matrix inside a buffer: first element, row stride, and columns used.
    struct Matrix {
        let pointer: UnsafeMutablePointer<Float>
        let stride: Int
        let width: Int
    }

    let input: Tensor
    let geometry: ConvGeometry
    let outputChannels: Int
    /// C·kh·kw.
    let rows: Int
    /// OH·OW.
    let pixels: Int
    /// 1×1, stride 1, no padding: an image is its own column matrix.
    let isDirect: Bool
    let imagesPerChunk: Int
    let chunks: [Range<Int>]
    /// Groups of chunks (each run by one thread, in order): min(parts, chunks).
    let groups: Int

    init(_ x: Tensor, _ g: ConvGeometry, outputChannels: Int) {
        input = x
        geometry = g
        self.outputChannels = outputChannels
        rows = g.columnRows
        pixels = g.outputPixels
        isDirect = g.kernelHeight == 1 && g.kernelWidth == 1 && g.stride == 1 && g.padding == 0
        let n = x.n
        // A 1×1 stride-1 convolution reads each image in place, one GEMM per image: batching
        // images into one wider GEMM would copy them in and the outputs back out.
        var perChunk = isDirect ? 1 : max(1, (Self.targetColumns + pixels - 1) / pixels)
        perChunk = min(perChunk, (n + Self.parts - 1) / Self.parts)  // a chunk for every part
        while perChunk > 1 && perChunk * pixels * rows > Self.columnLimit { perChunk -= 1 }
        let size = max(1, perChunk)
        imagesPerChunk = size
        chunks = stride(from: 0, to: n, by: size).map { $0..<min($0 + size, n) }
        groups = min(Self.parts, chunks.count)
    }

    /// A single chunk (one image): each GEMM is split into `parts` instead.
    var splitsColumns: Bool { chunks.count == 1 }

    /// Whether the pass is too small for a second thread to pay (a dispatch costs microseconds).
    var isSmall: Bool { outputChannels * rows * pixels * input.n < 1 << 16 }

    var imageSize: Int { input.c * input.h * input.w }

    /// Part `part` of `count` columns or rows (for a split single-image GEMM).
    func range(_ part: Int, of count: Int) -> Range<Int> {
        count * part / Self.parts..<count * (part + 1) / Self.parts
    }

    /// A [C·kh·kw, chunk·OH·OW] buffer, unless images are their own column matrices.
    func makeColumns() -> Tensor? {
        isDirect && imagesPerChunk == 1 ? nil : Tensor(uninitializedShape: [rows, imagesPerChunk * pixels])
    }

    /// A [K, chunk·OH·OW] buffer for chunks of several images.
    func makeGathered() -> Tensor? {
        imagesPerChunk > 1 ? Tensor(uninitializedShape: [outputChannels, imagesPerChunk * pixels]) : nil
    }

    /// The chunk's column matrix: built in `columns` by im2col, or the image itself.
    func columnMatrix(_ chunk: Range<Int>, into columns: Tensor?, parallel: Bool) -> Matrix {
        guard let columns else { return Matrix(pointer: input.data + chunk.lowerBound * imageSize, stride: pixels, width: pixels) }
        let width = chunk.count * pixels
        for (j, image) in chunk.enumerated() {
            im2col(input.data + image * imageSize, geometry, columns.data, column0: j * pixels, ldc: width, parallel: parallel)
        }
        return Matrix(pointer: columns.data, stride: width, width: width)
    }

    /// Where the chunk's GEMM output goes: the output images themselves, or `gathered`.
    func outputMatrix(_ chunk: Range<Int>, _ y: Tensor, gathered: Tensor?) -> Matrix {
        let width = chunk.count * pixels
        if chunk.count == 1 { return Matrix(pointer: y.data + chunk.lowerBound * outputChannels * pixels, stride: pixels, width: pixels) }
        return Matrix(pointer: gathered!.data, stride: width, width: width)
    }

    /// Copies a chunk's [K, n·OH·OW] output into its images of `y` (nothing for one image).
    func scatter(_ gathered: Tensor?, _ chunk: Range<Int>, into y: Tensor, parallel: Bool) {
        guard chunk.count > 1, let gathered else { return }
        let (k, width) = (outputChannels, chunk.count * pixels)
        loop(chunk.count * k, parallel: parallel, costPerItem: pixels) { range in
            for row in range {
                let (j, c) = row.quotientAndRemainder(dividingBy: k)
                (y.data + ((chunk.lowerBound + j) * k + c) * pixels).update(from: gathered.data + c * width + j * pixels, count: pixels)
            }
        }
    }

    /// dL/dy of a chunk as a [K, n·OH·OW] matrix: the image itself, or rows gathered into `gathered`.
    func dyMatrix(_ chunk: Range<Int>, _ dy: Tensor, gathered: Tensor?, parallel: Bool) -> Matrix {
        let k = outputChannels
        if chunk.count == 1 { return Matrix(pointer: dy.data + chunk.lowerBound * k * pixels, stride: pixels, width: pixels) }
        let width = chunk.count * pixels
        let target = gathered!.data
        loop(chunk.count * k, parallel: parallel, costPerItem: pixels) { range in
            for row in range {
                let (j, c) = row.quotientAndRemainder(dividingBy: k)
                (target + c * width + j * pixels).update(from: dy.data + ((chunk.lowerBound + j) * k + c) * pixels, count: pixels)
            }
        }
        return Matrix(pointer: target, stride: width, width: width)
    }

    /// Folds a chunk's column gradient back into its images of `dx` (col2im, image by image).
    func fold(_ dcol: UnsafeMutablePointer<Float>, _ chunk: Range<Int>, into dx: Tensor, parallel: Bool) {
        let width = chunk.count * pixels
        for (j, image) in chunk.enumerated() {
            col2im(dcol, column0: j * pixels, ldc: width, geometry, dx.data + image * imageSize, parallel: parallel)
        }
    }

    /// Runs `body(group, chunk, columns, gathered)` for every chunk: each group's chunks in order
    /// on one thread, with scratch buffers of the group's own.
    func forEachChunk(_ body: (Int, Range<Int>, Tensor?, Tensor?) -> Void) {
        forEachPart(groups, inline: isSmall) { group in
            let (columns, gathered) = (makeColumns(), makeGathered())
            for index in stride(from: group, to: chunks.count, by: groups) { body(group, chunks[index], columns, gathered) }
        }
    }

    /// For 1×1 stride-1 convolutions of single-image chunks: `body(image, columns)` over every
    /// image, or a lone image's columns in `parts` ranges.
    func forEachDirectPart(_ body: (Int, Range<Int>) -> Void) {
        if splitsColumns {
            forEachPart(Self.parts, inline: isSmall) { part in
                let columns = range(part, of: pixels)
                if !columns.isEmpty { body(chunks[0].lowerBound, columns) }
            }
        } else {
            forEachChunk { _, chunk, _, _ in for image in chunk { body(image, 0..<pixels) } }
        }
    }
}
