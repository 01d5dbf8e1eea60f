/// 2-D convolution, like `torch.nn.Conv2d` with groups 1 and dilation 1, as im2col + GEMM.
///
/// Weight [K, C, kh, kw], optional bias [K]; input [N, C, H, W] → output [N, K, OH, OW].
/// The batch is cut into chunks of images whose column matrices sit side by side, so one
/// `cblas_sgemm` covers a chunk; chunks run on all cores at once, one GEMM per core, in a fixed
/// plan that does not depend on the thread count (`ConvolutionPlan`). A 1×1 stride-1 convolution
/// reads each image in place (and a concatenation part by part: `forward(concatenating:)`); a
/// 3×3 stride-1 one runs by Winograd; a stride-2 one with an even kernel as space-to-depth.
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
    /// The parts of a concatenated input (`forward(concatenating:)`), kept only when a backward will run.
    var recordedParts: [Tensor]?

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

    /// A convolution without bias holding `weight` [K, C, k, k] (kernels' internal helpers).
    init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int, weight: Tensor) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        kernelHeight = kernelSize
        kernelWidth = kernelSize
        self.stride = stride
        self.padding = padding
        self.weight = Parameter(weight)
        bias = nil
    }

    /// Records `x` for a backward without computing the output (the caller has it already).
    func forwardRecordingOnly(_ x: Tensor) { input = x }

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
        let y: Tensor
        if let tile = winogradTile(for: x) {
            y = winogradForward(x, tile: tile)
        } else if spaceToDepthApplies(to: x) {
            y = spaceToDepthForward(x)  // the stride-1 convolution inside reports to the profile
        } else {
            y = im2colForward(x)
        }
        if let bias { addChannelBias(bias.value.data, to: y) }
        if !spaceToDepthApplies(to: x) { profile?.record(sample(.forward, x.shape, seconds: monotonicSeconds() - started)) }
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
        let profile = KernelProfile.current, started = profile == nil ? 0 : monotonicSeconds()
        if let tile = winogradTile(for: x) {
            let dx = winogradBackward(x, dy, tile: tile, weightGradient: dWeight, needsInputGradient: needsInputGradient)
            // Both passes share the transformed dL/dy: the time goes to the input gradient when there is one.
            profile?.record(sample(dx == nil ? .weightGradient : .inputGradient, x.shape, seconds: monotonicSeconds() - started))
            return dx
        }
        if spaceToDepthApplies(to: x) {  // the stride-1 convolution inside reports to the profile
            return spaceToDepthBackward(x, dy, weightGradient: dWeight, needsInputGradient: needsInputGradient)
        }
        return im2colBackward(x, dy, weightGradient: dWeight, needsInputGradient: needsInputGradient)
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

    func sample(_ pass: KernelProfile.Pass, _ inputShape: [Int], seconds: Double) -> KernelProfile.Sample {
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
