import NeuralCore

extension YOLOv5Model {
    /// Sets how every Conv block's convolution computes (`.automatic`: Winograd for 3×3 stride 1,
    /// space-to-depth for layer 0's 6×6 stride 2, im2col + GEMM otherwise; `.im2col`: im2col +
    /// GEMM everywhere, the arithmetic of PyTorch's CPU convolution). Detect's 1×1 convolutions are
    /// im2col-free GEMMs under every choice.
    public func useConvolutionAlgorithm(_ algorithm: ConvolutionAlgorithm) {
        for block in convBlocks { block.conv.algorithm = algorithm }
    }
}
