import ArgumentParser
import Foundation
import NeuralCore
import YOLOv5

/// `freeze-bench kernels`: GFLOP/s of every distinct convolution of a model (forward, weight
/// gradient, input gradient) beside `cblas_sgemm` on a 1024³ product.
struct KernelsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "GFLOP/s of every distinct convolution of a model against cblas_sgemm 1024³.")

    @Option(help: "Model YAML.") var model = "Experiments/models/yolov5n.yaml"
    @Option(help: "Square input size.") var imageSize = 320
    @Option(help: "Batch size.") var batch = 16
    @Option(help: "Timed repetitions per pass (the median is reported).") var repeats = 3
    @Flag(help: "Run the table twice in child processes: OpenBLAS's own choice of kernel, then OPENBLAS_CORETYPE=Haswell.")
    var bothCores = false
    @Flag(inversion: .prefixedNo, help: "For 3×3 stride-1 shapes, also time im2col, F(2,3) and F(4,3).")
    var compareAlgorithms = true

    func run() throws {
        if bothCores {
            for core in [nil, "Haswell"] {
                try runChild(arguments: ["kernels", "--model", model, "--image-size", "\(imageSize)",
                                         "--batch", "\(batch)", "--repeats", "\(repeats)"]
                                        + (compareAlgorithms ? [] : ["--no-compare-algorithms"]),
                             environment: core.map { ["OPENBLAS_CORETYPE": $0] } ?? [:])
            }
            return
        }
        let sgemmRate = measureSGEMM(size: 1024)
        print("OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")"
              + "  OpenBLAS core: \(BLAS.coreName)  threads: \(computeCores)")
        print(String(format: "cblas_sgemm 1024^3, %d threads: %.1f GFLOP/s", computeCores, sgemmRate))
        let shapes = try distinctConvolutions()
        print("\nDistinct convolutions of \(URL(fileURLWithPath: model).lastPathComponent) at \(imageSize)x\(imageSize), batch \(batch):")
        print("  count  input (C×H×W)    K    k s p    MFLOP   fwd GF/s  wgrad GF/s  igrad GF/s  algorithm")
        var totals = [KernelProfile.Pass: (flops: Double, seconds: Double)]()
        for shape in shapes {
            let rates = time(shape, .automatic)
            for (pass, seconds) in rates {
                let weighted = Double(shape.count)
                totals[pass, default: (0, 0)].flops += shape.flops * weighted
                totals[pass, default: (0, 0)].seconds += seconds * weighted
            }
            func rate(_ pass: KernelProfile.Pass) -> String {
                String(format: "%10.1f", shape.flops / rates[pass]! / 1e9)
            }
            let s = shape.inputShape
            print(String(format: "  %5d  %4d×%3d×%3d  %4d  %d %d %d  %7.0f", shape.count, s[1], s[2], s[3],
                         shape.outputChannels, shape.kernel, shape.stride, shape.padding, shape.flops / 1e6)
                  + " " + rate(.forward) + "  " + rate(.weightGradient) + "  " + rate(.inputGradient) + "  automatic")
            guard compareAlgorithms, shape.kernel == 3 && shape.stride == 1 && shape.padding == 1 else { continue }
            for (name, algorithm) in [("im2col", ConvolutionAlgorithm.im2col), ("F(2,3)", .winograd(.f2)), ("F(4,3)", .winograd(.f4))] {
                let other = time(shape, algorithm)
                func rate(_ pass: KernelProfile.Pass) -> String { String(format: "%10.1f", shape.flops / other[pass]! / 1e9) }
                print(String(repeating: " ", count: 41) + rate(.forward) + "  " + rate(.weightGradient) + "  "
                      + rate(.inputGradient) + "  " + name)
            }
        }
        print("\nFLOP-weighted over the model's convolutions (each shape times its count):")
        for pass in KernelProfile.Pass.allCases {
            let t = totals[pass]!
            let gflops = t.flops / t.seconds / 1e9
            let name = pass.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
            print("  " + name + String(format: " %7.1f GFLOP/s  %5.1f %% of sgemm  (%.1f ms per batch)",
                                       gflops, 100 * gflops / sgemmRate, t.seconds * 1e3))
        }
    }

    struct Shape: Hashable {
        let inputShape: [Int], outputChannels: Int, kernel: Int, stride: Int, padding: Int
        var count = 0
        var flops: Double {
            KernelProfile.Sample(pass: .forward, inputShape: inputShape, outputChannels: outputChannels, kernel: kernel,
                                 stride: stride, padding: padding, seconds: 0).flops
        }
        static func == (a: Shape, b: Shape) -> Bool {
            a.inputShape == b.inputShape && a.outputChannels == b.outputChannels && a.kernel == b.kernel
                && a.stride == b.stride && a.padding == b.padding
        }
        func hash(into h: inout Hasher) { h.combine(inputShape); h.combine(outputChannels); h.combine(kernel); h.combine(stride); h.combine(padding) }
    }

    /// The model's convolutions, found by profiling one forward pass, with their counts.
    func distinctConvolutions() throws -> [Shape] {
        let net = try YOLOv5Model(spec: ModelSpec(contentsOf: URL(fileURLWithPath: model)), classCount: 20)
        let profile = KernelProfile()
        KernelProfile.install(profile)
        _ = net.forward(Tensor(shape: [batch, 3, imageSize, imageSize], repeating: 0.5), training: true, recordsForBackward: false)
        KernelProfile.install(nil)
        var shapes: [Shape] = []
        for s in profile.recorded where s.pass == .forward {
            let shape = Shape(inputShape: s.inputShape, outputChannels: s.outputChannels, kernel: s.kernel, stride: s.stride, padding: s.padding)
            if let i = shapes.firstIndex(of: shape) { shapes[i].count += 1 } else { var first = shape; first.count = 1; shapes.append(first) }
        }
        return shapes
    }

    /// Median seconds of each pass for one convolution shape.
    func time(_ shape: Shape, _ algorithm: ConvolutionAlgorithm) -> [KernelProfile.Pass: Double] {
        var rng = SeededGenerator(seed: 1)
        let conv = Conv2d(inChannels: shape.inputShape[1], outChannels: shape.outputChannels, kernelSize: shape.kernel,
                          stride: shape.stride, padding: shape.padding, bias: false, using: &rng)
        conv.algorithm = algorithm
        let x = Tensor.uniform(shape: shape.inputShape, in: -1...1, using: &rng)
        let dy = conv.forward(x, .inference)
        func median(_ body: () -> Void) -> Double {
            body()  // warm-up
            let times = (0..<repeats).map { _ -> Double in
                let start = monotonicSeconds()
                body()
                return monotonicSeconds() - start
            }
            return times.sorted()[times.count / 2]
        }
        let forward = median { _ = conv.forward(x, .inference) }
        let weight = median {
            _ = conv.forward(x, ForwardMode(training: true, recordsForBackward: true))
            _ = conv.backward(dy, needsInputGradient: false)
        } - forward
        conv.weight.isTrainable = false
        let input = median {
            _ = conv.forward(x, ForwardMode(training: true, recordsForBackward: true))
            _ = conv.backward(dy, needsInputGradient: true)
        } - forward
        return [.forward: forward, .weightGradient: weight, .inputGradient: input]
    }
}

/// GFLOP/s of `cblas_sgemm` on a size³ product (median of 5), with OpenBLAS's own threads on
/// every core (the kernels themselves run it single-threaded, one GEMM per core).
func measureSGEMM(size n: Int) -> Double {
    BLAS.setThreads(computeCores)
    defer { BLAS.setThreads(1) }
    var rng = SeededGenerator(seed: 2)
    let a = Tensor.uniform(shape: [n, n], in: -1...1, using: &rng)
    let b = Tensor.uniform(shape: [n, n], in: -1...1, using: &rng)
    let c = Tensor(shape: [n, n])
    var times: [Double] = []
    withExtendedLifetime((a, b, c)) {  // sgemm reads and writes them through raw pointers
        for i in 0..<6 {
            let start = monotonicSeconds()
            sgemm(m: n, n: n, k: n, a.data, lda: n, b.data, ldb: n, c.data, ldc: n)
            if i > 0 { times.append(monotonicSeconds() - start) }
        }
    }
    return 2 * pow(Double(n), 3) / times.sorted()[times.count / 2] / 1e9
}

/// Runs this benchmark binary again with `arguments` and extra environment, streaming its output.
func runChild(arguments: [String], environment: [String: String], separated: Bool = true) throws {
    fflush(stdout)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    try process.run()
    process.waitUntilExit()
    if separated { print("") }
    guard process.terminationStatus == 0 else { throw ExitCode(process.terminationStatus) }
}
