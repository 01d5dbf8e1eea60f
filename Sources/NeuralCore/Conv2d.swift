/// 2-D convolution, like `torch.nn.Conv2d` with groups 1 and dilation 1, as im2col + GEMM.
///
/// Weight [K, C, kh, kw], optional bias [K]; input [N, C, H, W] → output [N, K, OH, OW].
/// The batch is cut into chunks of images whose column matrices sit side by side, so one
/// `cblas_sgemm` covers a chunk; chunks run on all cores at once, one GEMM per core, in a fixed
/// plan that does not depend on the thread count (`ConvolutionPlan`). A 1×1 stride-1 convolution of a single image skips im2col.
public final class Conv2d: Layer {
    public let inChannels: Int, outChannels: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let stride: Int, padding: Int
    /// [K, C, kh, kw].
    public let weight: Parameter
    /// [K], or nil for a convolution without bias (YOLOv5's Conv blocks).
    public let bias: Parameter?
    /// How the passes are computed; `.automatic` unless a test or benchmark picks one.
    public var algorithm: ConvolutionAlgorithm = .automatic
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

    /// A convolution of the same sizes as `other`, without bias, weights zero (to be written).
    init(sameGeometryAs other: Conv2d) {
        inChannels = other.inChannels
        outChannels = other.outChannels
        kernelHeight = other.kernelHeight
        kernelWidth = other.kernelWidth
        stride = other.stride
        padding = other.padding
        weight = Parameter(Tensor(shape: other.weight.value.shape))
        bias = nil
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
        if let tile = winogradTile(for: x) {
            let winograd = WinogradConvolution(x, outputChannels: outChannels, tile: tile)
            let y = Tensor(uninitializedShape: [x.n, outChannels, x.h, x.w])
            winograd.forward(winograd.transformedWeights(weight.value), into: y)
            if let bias { addChannelBias(bias.value.data, to: y) }
            profile?.record(sample(.forward, x.shape, seconds: monotonicSeconds() - started))
            return y
        }
        let plan = ConvolutionPlan(x, geometry(height: x.h, width: x.w), outputChannels: outChannels)
        let y = Tensor(uninitializedShape: [x.n, outChannels, plan.geometry.outputHeight, plan.geometry.outputWidth])
        let (w, k, rows) = (UnsafePointer(weight.value.data), outChannels, plan.rows)
        // Y' [K, n·OH·OW] = W [K, C·kh·kw] · col [C·kh·kw, n·OH·OW] per chunk, then rows to NCHW.
        if plan.splitsColumns {
            let chunk = plan.chunks[0]
            let columns = plan.makeColumns()
            withExtendedLifetime(columns) {  // the matrices below point into it
                let b = plan.columnMatrix(chunk, into: columns, parallel: true)
                let c = plan.outputMatrix(chunk, y, gathered: nil)
                forEachPart(ConvolutionPlan.parts, inline: plan.isSmall) { index in
                    let part = plan.range(index, of: b.width)
                    guard !part.isEmpty else { return }
                    sgemm(m: k, n: part.count, k: rows, w, lda: rows, b.pointer + part.lowerBound, ldb: b.stride,
                          c.pointer + part.lowerBound, ldc: c.stride)
                }
            }
        } else {
            plan.forEachChunk { _, chunk, columns, gathered in
                let b = plan.columnMatrix(chunk, into: columns, parallel: false)
                let c = plan.outputMatrix(chunk, y, gathered: gathered)
                sgemm(m: k, n: b.width, k: rows, w, lda: rows, b.pointer, ldb: b.stride, c.pointer, ldc: c.stride)
                plan.scatter(gathered, chunk, into: y, parallel: false)
            }
        }
        if let bias { addChannelBias(bias.value.data, to: y) }
        profile?.record(sample(.forward, x.shape, seconds: monotonicSeconds() - started))
        return y
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
        let profile = KernelProfile.current
        if let tile = winogradTile(for: x) {
            let started = profile == nil ? 0 : monotonicSeconds()
            let winograd = WinogradConvolution(x, outputChannels: outChannels, tile: tile)
            let dx = needsInputGradient ? Tensor(uninitializedShape: x.shape) : nil
            winograd.backward(dy, weights: dx == nil ? nil : winograd.transformedWeights(weight.value),
                              weightGradient: dWeight, inputGradient: dx)
            // Both passes share the transformed dL/dy; the profile books the time to the input
            // gradient when there is one.
            profile?.record(sample(dx == nil ? .weightGradient : .inputGradient, x.shape, seconds: monotonicSeconds() - started))
            return dx
        }
        let plan = ConvolutionPlan(x, g, outputChannels: outChannels)
        if let dWeight {
            let started = profile == nil ? 0 : monotonicSeconds()
            accumulateWeightGradient(plan, dy, into: dWeight)
            profile?.record(sample(.weightGradient, x.shape, seconds: monotonicSeconds() - started))
        }
        guard needsInputGradient else { return nil }
        let started = profile == nil ? 0 : monotonicSeconds()
        let dx = inputGradient(plan, dy)
        profile?.record(sample(.inputGradient, x.shape, seconds: monotonicSeconds() - started))
        return dx
    }

    /// dW [K, C·kh·kw] += dY' [K, n·OH·OW] · colᵀ over all chunks. With several chunks each
    /// group sums its chunks into its own buffer; a single chunk is split by rows of dW.
    private func accumulateWeightGradient(_ plan: ConvolutionPlan, _ dy: Tensor, into dWeight: Tensor) {
        let (k, rows) = (outChannels, plan.rows)
        if plan.splitsColumns {
            let chunk = plan.chunks[0]
            let (columns, gathered) = (plan.makeColumns(), plan.makeGathered())
            withExtendedLifetime((columns, gathered)) {  // the matrices below point into them
                let b = plan.columnMatrix(chunk, into: columns, parallel: true)
                let d = plan.dyMatrix(chunk, dy, gathered: gathered, parallel: true)
                forEachPart(ConvolutionPlan.parts, inline: plan.isSmall) { index in
                    let part = plan.range(index, of: k)
                    guard !part.isEmpty else { return }
                    sgemm(transposeB: true, m: part.count, n: rows, k: b.width, d.pointer + part.lowerBound * d.stride, lda: d.stride,
                          b.pointer, ldb: b.stride, beta: 1, dWeight.data + part.lowerBound * rows, ldc: rows)
                }
            }
            return
        }
        // One partial sum per group, added in group order: the same sums whatever the threads.
        let partials = (0..<plan.groups).map { _ in Tensor(shape: dWeight.shape) }
        plan.forEachChunk { group, chunk, columns, gathered in
            let b = plan.columnMatrix(chunk, into: columns, parallel: false)
            let d = plan.dyMatrix(chunk, dy, gathered: gathered, parallel: false)
            sgemm(transposeB: true, m: k, n: rows, k: b.width, d.pointer, lda: d.stride, b.pointer, ldb: b.stride,
                  beta: 1, partials[group].data, ldc: rows)
        }
        partials.forEach { dWeight.add($0) }
    }

    /// dx = col2im(Wᵀ · dY') chunk by chunk (or, for one chunk, split by columns).
    private func inputGradient(_ plan: ConvolutionPlan, _ dy: Tensor) -> Tensor {
        let x = plan.input
        let dx = Tensor(uninitializedShape: x.shape)
        let (k, rows) = (outChannels, plan.rows)
        let w = UnsafePointer(weight.value.data)
        let imageSize = x.c * x.h * x.w
        if plan.isDirect && plan.imagesPerChunk == 1 {
            // 1×1 stride 1: dx [C, H·W] = Wᵀ [C, K] · dY [K, H·W] per image, images (or columns) per worker.
            plan.forEachDirectPart { image, part in
                sgemm(transposeA: true, m: rows, n: part.count, k: k, w, lda: rows, dy.data + image * k * plan.pixels + part.lowerBound,
                      ldb: plan.pixels, dx.data + image * imageSize + part.lowerBound, ldc: plan.pixels)
            }
            return dx
        }
        if plan.splitsColumns {
            let chunk = plan.chunks[0]
            let (dcol, gathered) = (plan.makeColumns()!, plan.makeGathered())
            withExtendedLifetime((dcol, gathered)) {  // the matrices below point into them
                let d = plan.dyMatrix(chunk, dy, gathered: gathered, parallel: true)
                forEachPart(ConvolutionPlan.parts, inline: plan.isSmall) { index in
                    let part = plan.range(index, of: d.width)
                    guard !part.isEmpty else { return }
                    sgemm(transposeA: true, m: rows, n: part.count, k: k, w, lda: rows, d.pointer + part.lowerBound, ldb: d.stride,
                          dcol.data + part.lowerBound, ldc: d.width)
                }
                plan.fold(dcol.data, chunk, into: dx, parallel: true)
            }
            return dx
        }
        plan.forEachChunk { _, chunk, columns, gathered in
            let d = plan.dyMatrix(chunk, dy, gathered: gathered, parallel: false)
            let dcol = columns!.data
            sgemm(transposeA: true, m: rows, n: d.width, k: k, w, lda: rows, d.pointer, ldb: d.stride, dcol, ldc: d.width)
            plan.fold(dcol, chunk, into: dx, parallel: false)
        }
        return dx
    }

    /// The Winograd tile for an input of this shape, or nil for im2col + GEMM.
    func winogradTile(for x: Tensor) -> WinogradTile? {
        let fits = kernelHeight == 3 && kernelWidth == 3 && stride == 1 && padding == 1
        switch algorithm {
        case .im2col: return nil
        case .winograd(let tile):
            precondition(fits, "Conv2d: Winograd needs a 3×3 kernel, stride 1 and padding 1 (k\(kernelHeight) s\(stride) p\(padding))")
            return tile
        case .automatic: return fits ? WinogradConvolution.preferredTile(inputChannels: inChannels, outputChannels: outChannels,
                                                                           height: x.h, width: x.w) : nil
        }
    }

    private func sample(_ pass: KernelProfile.Pass, _ inputShape: [Int], seconds: Double) -> KernelProfile.Sample {
        KernelProfile.Sample(pass: pass, inputShape: inputShape, outputChannels: outChannels, kernel: kernelHeight,
                             stride: stride, padding: padding, seconds: seconds)
    }
}

/// How a convolution computes its passes.
public enum ConvolutionAlgorithm: Equatable, Sendable {
    /// Winograd for the 3×3 stride-1 convolutions where it pays, im2col + GEMM for the rest.
    case automatic
    /// im2col + `cblas_sgemm` (a direct GEMM for 1×1 stride 1).
    case im2col
    /// Winograd F(m×m, 3×3); 3×3 kernels, stride 1, padding 1 only.
    case winograd(WinogradTile)
}
