import ArgumentParser
import Foundation
import NeuralCore
import Training
import YOLOv5

/// `freeze-bench train-step`: images/s, memory-meter peak and process peak RSS of one training
/// step (forward, YOLOv5's loss on a synthetic batch, backward, SGD) per model and freeze, each
/// configuration in its own process, as `pytorch_train_bench.py` does for PyTorch.
struct TrainStepBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Training-step throughput and memory per model and freeze (each configuration in its own process).")

    @Option(parsing: .upToNextOption, help: "Model YAMLs.")
    var models = ["Experiments/models/yolov5n.yaml", "Experiments/models/yolov5s.yaml"]
    @Option(parsing: .upToNextOption, help: "Freeze counts (train.py --freeze N).") var freeze = [0, 10, 24]
    @Option(help: "Square input size.") var imageSize = 320
    @Option(help: "Batch size.") var batch = 16
    @Option(help: "Timed steps after 3 warm-up steps.") var steps = 8
    @Flag(help: "Print a per-layer profile of forward, weight-gradient and input-gradient time.") var profile = false
    @Flag(help: "Run in this process, one configuration (the first model and freeze).") var worker = false

    func run() throws {
        if worker { return try measure(model: models[0], freezeCount: freeze[0]) }
        print("OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)"), "
              + "batch \(batch), \(imageSize)x\(imageSize), nc 20, \(steps) timed steps after 3 warm-up")
        print("| model | freeze | images/s | step ms | CPU ms per step | tracked peak | tensors reserved peak | peak RSS | system allocations per step |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        fflush(stdout)  // before the children write to the same output
        for model in models {
            for count in freeze {
                var arguments = ["train-step", "--worker", "--models", model, "--freeze", "\(count)", "--image-size", "\(imageSize)",
                                 "--batch", "\(batch)", "--steps", "\(steps)"]
                if profile { arguments.append("--profile") }
                try runChild(arguments: arguments, environment: [:], separated: false)
            }
        }
    }

    func measure(model path: String, freezeCount: Int) throws {
        let spec = try ModelSpec(contentsOf: URL(fileURLWithPath: path))
        let model = try YOLOv5Model(spec: spec, classCount: 20, seed: 0)
        try model.applyFreeze(freezeCount == 0 ? .nothing : FreezeSpec(firstLayers: freezeCount))
        let hyp = try Hyperparameters(contentsOf: URL(fileURLWithPath: "Experiments/hyps/hyp.scratch-low.yaml"))
        let gains = LossGains(hyp, levels: 3, classes: 20, imageSize: imageSize)
        let loss = DetectionLoss(settings: gains.lossSettings(hyp))
        let schedule = WarmupSchedule(hyp: hyp, schedule: .linear, epochs: 1, batchesPerEpoch: 1, batchSize: batch)
        let optimizer = SGD(parameters: model.namedParameters(), batchNormWeights: Set(model.namedBatchNorms.map { $0.0 + ".weight" }),
                            learningRate: hyp.lr0, momentum: hyp.momentum, weightDecay: schedule.weightDecay)
        var rng = SeededGenerator(seed: 1)
        let images = Tensor.uniform(shape: [batch, 3, imageSize, imageSize], in: 0...1, using: &rng)
        let targets = (0..<(batch * 5)).map { i in
            DetectionTarget(image: i / 5, classIndex: Int.random(in: 0..<20, using: &rng), x: rng.uniform(0.1, 0.9),
                            y: rng.uniform(0.1, 0.9), w: rng.uniform(0.05, 0.5), h: rng.uniform(0.05, 0.5))
        }
        var phases = PhaseTimes()
        func step() {
            let raw = phases.time(.forward) { model.forward(images, training: true, recordsForBackward: true) }
            let gradients = phases.time(.loss) { loss(raw, targets: targets, detect: model.detect).gradients }
            phases.time(.backward) { model.backward(gradients) }
            phases.time(.optimizer) {
                optimizer.step()
                optimizer.zeroGradients()
            }
        }
        for _ in 0..<3 { step() }
        MemoryMeter.shared.resetPeak()
        phases = PhaseTimes()
        let allocationsBefore = MemoryMeter.shared.systemAllocations
        let kernelProfile = profile ? KernelProfile() : nil
        KernelProfile.install(kernelProfile)
        let (start, cpuStart) = (monotonicSeconds(), ProcessStatistics.cpuSeconds)
        for _ in 0..<steps { step() }
        let (seconds, cpuSeconds) = (monotonicSeconds() - start, ProcessStatistics.cpuSeconds - cpuStart)
        KernelProfile.install(nil)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let allocations = Double(MemoryMeter.shared.systemAllocations - allocationsBefore) / Double(steps)
        print(String(format: "| %@ | %d | %.1f | %.0f | %.0f | %.2f GB | %.2f GB | %.2f GB | %.0f |", name, freezeCount, Double(batch * steps) / seconds,
                     1000 * seconds / Double(steps), 1000 * cpuSeconds / Double(steps), Double(MemoryMeter.shared.peakBytes) / 1e9,
                     Double(MemoryMeter.shared.peakReservedBytes) / 1e9, Double(ProcessStatistics.peakResidentBytes) / 1e9, allocations))
        if let kernelProfile {
            print("  phases (ms per step, wall / CPU of both threads): " + PhaseTimes.Phase.allCases.map {
                String(format: "%@ %.0f / %.0f", $0.rawValue, phases.wall[$0, default: 0] * 1e3 / Double(steps),
                       phases.cpu[$0, default: 0] * 1e3 / Double(steps))
            }.joined(separator: ", "))
            printNodes(kernelProfile, steps: steps)
            printProfile(kernelProfile, steps: steps, stepSeconds: seconds / Double(steps))
            print(String(format: "  allocator cache after the steps: %.2f GB of freed buffers kept for reuse (counted in RSS, not in the tracked peak)",
                         Double(MemoryMeter.shared.cachedBytes) / 1e9))
        }
    }

    /// Per graph node: forward and backward wall ms per step, and how busy the two cores were.
    func printNodes(_ profile: KernelProfile, steps: Int) {
        var rows: [Int: (module: String, forward: Double, forwardCPU: Double, backward: Double, backwardCPU: Double)] = [:]
        for s in profile.recordedNodes {
            var row = rows[s.node] ?? (s.module, 0, 0, 0, 0)
            if s.backward { row.backward += s.seconds; row.backwardCPU += s.cpuSeconds } else { row.forward += s.seconds; row.forwardCPU += s.cpuSeconds }
            rows[s.node] = row
        }
        print("  layers (ms per step: forward, backward; cores busy = CPU time / (2 × wall)):")
        let scale = 1e3 / Double(steps)
        for (node, row) in rows.sorted(by: { $0.key < $1.key }) {
            let busy = { (cpu: Double, wall: Double) in wall > 0 ? 100 * cpu / (Double(computeCores) * wall) : 0 }
            print(String(format: "    %2d %-14@ %7.1f (%3.0f %%)  %7.1f (%3.0f %%)", node, row.module, row.forward * scale,
                         busy(row.forwardCPU, row.forward), row.backward * scale, busy(row.backwardCPU, row.backward)))
        }
        let total = rows.values.reduce((0.0, 0.0)) { ($0.0 + $1.forward + $1.backward, $0.1 + $1.forwardCPU + $1.backwardCPU) }
        print(String(format: "    all layers %.0f ms per step, cores busy %.0f %%", total.0 * scale, 100 * total.1 / (Double(computeCores) * total.0)))
    }

    func printProfile(_ profile: KernelProfile, steps: Int, stepSeconds: Double) {
        var byPass = [KernelProfile.Pass: Double]()
        for s in profile.recorded { byPass[s.pass, default: 0] += s.seconds / Double(steps) }
        // Per convolution shape (in order of first use): ms per step for each pass.
        var order: [String] = []
        var table: [String: [KernelProfile.Pass: Double]] = [:]
        for s in profile.recorded {
            let key = String(format: "%4d×%3d×%3d → %4d k%d s%d", s.inputShape[1], s.inputShape[2], s.inputShape[3],
                             s.outputChannels, s.kernel, s.stride)
            if table[key] == nil { order.append(key) }
            table[key, default: [:]][s.pass, default: 0] += s.seconds / Double(steps) * 1e3
        }
        print("  convolutions by shape (ms per step: forward / weight gradient / input gradient):")
        for key in order {
            let t = table[key]!
            print(String(format: "    %@   %6.1f / %6.1f / %6.1f", key, t[.forward] ?? 0, t[.weightGradient] ?? 0, t[.inputGradient] ?? 0))
        }
        let conv = byPass.values.reduce(0, +)
        print(String(format: "  per step: %.0f ms, of which convolution forward %.0f, weight gradient %.0f, input gradient %.0f; "
                     + "everything else (BN, activations, pooling, concat, loss, SGD) %.0f ms",
                     stepSeconds * 1e3, (byPass[.forward] ?? 0) * 1e3, (byPass[.weightGradient] ?? 0) * 1e3,
                     (byPass[.inputGradient] ?? 0) * 1e3, (stepSeconds - conv) * 1e3))
    }
}

/// Wall and CPU seconds per phase of a training step.
struct PhaseTimes {
    enum Phase: String, CaseIterable { case forward, loss, backward, optimizer }
    var wall: [Phase: Double] = [:], cpu: [Phase: Double] = [:]

    mutating func time<R>(_ phase: Phase, _ body: () -> R) -> R {
        let (start, cpuStart) = (monotonicSeconds(), ProcessStatistics.cpuSeconds)
        let result = body()
        wall[phase, default: 0] += monotonicSeconds() - start
        cpu[phase, default: 0] += ProcessStatistics.cpuSeconds - cpuStart
        return result
    }
}
