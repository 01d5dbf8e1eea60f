/// 2-D convolution, like `torch.nn.Conv2d` with groups 1 and dilation 1, as im2col + GEMM.
///
/// Weight [K, C, kh, kw], optional bias [K]; input [N, C, H, W] → output [N, K, OH, OW].
/// Images are processed in chunks whose column matrices sit side by side, so one
/// `cblas_sgemm` covers a whole chunk; a 1×1 stride-1 convolution of a large image skips
/// im2col and multiplies the image directly.
public final class Conv2d: Layer {
    public let inChannels: Int, outChannels: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let stride: Int, padding: Int
    /// [K, C, kh, kw].
    public let weight: Parameter
    /// [K], or nil for a convolution without bias (YOLOv5's Conv blocks).
    public let bias: Parameter?
    private var input: Tensor?  // x, kept only when a backward will run

    /// A convolution with PyTorch's default initialisation: weight and bias drawn from
    /// U(±1/√fan_in), fan_in = C·kh·kw (`kaiming_uniform_(a=√5)`, `Conv2d.reset_parameters`).
    public init<R: RandomNumberGenerator>(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = false, using rng: inout R
    ) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "Conv2d: invalid sizes c1=\(inChannels) c2=\(outChannels) k=\(kernelSize) s=\(stride) p=\(padding)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        kernelHeight = kernelSize
        kernelWidth = kernelSize
        self.stride = stride
        self.padding = padding
        let fanIn = inChannels * kernelSize * kernelSize
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Parameter(.uniform(shape: [outChannels, inChannels, kernelSize, kernelSize],
                                    bound: bound, using: &rng))
        self.bias = bias ? Parameter(.uniform(shape: [outChannels], bound: bound, using: &rng)) : nil
    }

    public var ownParameters: [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// The window geometry for an input of this height and width.
    public func geometry(height: Int, width: Int) -> ConvGeometry {
        ConvGeometry(channels: inChannels, height: height, width: width,
                     kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                     stride: stride, padding: padding)
    }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        x.requireNCHW("Conv2d.forward")
        precondition(x.c == inChannels, "Conv2d.forward: input \(x.shape) for weight \(weight.value.shape)")
        input = mode.recordsForBackward ? x : nil
        let profile = KernelProfile.current, started = profile == nil ? 0 : monotonicSeconds()
        let g = geometry(height: x.h, width: x.w)
        let (k, rows, pixels) = (outChannels, g.columnRows, g.outputPixels)
        let y = Tensor(uninitializedShape: [x.n, k, g.outputHeight, g.outputWidth])
        let plan = ChunkPlan(images: x.n, geometry: g)
        let columns = plan.columns(rows: rows, pixels: pixels)
        let gathered = plan.imagesPerChunk > 1 ? Tensor(uninitializedShape: [k, plan.imagesPerChunk * pixels]) : nil
        for chunk in plan.chunks {
            let width = chunk.count * pixels
            let b = plan.columnMatrix(x, chunk, g, into: columns)
            if let gathered {
                // Y' [K, n·OH·OW] = W [K, C·kh·kw] · col [C·kh·kw, n·OH·OW], then rows to NCHW.
                sgemm(m: k, n: width, k: rows, weight.value.data, lda: rows, b, ldb: width,
                      gathered.data, ldc: width)
                scatterRows(gathered.data, width: width, into: y.data, firstImage: chunk.lowerBound,
                            images: chunk.count, channels: k, pixels: pixels)
            } else {
                sgemm(m: k, n: pixels, k: rows, weight.value.data, lda: rows, b, ldb: pixels,
                      y.data + chunk.lowerBound * k * pixels, ldc: pixels)
            }
        }
        if let bias { addChannelBias(bias.value.data, to: y) }
        profile?.record(sample(.forward, x.shape, seconds: monotonicSeconds() - started))
        return y
    }

    private func sample(_ pass: KernelProfile.Pass, _ inputShape: [Int], seconds: Double) -> KernelProfile.Sample {
        KernelProfile.Sample(pass: pass, inputShape: inputShape, outputChannels: outChannels, kernel: kernelHeight,
                             stride: stride, padding: padding, seconds: seconds)
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let x = input else { preconditionFailure("Conv2d.backward without a recorded forward") }
        defer { input = nil }
        let g = geometry(height: x.h, width: x.w)
        precondition(dy.shape == [x.n, outChannels, g.outputHeight, g.outputWidth],
                     "Conv2d.backward: dy \(dy.shape) for input \(x.shape) and weight \(weight.value.shape)")
        if let bias, bias.isTrainable { accumulateChannelSums(of: dy, into: bias.gradientForAccumulation().data) }
        let dWeight = weight.isTrainable ? weight.gradientForAccumulation() : nil
        guard dWeight != nil || needsInputGradient else { return nil }

        let (k, rows, pixels) = (outChannels, g.columnRows, g.outputPixels)
        let profile = KernelProfile.current
        var weightSeconds = 0.0, inputSeconds = 0.0
        let dx = needsInputGradient ? Tensor(uninitializedShape: x.shape) : nil
        let plan = ChunkPlan(images: x.n, geometry: g)
        let columns = plan.columns(rows: rows, pixels: pixels)
        let gathered = plan.imagesPerChunk > 1 ? Tensor(uninitializedShape: [k, plan.imagesPerChunk * pixels]) : nil
        for chunk in plan.chunks {
            let width = chunk.count * pixels
            var dyMatrix = UnsafePointer(dy.data + chunk.lowerBound * k * pixels)
            if let gathered {
                gatherRows(dy.data, firstImage: chunk.lowerBound, images: chunk.count, channels: k,
                           pixels: pixels, into: gathered.data, width: width)
                dyMatrix = UnsafePointer(gathered.data)
            }
            if let dWeight {
                let started = profile == nil ? 0 : monotonicSeconds()
                // dW [K, C·kh·kw] += dY' [K, n·OH·OW] · colᵀ
                let b = plan.columnMatrix(x, chunk, g, into: columns)
                sgemm(transposeB: true, m: k, n: rows, k: width, dyMatrix, lda: width, b, ldb: width,
                      beta: 1, dWeight.data, ldc: rows)
                if profile != nil { weightSeconds += monotonicSeconds() - started }
            }
            guard let dx else { continue }
            let started = profile == nil ? 0 : monotonicSeconds()
            defer { if profile != nil { inputSeconds += monotonicSeconds() - started } }
            if plan.isDirect && chunk.count == 1 {
                // dx [C, H·W] = Wᵀ [C, K] · dY [K, H·W]
                sgemm(transposeA: true, m: rows, n: pixels, k: k, weight.value.data, lda: rows,
                      dyMatrix, ldb: pixels, dx.data + chunk.lowerBound * x.c * x.h * x.w, ldc: pixels)
                continue
            }
            // dcol [C·kh·kw, n·OH·OW] = Wᵀ · dY', folded back image by image.
            let dcol = columns!.data
            sgemm(transposeA: true, m: rows, n: width, k: k, weight.value.data, lda: rows,
                  dyMatrix, ldb: width, dcol, ldc: width)
            let imageSize = x.c * x.h * x.w
            for j in 0..<chunk.count {
                col2im(dcol, column0: j * pixels, ldc: width, g, dx.data + (chunk.lowerBound + j) * imageSize)
            }
        }
        if let profile {
            if dWeight != nil { profile.record(sample(.weightGradient, x.shape, seconds: weightSeconds)) }
            if needsInputGradient { profile.record(sample(.inputGradient, x.shape, seconds: inputSeconds)) }
        }
        return dx
    }
}

/// How a convolution splits a batch into GEMM-sized chunks of images.
struct ChunkPlan {
    /// Aim for at least this many GEMM columns per chunk (small late layers batch up).
    static let targetColumns = 4096
    /// Cap on a chunk's column matrix, in floats (64 MB).
    static let columnLimit = 16 << 20

    let images: Int
    let imagesPerChunk: Int
    /// 1×1, stride 1, no padding: the image itself is the column matrix.
    let isDirect: Bool

    init(images: Int, geometry g: ConvGeometry) {
        self.images = images
        isDirect = g.kernelHeight == 1 && g.kernelWidth == 1 && g.stride == 1 && g.padding == 0
        let pixels = g.outputPixels
        var perChunk = min(images, max(1, (Self.targetColumns + pixels - 1) / pixels))
        while perChunk > 1 && perChunk * pixels * g.columnRows > Self.columnLimit { perChunk -= 1 }
        imagesPerChunk = perChunk
    }

    /// Whether a column matrix must be built (everything but a direct 1×1 on single images).
    var needsColumns: Bool { !(isDirect && imagesPerChunk == 1) }

    var chunks: [Range<Int>] {
        stride(from: 0, to: images, by: imagesPerChunk).map { $0..<min($0 + imagesPerChunk, images) }
    }

    func columns(rows: Int, pixels: Int) -> Tensor? {
        needsColumns ? Tensor(uninitializedShape: [rows, imagesPerChunk * pixels]) : nil
    }

    /// The [C·kh·kw, n·OH·OW] column matrix of a chunk: built in `buffer`, or the image itself.
    func columnMatrix(_ x: Tensor, _ chunk: Range<Int>, _ g: ConvGeometry,
                      into buffer: Tensor?) -> UnsafePointer<Float> {
        let imageSize = x.c * x.h * x.w
        guard needsColumns, let buffer else { return UnsafePointer(x.data + chunk.lowerBound * imageSize) }
        let width = chunk.count * g.outputPixels
        for j in 0..<chunk.count {
            im2col(x.data + (chunk.lowerBound + j) * imageSize, g, buffer.data,
                   column0: j * g.outputPixels, ldc: width)
        }
        return UnsafePointer(buffer.data)
    }
}

/// Copies a [K, n·P] matrix into images `firstImage ..< firstImage+n` of an [N, K, P] tensor.
func scatterRows(_ matrix: UnsafePointer<Float>, width: Int, into y: UnsafeMutablePointer<Float>,
                 firstImage: Int, images: Int, channels: Int, pixels: Int) {
    parallelFor(images * channels, costPerItem: pixels) { range in
        for row in range {
            let (j, k) = row.quotientAndRemainder(dividingBy: channels)
            (y + ((firstImage + j) * channels + k) * pixels).update(from: matrix + k * width + j * pixels, count: pixels)
        }
    }
}

/// Copies images `firstImage ..< firstImage+n` of an [N, K, P] tensor into a [K, n·P] matrix.
func gatherRows(_ y: UnsafePointer<Float>, firstImage: Int, images: Int, channels: Int, pixels: Int,
                into matrix: UnsafeMutablePointer<Float>, width: Int) {
    parallelFor(images * channels, costPerItem: pixels) { range in
        for row in range {
            let (j, k) = row.quotientAndRemainder(dividingBy: channels)
            (matrix + k * width + j * pixels).update(from: y + ((firstImage + j) * channels + k) * pixels, count: pixels)
        }
    }
}
