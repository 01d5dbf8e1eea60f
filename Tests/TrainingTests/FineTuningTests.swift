import Foundation
import NeuralCore
import TestSupport
import Testing
@testable import Training
import YOLOv5

/// A tiny yolov5n (width 1/8, 3 classes) trained on one synthetic batch per epoch, one
/// optimizer step per iteration (nominal batch = batch).
func fineTuningTrainer(_ schedule: FineTuningSchedule, epochs: Int, seed: UInt64 = 1) throws -> (Trainer, FineTuningPlan) {
    var spec = try ModelSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml"))
    spec.widthMultiple = 0.125
    let model = try YOLOv5Model(spec: spec, classCount: 3, seed: seed)
    try model.applyFreeze(schedule.freeze, batchNorm: schedule.batchNorm)
    let hyp = try Hyperparameters(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/hyps/hyp.scratch-low.yaml"))
    var settings = TrainingSettings(epochs: epochs, batchSize: 4, imageSize: 64, hyp: hyp)
    settings.nominalBatchSize = 4
    let trainer = try Trainer(model: model, settings: settings, train: InMemoryBatches([syntheticBatch(images: 4, size: 64, seed: 5)]),
                              validation: nil)
    let plan = try FineTuningPlan(schedule, model: model, epochs: epochs)
    trainer.use(plan)
    return (trainer, plan)
}

/// The values of every parameter, by name.
func parameterValues(_ model: YOLOv5Model) -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.0, $0.1.value.values) })
}

@Suite struct UnfreezeTests {
    @Test func frozenLayersAreBitwiseFixedBeforeTheEpochAndMoveAfterWithoutMomentumHistory() throws {
        let schedule = FineTuningSchedule(freeze: FreezeSpec(firstLayers: 3), unfreeze: .at(epoch: 2))
        let (trainer, plan) = try fineTuningTrainer(schedule, epochs: 3)
        let start = parameterValues(trainer.model)
        let frozen = plan.names.indices.filter { plan.isFrozen($0, epoch: 0) }
        #expect(!frozen.isEmpty && frozen.allSatisfy { plan.trainsFrom[$0] == 2 })
        for epoch in 0..<2 {
            _ = try trainer.runEpoch(epoch)
            let now = parameterValues(trainer.model)
            for index in frozen {
                #expect(now[plan.names[index]] == start[plan.names[index]], "\(plan.names[index]) moved in epoch \(epoch)")
                #expect(!trainer.optimizer.hasMomentum(index))
            }
        }
        // Epoch 2 joins them to their groups at the group's scheduled rate, with no momentum.
        trainer.prepareEpoch(2)
        #expect(frozen.allSatisfy { trainer.model.namedParameters()[$0].1.isTrainable && !trainer.optimizer.hasMomentum($0) })
        #expect(plan.unfreezing(atEpoch: 2).count == frozen.count && plan.unfreezing(atEpoch: 1).isEmpty)
        _ = try trainer.runEpoch(2)
        let after = parameterValues(trainer.model)
        #expect(frozen.allSatisfy { after[plan.names[$0]] != start[plan.names[$0]] }, "unfrozen layers train from epoch 2")
        #expect(frozen.allSatisfy { trainer.optimizer.hasMomentum($0) })
    }

    @Test func aJoiningParameterTakesPyTorchsFirstStepAtTheGroupRate() throws {
        // SGD's first step for a parameter without momentum: buf = d, θ −= lr·(d + μ·d), d = g + wd·θ.
        // Two parameters with the same values and gradient, one with momentum history and one
        // joining: the joining one moves by lr·(1 + μ)·d exactly.
        let old = Parameter(Tensor(shape: [4], values: [1, -2, 3, 0.5]))
        let joining = Parameter(Tensor(shape: [4], values: [1, -2, 3, 0.5]))
        joining.isTrainable = false
        let sgd = SGD(parameters: [("model.0.conv.weight", old), ("model.1.conv.weight", joining)], batchNormWeights: [],
                      learningRate: 0.01, momentum: 0.9, weightDecay: 0)
        old.gradientForAccumulation().fill(1)
        sgd.step()
        joining.isTrainable = true
        sgd.zeroGradients()
        old.gradientForAccumulation().fill(0.5)
        joining.gradientForAccumulation().fill(0.5)
        #expect(sgd.hasMomentum(0) && !sgd.hasMomentum(1))
        sgd.step()
        let expected: [Float] = [1, -2, 3, 0.5].map { $0 - Float(0.01) * (Float(0.5) + Float(0.9) * Float(0.5)) }
        #expect(joining.value.values == expected)
        #expect(sgd.buffers[1]?.values == [0.5, 0.5, 0.5, 0.5])
    }

    @Test func aResumedRunUnfreezesWhereItStoppedAndTrainsTheSameBits() throws {
        let schedule = FineTuningSchedule(freeze: FreezeSpec(firstLayers: 3), unfreeze: .at(epoch: 1))
        let (original, _) = try fineTuningTrainer(schedule, epochs: 3)
        _ = try original.runEpoch(0)
        _ = try original.runEpoch(1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try TrainingCheckpoint.save(original, completedEpochs: 2, configuration: "{}", to: url)
        let (restored, _) = try fineTuningTrainer(schedule, epochs: 3, seed: 99)
        try TrainingCheckpoint.restore(url, into: restored)
        #expect(restored.model.namedParameters().allSatisfy { $0.1.isTrainable }, "epoch 2 is after the unfreeze")
        #expect(zip(original.optimizer.buffers, restored.optimizer.buffers).allSatisfy { $0?.values == $1?.values })
        _ = try original.runEpoch(2)
        _ = try restored.runEpoch(2)
        #expect(restored.model.stateDict().map(\.1.values) == original.model.stateDict().map(\.1.values))
    }

    @Test func gradualUnfreezingGoesFromTheHeadDown() throws {
        let schedule = FineTuningSchedule(freeze: FreezeSpec(firstLayers: 4), unfreeze: .gradual(from: 1, everyEpochs: 2, layersPerStep: 2))
        let (trainer, plan) = try fineTuningTrainer(schedule, epochs: 4)
        for (index, name) in plan.names.enumerated() {
            let layer = FineTuningPlan.layer(of: name)!
            let expected: Int? = layer >= 4 ? 0 : (layer >= 2 ? 1 : 3)
            #expect(plan.trainsFrom[index] == expected, "\(name)")
        }
        trainer.prepareEpoch(1)
        #expect(trainer.model.namedParameters().allSatisfy { $0.1.isTrainable == (FineTuningPlan.layer(of: $0.0)! >= 2) })
    }

    @Test func contradictionsNameTheKey() throws {
        func error(_ schedule: FineTuningSchedule, epochs: Int = 3) -> FineTuningScheduleError? {
            do {
                _ = try fineTuningTrainer(schedule, epochs: epochs)
                return nil
            } catch let error as FineTuningScheduleError {
                return error
            } catch {
                Issue.record("unexpected \(error)")
                return nil
            }
        }
        let backbone = FreezeSpec(firstLayers: 3)
        #expect(error(FineTuningSchedule(freeze: backbone, unfreeze: .at(epoch: 3)))?.key == "unfreeze_at")
        #expect(error(FineTuningSchedule(freeze: backbone, unfreeze: .at(epoch: 0)))?.key == "unfreeze_at")
        #expect(error(FineTuningSchedule(freeze: .nothing, unfreeze: .at(epoch: 1)))?.key == "unfreeze_at")
        #expect(error(FineTuningSchedule(freeze: backbone, unfreeze: .gradual(from: 1, everyEpochs: 1, layersPerStep: 1)))?.key
                == "unfreeze_step")
        let onFrozen = ParameterMultiplier(selection: try FreezeSpec(parsing: "0-1"), factor: 0.1)
        #expect(error(FineTuningSchedule(freeze: backbone, learningRateMultipliers: [onFrozen]))?.key == "lr_mult")
        #expect(error(FineTuningSchedule(freeze: backbone, unfreeze: .at(epoch: 1), learningRateMultipliers: [onFrozen])) == nil,
                "a factor on layers that unfreeze is what it is for")
        let overlapping = [ParameterMultiplier(selection: try FreezeSpec(parsing: "3-5"), factor: 0.1),
                           ParameterMultiplier(selection: try FreezeSpec(parsing: "model.4."), factor: 0.5)]
        #expect(error(FineTuningSchedule(freeze: backbone, weightDecayMultipliers: overlapping))?.key == "decay_mult")
        let nowhere = ParameterMultiplier(selection: try FreezeSpec(parsing: "model.99."), factor: 0.1)
        #expect(error(FineTuningSchedule(freeze: backbone, learningRateMultipliers: [nowhere]))?.reason.contains("matches no parameter") == true)
    }
}
