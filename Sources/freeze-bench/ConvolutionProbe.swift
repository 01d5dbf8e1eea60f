import ArgumentParser
import NeuralCore

/// `freeze-bench conv-probe`: times the passes of one convolution shape with one algorithm, in a
/// loop long enough to profile (e.g. under `perf record`).
struct ConvolutionProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv-probe", abstract: "Time one convolution shape's passes with one algorithm (for profiling).")

    enum Algorithm: String, ExpressibleByArgument { case im2col, f2, f4, automatic }

    @Option(help: "Batch size.") var batch = 16
    @Option(help: "Input channels.") var channels = 64
    @Option(help: "Square input size.") var size = 20
    @Option(help: "Output channels.") var outputs = 64
    @Option(help: "Kernel size.") var kernel = 3
    @Option(help: "Stride.") var stride = 1
    @Option(help: "im2col, f2, f4 or automatic.") var algorithm = Algorithm.automatic
    @Option(help: "Timed repetitions.") var repeats = 20

    func run() {
        var rng = SeededGenerator(seed: 1)
        let conv = Conv2d(inChannels: channels, outChannels: outputs, kernelSize: kernel, stride: stride, padding: kernel / 2,
                          using: &rng)
        switch algorithm {
        case .im2col: conv.algorithm = .im2col
        case .f2: conv.algorithm = .winograd(.f2)
        case .f4: conv.algorithm = .winograd(.f4)
        case .automatic: conv.algorithm = .automatic
        }
        let x = Tensor.uniform(shape: [batch, channels, size, size], in: -1...1, using: &rng)
        let dy = conv.forward(x, .inference)
        func time(_ label: String, _ body: () -> Void) -> Double {
            body()
            let start = monotonicSeconds()
            for _ in 0..<repeats { body() }
            let seconds = (monotonicSeconds() - start) / Double(repeats)
            print(label, String(format: "%.2f ms", seconds * 1e3))
            return seconds
        }
        let forward = time("forward") { _ = conv.forward(x, .inference) }
        let both = time("forward + backward (dW, dx)") {
            _ = conv.forward(x, .train)
            _ = conv.backward(dy, needsInputGradient: true)
        }
        print(String(format: "backward alone: %.2f ms", (both - forward) * 1e3))
    }
}
