import Checkpoints
import Foundation
import NeuralCore
import TestSupport
import Testing
@testable import Training
import YOLOv5

/// Stopping at any iteration, saving, and resuming in a fresh trainer gives the uninterrupted
/// run's results bit for bit: the accumulated gradients, `last_opt_step`, the EMA, the momentum
/// and the epoch's iterations so far all travel in the checkpoint.
@Suite(.serialized) struct GracefulStopTests {
    static let epochs = 3, batchesPerEpoch = 5

    /// A tiny yolov5n (width 0.125, nc 3) with layers 0-2 frozen, validated every epoch. Batches
    /// of 2 with a nominal batch of 128: during warm-up accumulate climbs 1, 2, 2, 3, 4, 4, 5, …
    /// (steps at ni 0, 2, 7, …), so stops fall inside accumulations and epochs start mid-way.
    func trainer(seed: UInt64) throws -> Trainer {
        var spec = try ModelSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml"))
        spec.widthMultiple = 0.125
        let model = try YOLOv5Model(spec: spec, classCount: 3, seed: seed)
        try model.applyFreeze(FreezeSpec(firstLayers: 3))
        let hyp = try Hyperparameters(contentsOf: experimentsHyps.appendingPathComponent("hyp.scratch-low.yaml"))
        var settings = TrainingSettings(epochs: Self.epochs, batchSize: 2, imageSize: 64, hyp: hyp)
        settings.nominalBatchSize = 128
        let train = InMemoryBatches((0..<Self.batchesPerEpoch).map { syntheticBatch(images: 2, size: 64, seed: 20 + UInt64($0)) })
        let validation = InMemoryBatches([syntheticBatch(images: 4, size: 64, seed: 40)])
        return try Trainer(model: model, settings: settings, train: train, validation: validation)
    }

    /// Epoch reports, and a stop request after global iteration `stopAfter` (or after epoch `stopAfterEpoch`).
    final class Recorder: TrainingObserver {
        var epochs: [EpochReport] = []
        let stop: StopRequest
        let stopAfter: Int?, stopAfterEpoch: Int?
        init(stop: StopRequest, stopAfter: Int? = nil, stopAfterEpoch: Int? = nil) {
            self.stop = stop
            self.stopAfter = stopAfter
            self.stopAfterEpoch = stopAfterEpoch
        }
        func trainer(didFinishIteration report: IterationReport) { if report.globalIteration == stopAfter { stop.request() } }
        func trainer(didFinishEpoch report: EpochReport) throws {
            epochs.append(report)
            if report.epoch == stopAfterEpoch { stop.request() }
        }
    }

    /// Every deterministic quantity an epoch records (not times or memory), as bit patterns.
    func recorded(_ report: EpochReport) -> [UInt64] {
        var values = [report.trainBox, report.trainObj, report.trainCls] + report.learningRates
        if let v = report.validation {
            values += [v.box, v.obj, v.cls, v.metrics.map50, v.metrics.map50to95, v.metrics.meanPrecision, v.metrics.meanRecall]
            values += v.ap50PerClass + v.ap50to95PerClass + v.labelsPerClass.map(Double.init)
        }
        for r in report.iterations {
            values += [r.box, r.obj, r.cls, r.total, r.momentum, r.gradientNorm] + r.learningRates
            values += [Double(r.globalIteration), Double(r.accumulate), r.optimizerStepped ? 1 : 0, Double(r.images)]
        }
        return values.map(\.bitPattern)
    }

    func state(_ trainer: Trainer) -> [[UInt32]] {
        (trainer.model.stateDict() + trainer.ema.model.stateDict()).map { $0.1.values.map(\.bitPattern) }
            + trainer.optimizer.buffers.map { $0?.values.map(\.bitPattern) ?? [] }
    }

    /// Global iterations after which to stop: inside an accumulation (3), the last iteration of
    /// an epoch (before its validation: 9), inside the last epoch (12), and one picked by a seeded
    /// generator.
    static let stops: [Int] = {
        var rng = SeededGenerator(seed: 2024)
        return [3, 9, 12, Int.random(in: 0..<(epochs * batchesPerEpoch - 1), using: &rng)]
    }()

    @Test(arguments: stops)
    func resumingFromAStopGivesTheUninterruptedRunBitForBit(_ stopAfter: Int) throws {
        let reference = try trainer(seed: 1)
        let full = Recorder(stop: StopRequest())
        reference.stopRequest = full.stop
        #expect(try reference.run(observer: full) == .completed)

        let first = try trainer(seed: 1)
        let stopped = Recorder(stop: StopRequest(), stopAfter: stopAfter)
        first.stopRequest = stopped.stop
        let position = TrainingPosition(epoch: stopAfter / Self.batchesPerEpoch, iteration: stopAfter % Self.batchesPerEpoch + 1)
        #expect(try first.run(observer: stopped) == .stopped(at: position))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stop-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try TrainingCheckpoint.save(first, configuration: "{}", to: url)

        let resumed = try trainer(seed: 77)  // other initial weights: everything must come from the file
        let info = try TrainingCheckpoint.restore(url, into: resumed)
        #expect(info.position == position && info.lastOptimizerStep == first.lastOptimizerStep)
        let rest = Recorder(stop: StopRequest())
        #expect(try resumed.run(from: info.completedEpochs, observer: rest) == .completed, "the sweep's resume call")

        let combined = stopped.epochs + rest.epochs
        #expect(combined.map(\.epoch) == Array(0..<Self.epochs))
        #expect(combined.map { $0.iterations.count } == [Int](repeating: Self.batchesPerEpoch, count: Self.epochs))
        for (a, b) in zip(full.epochs, combined) {
            #expect(recorded(a) == recorded(b), "epoch \(a.epoch) differs after a stop at global iteration \(stopAfter)")
        }
        #expect(state(resumed) == state(reference), "final model, EMA and momentum")
        #expect(resumed.ema.updates == reference.ema.updates && resumed.lastOptimizerStep == reference.lastOptimizerStep)
    }

    @Test func aStopBetweenEpochsStopsBeforeTheNextOne() throws {
        let trainer = try trainer(seed: 1)
        let recorder = Recorder(stop: StopRequest(), stopAfterEpoch: 0)
        trainer.stopRequest = recorder.stop
        #expect(try trainer.run(observer: recorder) == .stopped(at: TrainingPosition(epoch: 1)))
        #expect(recorder.epochs.count == 1 && trainer.position == TrainingPosition(epoch: 1))
    }

    /// Without the accumulated gradients a resumed run differs: the test above can fail.
    @Test func droppingTheAccumulatedGradientsChangesTheResult() throws {
        let reference = try trainer(seed: 1)
        try reference.run()
        let first = try trainer(seed: 1)
        let recorder = Recorder(stop: StopRequest(), stopAfter: 5)  // ni 5: the first batch of an accumulation of 4
        first.stopRequest = recorder.stop
        _ = try first.run(observer: recorder)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stop-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try TrainingCheckpoint.save(first, configuration: "{}", to: url)
        let resumed = try trainer(seed: 1)
        try TrainingCheckpoint.restore(url, into: resumed)
        resumed.optimizer.zeroGradients()
        try resumed.run(from: 1)
        #expect(state(resumed) != state(reference))
    }

    /// Real signals, SIGINT then SIGTERM: the first sets the request, the second would end the
    /// process with 128 + signal (counted here instead of exiting the test runner).
    @Test func firstSignalRequestsASecondExits() async throws {
        let handler = GracefulStop(exitsOnSecondSignal: false)
        defer { handler.uninstall() }
        #expect(!handler.request.isRequested && handler.signalCount == 0)
        kill(getpid(), SIGINT)
        try await waitUntil { handler.request.isRequested }
        #expect(handler.signalCount == 1 && handler.exitStatus == 0 && handler.firstSignal == SIGINT)
        kill(getpid(), SIGTERM)
        try await waitUntil { handler.signalCount == 2 }
        #expect(handler.exitStatus == 128 + SIGTERM)
        #expect(!StopRequest().isRequested, "a plain request does not follow signals")
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(condition(), "not within 2 s")
    }
}

@Suite struct MidEpochCheckpointTests {
    /// A mid-epoch checkpoint without the accumulated gradients cannot resume exactly: refused, naming the tensor.
    @Test func aMissingGradientIsNamed() throws {
        let tests = GracefulStopTests()
        let first = try tests.trainer(seed: 1)
        let stop = StopRequest()
        final class StopAt: TrainingObserver {
            let stop: StopRequest
            init(_ stop: StopRequest) { self.stop = stop }
            func trainer(didFinishIteration report: IterationReport) { if report.globalIteration == 3 { stop.request() } }
            func trainer(didFinishEpoch report: EpochReport) throws {}
        }
        first.stopRequest = stop
        _ = try first.run(observer: StopAt(stop))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stop-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try TrainingCheckpoint.save(first, configuration: "{}", to: url)
        let contents = try SafeTensors.read(url)
        let kept = contents.names.filter { $0 != "grad/model.24.m.0.weight" }.map { ($0, contents.tensors[$0]!) }
        try SafeTensors.write(tensors: kept, metadata: contents.metadata, to: url)
        do {
            try TrainingCheckpoint.restore(url, into: try tests.trainer(seed: 1))
            Issue.record("a mid-epoch checkpoint without a gradient was accepted")
        } catch {
            #expect("\(error)".contains("grad/model.24.m.0.weight") && "\(error)".contains(url.path), "\(error)")
        }
    }
}

@Suite struct TimeSplitTests {
    /// Every phase is measured where it runs, and the epoch's split is the sum of its iterations'
    /// plus validation (no speed is asserted).
    @Test func thePhasesAddUpToTheEpoch() throws {
        let trainer = try GracefulStopTests().trainer(seed: 1)
        let report = try trainer.runEpoch(0)
        let s = report.seconds
        #expect(s.forward > 0 && s.backward > 0 && s.optimizer > 0 && s.ema > 0 && s.validation > 0 && s.dataWait >= 0)
        let summed = report.iterations.map(\.seconds).reduce(TimeSplit(), +)
        #expect(abs(summed.forward - s.forward) < 1e-12 && abs(summed.ema - s.ema) < 1e-12 && summed.validation == 0)
        #expect(abs(report.epochSeconds - (report.trainSeconds + s.validation)) < 1e-9)
        for r in report.iterations {
            #expect(r.seconds.dataWait == r.waitSeconds && r.seconds.total <= r.waitSeconds + r.computeSeconds + 1e-9)
            #expect((r.seconds.optimizer > 0) == r.optimizerStepped && (r.seconds.ema > 0) == r.optimizerStepped)
        }
    }
}
