import ArgumentParser
import NeuralCore

struct KernelsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "GFLOP/s of every distinct convolution of yolov5n (forward, weight and input gradient) against cblas_sgemm.")

    func run() throws {
        print("OpenBLAS core: \(BLAS.coreName)")
    }
}
