import ArgumentParser
import NeuralCore

struct ElementwiseProbe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "elementwise-probe")
    func run() {
        var rng = SeededGenerator(seed: 1)
        let x = Tensor.uniform(shape: [16, 16, 160, 160], in: -3...3, using: &rng)
        let dy = Tensor.uniform(shape: [16, 16, 160, 160], in: -1...1, using: &rng)
        func time(_ label: String, _ body: () -> Void) {
            body()
            let s = monotonicSeconds()
            for _ in 0..<5 { body() }
            print(label, String(format: "%.1f ms", (monotonicSeconds() - s) / 5 * 1000))
        }
        let silu = SiLU(), bn = BatchNorm2d(channels: 16)
        time("silu fwd") { _ = silu.forward(x, .inference) }
        time("silu fwd+bwd") { _ = silu.forward(x, .train); _ = silu.backward(dy, needsInputGradient: true) }
        time("bn fwd train") { _ = bn.forward(x, ForwardMode(training: true, recordsForBackward: false)) }
        time("bn fwd+bwd") { _ = bn.forward(x, .train); _ = bn.backward(dy, needsInputGradient: true) }
        time("copy") { _ = x.copy() }
        time("alloc") { _ = Tensor(uninitializedShape: x.shape) }
    }
}
