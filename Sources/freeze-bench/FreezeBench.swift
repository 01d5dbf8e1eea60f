import ArgumentParser

/// `freeze-bench`: release-build benchmarks that print figures (none of them asserts).
@main
struct FreezeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze-bench",
        abstract: "Benchmarks for FreezeStudy (build with -c release).",
        subcommands: [KernelsBenchmark.self, TrainStepBenchmark.self, LoaderBenchmark.self, ElementwiseProbe.self,
                      ConvolutionProbe.self, OptimizerBenchmark.self]
    )
}
