import Foundation
import NeuralCore
import TestSupport
import Testing
@testable import Training
import YOLOv5

/// FreezeStudy's own `Trainer` (the code a sweep runs) against 112 iterations of train.py v7's
/// loop in PyTorch (fixtures README §5): the same starting weights, batches, hyp.finetune, batch
/// 16, 128 px, nbs 64, 14 epochs. Each test prints the largest deviation per quantity beside the
/// fixture's noise floor (its own run with 1 thread instead of 2).
///
/// Tolerances, and why two phases. The schedule (lr and momentum per group, accumulate, which
/// iterations step, the EMA's update count) is exact over all 112 iterations: it is arithmetic on
/// the iteration count, done with train.py's and numpy's operations in their order.
///
/// Values are tight while the trajectory is stable and loose where it amplifies rounding:
/// - Stable phase (`freeze10`: iterations 0-55, epochs 0-6; `none`: 0-15, epochs 0-1, where
///   accumulate is still 1): loss and loss items within 1e-5 relative (measured here ≤ 2.5e-6),
///   the gradient norm within 1e-3 (the fixtures README's per-tensor gradient bound; measured
///   ≤ 1.9e-4), the per-step sums of every state tensor within 1e-5 (`none`: 1e-4, see there).
/// - Whole run (`freeze10`): from iteration ~53, where accumulate reaches 3 and the learning rate
///   passes half its target, small differences grow about tenfold every 20 iterations. PyTorch
///   itself, running the fixture's own script with only the convolution algorithm changed
///   (`torch.backends.mkldnn.enabled = False`: im2col + GEMM, as FreezeStudy does), ends
///   1.4e-3 (loss), 2.1e-2 (gradient norm) and 1.7e-3 (final weights and EMA, per tensor) away
///   from the fixture; FreezeStudy lands at the same distances. The fixture's 1-thread run
///   (2e-6) changes only a few reductions inside oneDNN, so it understates what any other float32
///   convolution gives. Here: loss and items 1e-2, gradient norm 1e-1, every final tensor 1e-2
///   (about five times PyTorch's own spread). A late schedule bug (lr one epoch early), a missing
///   zero_grad or a decay applied to the wrong group still fails: the schedule check, and the
///   gradient norm of the step after an epoch start (the accumulated batches triple it).
/// `none` diverges chaotically from ~iteration 20 (the fixture's own two thread counts differ by
/// 1.7e-4 at iteration 23 and by 1 % later), so only its schedule is checked after its stable phase.
@Suite(.serialized) struct GoldenTrainingLoopTests {
    struct Bounds {
        /// Iterations of the stable phase, and the tight bounds there.
        let stableIterations: Int
        let stableStatistics: Double
        let stableLoss = 1e-5, stableGradientNorm = 1e-3
        /// Bounds over the whole run, where rounding differences have been amplified.
        let wholeRunLoss = 1e-2, wholeRunGradientNorm = 1e-1, finalTensors = 1e-2
    }

    static let freeze10 = Bounds(stableIterations: 56, stableStatistics: 1e-5)
    /// With every layer training, the fixture's own two thread counts already differ by 1e-5 in
    /// the per-step sums (model.0's BN bias, which every downstream rounding reaches): 1e-4 here.
    static let none = Bounds(stableIterations: 16, stableStatistics: 1e-4)

    struct Run {
        let trainer: Trainer
        let recorder: LoopRecorder
        let golden: TrainLoopGolden
        let name: String
    }

    /// Trains `name` with the fixture's settings through `Trainer.run`, recording every iteration.
    static func train(_ name: String, freeze: Int, statisticsSteps: Int,
                      convolutions: ConvolutionAlgorithm = .automatic) throws -> Run {
        let golden = try TrainLoopGolden()
        let model = try trainLoopStartingModel()
        model.useConvolutionAlgorithm(convolutions)
        try model.applyFreeze(freeze == 0 ? .nothing : FreezeSpec(firstLayers: freeze))
        let hyp = try Hyperparameters(contentsOf: experimentsHyps.appendingPathComponent("hyp.finetune.yaml"))
        let settings = TrainingSettings(epochs: 14, batchSize: 16, imageSize: 128, hyp: hyp)
        let trainer = try Trainer(model: model, settings: settings, train: InMemoryBatches(try golden.batches()), validation: nil)
        let recorder = LoopRecorder(stateNames: try golden.stateNames(name), statisticsSteps: statisticsSteps)
        recorder.trainer = trainer
        #expect(try trainer.run(observer: recorder) == .completed)
        return Run(trainer: trainer, recorder: recorder, golden: golden, name: name)
    }

    @Test func settingsAreTheFixtures() throws {
        let golden = try TrainLoopGolden()
        let hyp = try Hyperparameters(contentsOf: experimentsHyps.appendingPathComponent("hyp.finetune.yaml"))
        let gains = LossGains(hyp, levels: 3, classes: 20, imageSize: 128)
        for run in TrainLoopGolden.runs {
            for (key, value) in [("lr0", hyp.lr0), ("lrf", hyp.lrf), ("momentum", hyp.momentum), ("weight_decay", hyp.weightDecay),
                                 ("warmup_epochs", hyp.warmupEpochs), ("warmup_momentum", hyp.warmupMomentum),
                                 ("warmup_bias_lr", hyp.warmupBiasLR), ("box", gains.box), ("cls", gains.cls), ("obj", gains.obj),
                                 ("cls_pw", hyp.clsPositiveWeight), ("obj_pw", hyp.objPositiveWeight),
                                 ("anchor_t", hyp.anchorThreshold), ("fl_gamma", hyp.focalGamma)] {
                #expect(abs(try golden.doubleAttribute(run, "hyp_" + key) - value) <= 1e-15 * abs(value), "\(run) hyp_\(key)")
            }
        }
        let schedule = WarmupSchedule(hyp: hyp, schedule: .linear, epochs: 14, batchesPerEpoch: 8, batchSize: 16)
        #expect(Double(schedule.warmupIterations) == (try golden.doubleAttribute("freeze10", "nw")))
    }

    @Test func freeze10MatchesTrainPyOverAll112Iterations() throws {
        let bounds = Self.freeze10
        let stableSteps = try stepsBefore(bounds.stableIterations, "freeze10")
        let run = try Self.train("freeze10", freeze: 10, statisticsSteps: stableSteps)
        try checkSchedule(run)
        let stableLoss = try lossDeviation(run, iterations: bounds.stableIterations, tolerance: bounds.stableLoss)
        let wholeLoss = try lossDeviation(run, iterations: 112, tolerance: bounds.wholeRunLoss)
        let stableNorm = try gradientNormDeviation(run, iterations: bounds.stableIterations, tolerance: bounds.stableGradientNorm)
        let wholeNorm = try gradientNormDeviation(run, iterations: 112, tolerance: bounds.wholeRunGradientNorm)
        let steps = try stepStatisticsDeviation(run, steps: stableSteps, tolerance: bounds.stableStatistics)
        let golden = run.golden

        // Final state: trainable parameters, BN running statistics and anchors, each against train.py's.
        let expected = try golden.state("freeze10", "model")
        let parameterNames = Set(run.trainer.model.namedParameters().map(\.0))
        let trainable = Set(run.trainer.model.namedParameters().filter { $0.1.isTrainable }.map(\.0))
        var parameters = Worst(), buffers = Worst()
        for (name, tensor) in run.trainer.model.stateDict() {
            guard let reference = expected[name] else {
                #expect(!trainable.contains(name), "\(name): no reference for a trainable tensor")
                continue
            }
            let deviation = scaledMaxDifference(tensor.values, reference.values)
            #expect(deviation <= bounds.finalTensors, "\(name): max |diff| / max |ref| = \(deviation)")
            if parameterNames.contains(name) { parameters.add(name, deviation) } else { buffers.add(name, deviation) }
        }
        #expect(parameters.count == 78 && buffers.count == 115 && expected.count == 193, "every stored tensor compared")

        // Frozen parameters: bit for bit the starting weights.
        let start = try GoldenFile().parameters()
        let frozen = run.trainer.model.namedParameters().filter { !$0.1.isTrainable }
        #expect(frozen.count == 99)
        for (name, parameter) in frozen {
            #expect(parameter.value.values.map(\.bitPattern) == start[name]!.values.map(\.bitPattern), "\(name) moved")
        }

        // The EMA: every floating state tensor, and its update count.
        let ema = try golden.state("freeze10", "ema")
        var averages = Worst()
        for (name, tensor) in run.trainer.ema.model.stateDict() {
            let deviation = scaledMaxDifference(tensor.values, try #require(ema[name], "\(name)").values)
            #expect(deviation <= bounds.finalTensors, "EMA \(name): max |diff| / max |ref| = \(deviation)")
            averages.add(name, deviation)
        }
        let expectedUpdates = try golden.doubleAttribute("freeze10", "ema_updates")
        #expect(averages.count == 292 && run.trainer.ema.updates == 52 && Double(run.trainer.ema.updates) == expectedUpdates)

        let parameterNoise = try noiseFloor(golden, "noise_model_rel", among: parameterNames.intersection(expected.keys))
        let bufferNoise = try noiseFloor(golden, "noise_model_rel", among: Set(expected.keys).subtracting(parameterNames))
        let report = DeviationReport(run: "freeze10")
        report.line("schedule (lr, momentum per group; accumulate; 52 steps; EMA updates), 112 iterations", "exact", "exact")
        report.line("loss and items, iterations 0-55", stableLoss.ours, stableLoss.floor)
        report.line("loss and items, all 112 iterations", wholeLoss.ours, wholeLoss.floor)
        report.line("gradient norm before clipping, iterations 0-55", stableNorm, nil)
        report.line("gradient norm before clipping, all 52 steps", wholeNorm, nil)
        report.line("Σx, Σx² of every state tensor after each of the first \(stableSteps) steps", steps.ours, steps.floor)
        report.line("final trainable parameters (78), worst \(parameters.name)", parameters.value, parameterNoise)
        report.line("final BN running statistics and anchors (115), worst \(buffers.name)", buffers.value, bufferNoise)
        report.line("final EMA tensors (292), worst \(averages.name)", averages.value,
                    try golden.doubleAttribute("freeze10", "noise_final_ema_max_rel"))
        report.line("frozen parameters (99) against the starting weights", "bit-identical", "bit-identical")
    }

    @Test func noneMatchesTrainPyWhileStableAndItsScheduleThroughout() throws {
        let bounds = Self.none
        let stableSteps = try stepsBefore(bounds.stableIterations, "none")
        // im2col + GEMM, PyTorch's own arithmetic: with every layer training, the Winograd
        // convolutions the sweep uses (checked against a Double direct convolution and finite
        // differences in WinogradTests) round differently enough that by iterations 14-15 the
        // loss is 1.1e-4 from train.py's, over the 1e-5 this stable phase allows. freeze10 below
        // runs the sweep's own choice of algorithms over all 112 iterations.
        let run = try Self.train("none", freeze: 0, statisticsSteps: stableSteps, convolutions: .im2col)
        try checkSchedule(run)
        let loss = try lossDeviation(run, iterations: bounds.stableIterations, tolerance: bounds.stableLoss)
        let norm = try gradientNormDeviation(run, iterations: bounds.stableIterations, tolerance: bounds.stableGradientNorm)
        let steps = try stepStatisticsDeviation(run, steps: stableSteps, tolerance: bounds.stableStatistics)
        let onset = try lossDeviation(run, iterations: 24, tolerance: .infinity)
        let report = DeviationReport(run: "none")
        report.line("schedule (lr, momentum per group; accumulate; 52 steps; EMA updates), 112 iterations", "exact", "exact")
        report.line("loss and items, iterations 0-15", loss.ours, loss.floor)
        report.line("gradient norm before clipping, iterations 0-15", norm, nil)
        report.line("Σx, Σx² of every state tensor after each of the first \(stableSteps) steps", steps.ours, steps.floor)
        report.line("loss and items, iterations 0-23 (chaotic onset; not checked)", onset.ours, onset.floor)
    }

    // MARK: Comparisons

    /// Optimizer steps the fixture took in its first `iterations` iterations.
    func stepsBefore(_ iterations: Int, _ run: String) throws -> Int {
        try TrainLoopGolden().log(run, "stepped").prefix(iterations).filter { $0 == 1 }.count
    }

    /// lr and momentum per group, accumulate, the step pattern and the EMA's update count: exact.
    func checkSchedule(_ run: Run) throws {
        let reports = run.recorder.iterations
        try #require(reports.count == 112, "\(reports.count) iterations")
        let log = { try run.golden.log(run.name, $0) }
        let (ni, epoch, i, accumulate, stepped) = (try log("ni"), try log("epoch"), try log("i"), try log("accumulate"), try log("stepped"))
        let (lr, momentum, emaUpdates) = (try log("lr"), try log("momentum"), try log("ema_updates"))
        var mismatches: [String] = []
        for (k, r) in reports.enumerated() {
            let expectedRates = Array(lr[(3 * k)..<(3 * k + 3)])
            let expectedMomenta = Array(momentum[(3 * k)..<(3 * k + 3)])
            if Double(r.globalIteration) != ni[k] || Double(r.epoch) != epoch[k] || Double(r.iteration) != i[k] {
                mismatches.append("\(k): position \(r.epoch)/\(r.iteration)")
            }
            if r.learningRates != expectedRates { mismatches.append("ni \(k): lr \(r.learningRates) vs \(expectedRates)") }
            if expectedMomenta != [Double](repeating: r.momentum, count: 3) { mismatches.append("ni \(k): momentum \(r.momentum) vs \(expectedMomenta)") }
            if Double(r.accumulate) != accumulate[k] { mismatches.append("ni \(k): accumulate \(r.accumulate) vs \(accumulate[k])") }
            if r.optimizerStepped != (stepped[k] == 1) { mismatches.append("ni \(k): stepped \(r.optimizerStepped)") }
            if Double(run.recorder.emaUpdates[k]) != emaUpdates[k] { mismatches.append("ni \(k): EMA updates \(run.recorder.emaUpdates[k])") }
        }
        #expect(mismatches.isEmpty, "\(run.name) schedule: \(mismatches.prefix(8))")
        #expect(stepped.filter { $0 == 1 }.count == 52)
    }

    /// Largest relative deviation of the loss and its items over the first `iterations`, each
    /// checked against `tolerance`, and the fixture's own over the same iterations (total only).
    func lossDeviation(_ run: Run, iterations: Int, tolerance: Double) throws -> (ours: Double, floor: Double) {
        let expected = try run.golden.log(run.name, "loss")
        let noise = try run.golden.series(run.name, "noise_loss")
        let items = try run.golden.log(run.name, "loss_items")
        var deviations: [Double] = []
        for (k, r) in run.recorder.iterations.prefix(iterations).enumerated() {
            let total = relativeDifference(r.total, expected[k])
            #expect(total <= tolerance, "\(run.name) ni \(k): loss \(r.total) vs \(expected[k])")
            deviations.append(total)
            for (j, (ours, theirs)) in zip([r.box, r.obj, r.cls], items[(3 * k)..<(3 * k + 3)]).enumerated() {
                let item = relativeDifference(ours, theirs)
                #expect(item <= tolerance, "\(run.name) ni \(k): loss item \(j) \(ours) vs \(theirs)")
                deviations.append(item)
            }
        }
        let floor = largest((0..<iterations).map { abs(noise[$0]) / abs(expected[$0]) })
        return (largest(deviations), floor)
    }

    /// Largest relative deviation of `clip_grad_norm_`'s returned norm where the optimizer stepped.
    func gradientNormDeviation(_ run: Run, iterations: Int, tolerance: Double) throws -> Double {
        let expected = try run.golden.log(run.name, "grad_norm")
        var deviations: [Double] = []
        for (k, r) in run.recorder.iterations.prefix(iterations).enumerated() where r.optimizerStepped {
            let deviation = relativeDifference(r.gradientNorm, expected[k])
            #expect(deviation <= tolerance, "\(run.name) ni \(k): gradient norm \(r.gradientNorm) vs \(expected[k])")
            deviations.append(deviation)
        }
        return largest(deviations)
    }

    /// After each of the first `steps` optimizer steps, per state tensor: |ΔΣx| / √(n·Σx²) and
    /// |ΔΣx²| / Σx² (Σx can cancel to ~0; √(n·Σx²) bounds it for a relative error of the tensor).
    func stepStatisticsDeviation(_ run: Run, steps: Int, tolerance: Double) throws -> (ours: Double, floor: Double) {
        let expected = try run.golden.stepStatistics(run.name)
        let noise = try run.golden.stepStatistics(run.name, noise: true)
        let counts = Dictionary(uniqueKeysWithValues: run.trainer.model.stateDict().map { ($0.0, Double($0.1.count)) })
        let names = run.recorder.stateNames
        func scaled(_ delta: (sum: Double, squares: Double), _ reference: (sum: Double, squares: Double), _ n: Double) -> Double {
            let scale = (n * reference.squares).squareRoot()
            return max(scale == 0 ? abs(delta.sum) : abs(delta.sum) / scale,
                       reference.squares == 0 ? abs(delta.squares) : abs(delta.squares) / reference.squares)
        }
        try #require(run.recorder.stepStatistics.count == steps, "\(run.recorder.stepStatistics.count) steps recorded")
        var ours: [Double] = [], floor: [Double] = []
        for s in 0..<steps {
            for (t, name) in names.enumerated() {
                let (mine, reference) = (run.recorder.stepStatistics[s][t], expected[s][t])
                let deviation = mine.sum.isFinite && mine.squares.isFinite
                    ? scaled((mine.sum - reference.sum, mine.squares - reference.squares), reference, counts[name]!) : .infinity
                #expect(deviation <= tolerance,
                        "\(run.name) step \(s) \(name): Σx \(mine.sum) vs \(reference.sum), Σx² \(mine.squares) vs \(reference.squares)")
                ours.append(deviation)
                floor.append(scaled(noise[s][t], reference, counts[name]!))
            }
        }
        return (largest(ours), largest(floor))
    }

    /// The largest `noise_*_rel` entry of `among` (the fixture's 1-thread vs 2-thread per-tensor figure).
    func noiseFloor(_ golden: TrainLoopGolden, _ series: String, among names: Set<String>) throws -> Double {
        let values = try golden.series("freeze10", series)
        let order = try golden.stateNames("freeze10")
        return largest(zip(order, values).filter { names.contains($0.0) }.map(\.1))
    }
}

/// The largest deviation seen so far and where (a NaN counts as the largest).
struct Worst {
    var name = "", value = 0.0, count = 0
    mutating func add(_ name: String, _ deviation: Double) {
        count += 1
        if !(deviation <= value) { (self.name, value) = (name, deviation) }
    }
}

/// Prints "golden loop <run>: <quantity>: largest deviation …; fixture noise floor …".
struct DeviationReport {
    let run: String
    func line(_ quantity: String, _ ours: Double, _ floor: Double?) {
        line(quantity, String(format: "%.2e", ours), floor.map { String(format: "%.2e", $0) } ?? "not in the fixture")
    }

    func line(_ quantity: String, _ ours: String, _ floor: String) {
        print("golden loop \(run): \(quantity): largest deviation \(ours); fixture noise floor \(floor)")
    }
}
