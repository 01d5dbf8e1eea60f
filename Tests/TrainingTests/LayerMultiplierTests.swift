import Foundation
import NeuralCore
import TestSupport
import Testing
@testable import Training
import YOLOv5

@Suite struct LayerMultiplierTests {
    /// Two SGDs over equal parameters and gradients, one with factors; the step of each member.
    func steps(learningRateFactor: Double, decayFactor: Double) -> (plain: [[Float]], scaled: [[Float]], sgd: SGD) {
        func make() -> (SGD, [Parameter]) {
            let parameters = [Parameter(Tensor(shape: [3], values: [0.5, -1.5, 2])), Parameter(Tensor(shape: [3], values: [1, 2, -3]))]
            let sgd = SGD(parameters: [("model.0.conv.weight", parameters[0]), ("model.12.conv.weight", parameters[1])],
                          batchNormWeights: [], learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4)
            for (p, g) in zip(parameters, [[Float](arrayLiteral: 0.25, -0.5, 1), [0.1, 0.2, 0.3]]) {
                p.gradientForAccumulation().assign(Tensor(shape: [3], values: g))
            }
            return (sgd, parameters)
        }
        let (plainSGD, plain) = make()
        let (scaledSGD, scaled) = make()
        scaledSGD.setMultipliers(learningRate: [learningRateFactor, 1], weightDecay: [decayFactor, 1])
        let before = plain.map(\.value.values)
        plainSGD.step()
        scaledSGD.step()
        func delta(_ ps: [Parameter]) -> [[Float]] { zip(ps, before).map { p, b in zip(p.value.values, b).map { $0 - $1 } } }
        return (delta(plain), delta(scaled), scaledSGD)
    }

    @Test func theStepOfAMultipliedMemberIsTheMultiple() throws {
        let (plain, scaled, sgd) = steps(learningRateFactor: 0.1, decayFactor: 1)
        #expect(sgd.learningRate(ofMember: 0) == 0.01 * 0.1 && sgd.learningRate(ofMember: 1) == 0.01)
        // The steps are read as differences of Float32 values near 1 (ulp 1.2e-7) of steps ≥ 4.7e-4,
        // so the ratio is 0.1 to ~3e-4; a missing or doubled factor is off by 0.9 or more.
        for (p, s) in zip(plain[0], scaled[0]) { #expect(abs(s / p - 0.1) < 1e-3, "\(s) / \(p)") }
        #expect(plain[1] == scaled[1], "a member without a factor steps as before, bit for bit")
    }

    @Test func decayMultScalesOnlyTheDecayTerm() throws {
        let (plain, scaled, sgd) = steps(learningRateFactor: 1, decayFactor: 0)
        #expect(abs(sgd.weightDecay(ofMember: 0)) == 0 && sgd.weightDecay(ofMember: 1) == 5e-4)
        // First step: Δθ = −lr·(1 + μ)·(g + wd·θ); without decay the wd·θ part is gone.
        let theta: [Float] = [0.5, -1.5, 2], g: [Float] = [0.25, -0.5, 1]
        for i in 0..<3 {
            let withDecay = -0.01 * 1.9 * (Double(g[i]) + 5e-4 * Double(theta[i])), without = -0.01 * 1.9 * Double(g[i])
            #expect(abs(Double(plain[0][i]) - withDecay) < 1e-7 && abs(Double(scaled[0][i]) - without) < 1e-7)
        }
    }

    @Test func factorsFollowTheWarmupAndTheThreeGroups() throws {
        // lr_mult applies on top of whatever rate the schedule gives the group in this iteration.
        let schedule = FineTuningSchedule(freeze: .nothing, learningRateMultipliers: [
            ParameterMultiplier(selection: try FreezeSpec(parsing: "0-9"), factor: 0.1),
        ])
        let (trainer, plan) = try fineTuningTrainer(schedule, epochs: 2)
        let settings = trainer.schedule.settings(iteration: 0, epoch: 0)
        trainer.optimizer.learningRates = settings.learningRates
        for (index, member) in trainer.optimizer.members.enumerated() {
            let factor = FineTuningPlan.layer(of: member.name)! <= 9 ? 0.1 : 1
            #expect(plan.learningRateMultipliers[index] == factor)
            #expect(trainer.optimizer.learningRate(ofMember: index) == settings.learningRates[member.group.rawValue] * factor)
        }
        #expect(settings.learningRates[0] != settings.learningRates[1], "warm-up: the bias group's rate differs")
    }
}

@Suite struct BatchNormPolicyTests {
    /// The running statistics of every BatchNorm of a frozen layer, by name.
    func frozenStatistics(_ model: YOLOv5Model) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: model.namedBatchNorms.filter { !$0.1.weight.isTrainable }.flatMap {
            [($0.0 + ".running_mean", $0.1.runningMean.values), ($0.0 + ".running_var", $0.1.runningVariance.values)]
        })
    }

    @Test(arguments: [BatchNormPolicy.update, .frozen, .frozenBN])
    func runningStatisticsFollowThePolicy(_ policy: BatchNormPolicy) throws {
        let (trainer, plan) = try fineTuningTrainer(FineTuningSchedule(freeze: FreezeSpec(firstLayers: 3), batchNorm: policy), epochs: 2)
        let audit = FrozenTensorAudit(trainer.model, plan: plan)
        let before = frozenStatistics(trainer.model)
        #expect(!before.isEmpty)
        for epoch in 0..<2 {
            _ = try trainer.runEpoch(epoch)
            audit.check(afterEpoch: epoch)
        }
        let after = frozenStatistics(trainer.model)
        #expect(audit.changed.isEmpty, "\(audit.changed)")
        if policy == .update {
            #expect(before.allSatisfy { after[$0.key] != $0.value }, "YOLOv5: frozen layers' statistics keep moving")
            #expect(audit.batchNormDrift.allSatisfy { $0.meanRelativeChange > 0 })
            #expect(!audit.entries.contains { $0.name.hasSuffix("running_var") }, "nothing to guard under update")
        } else {
            #expect(after == before, "running statistics bit-identical")
            #expect(audit.batchNormDrift.allSatisfy { $0.meanRelativeChange == 0 })
            #expect(audit.entries.contains { $0.name.hasSuffix("running_var") })
        }
    }

    /// `bn: frozen-bn` is `bn: frozen` with every wholly frozen Conv block run as one folded
    /// convolution: the plan folds them at each epoch's start and unfolds those that start to
    /// train, and the training follows `bn: frozen` up to Float32 rounding.
    @Test func frozenBNRunsTheFrozenBlocksFoldedAndTrainsAsFrozen() throws {
        func train(_ policy: BatchNormPolicy) throws -> (values: [[String: [Float]]], folded: [Int]) {
            let schedule = FineTuningSchedule(freeze: FreezeSpec(firstLayers: 3), batchNorm: policy, unfreeze: .at(epoch: 2))
            let (trainer, _) = try fineTuningTrainer(schedule, epochs: 3)
            var folded = [trainer.model.foldedBatchNormCount], values: [[String: [Float]]] = []
            for epoch in 0..<3 {
                _ = try trainer.runEpoch(epoch)
                folded.append(trainer.model.foldedBatchNormCount)
                values.append(parameterValues(trainer.model))
            }
            return (values, folded)
        }
        let (plain, folded) = (try train(.frozen), try train(.frozenBN))
        // Layers 0-2 of yolov5n: Conv 0, Conv 1, and C3 2's cv1, cv2, cv3 and one Bottleneck (2).
        #expect(plain.folded == [0, 0, 0, 0])
        #expect(folded.folded == [7, 7, 7, 0], "folded while frozen, unfolded once layers 0-2 train (epoch 2)")
        for (epoch, (a, b)) in zip(folded.values, plain.values).enumerated() {
            for (name, value) in b {
                let difference = zip(a[name]!, value).map { abs($0 - $1) }.max()!
                let scale = value.map(abs).max()!
                #expect(difference.isFinite && difference <= 1e-5 * max(scale, 1), "epoch \(epoch) \(name): max |diff| \(difference), scale \(scale)")
            }
        }
    }

    @Test func theAuditSeesAFrozenTensorThatMoved() throws {
        let (trainer, plan) = try fineTuningTrainer(FineTuningSchedule(freeze: FreezeSpec(firstLayers: 3), batchNorm: .frozen), epochs: 2)
        let audit = FrozenTensorAudit(trainer.model, plan: plan)
        _ = try trainer.runEpoch(0)
        audit.check(afterEpoch: 0)
        #expect(audit.changed.isEmpty)
        let weight = trainer.model.namedParameters().first { $0.0 == "model.1.conv.weight" }!.1
        weight.value[0, 0, 0, 0] = weight.value[0, 0, 0, 0].nextUp  // one ulp
        let bn = trainer.model.namedBatchNorms.first { $0.0 == "model.2.cv1.bn" }!.1
        bn.runningVariance[0] = bn.runningVariance[0].nextUp
        audit.check(afterEpoch: 1)
        #expect(audit.changed == ["model.1.conv.weight", "model.2.cv1.bn.running_var"])
        #expect(audit.entries.first { $0.name == "model.1.conv.weight" }?.changedInEpoch == 1)
    }

    @Test func unfrozenTensorsAreGuardedOnlyWhileFrozen() throws {
        let schedule = FineTuningSchedule(freeze: FreezeSpec(firstLayers: 3), batchNorm: .frozen, unfreeze: .at(epoch: 1))
        let (trainer, plan) = try fineTuningTrainer(schedule, epochs: 2)
        let audit = FrozenTensorAudit(trainer.model, plan: plan)
        #expect(audit.entries.allSatisfy { $0.fixedThroughEpoch == 0 })
        for epoch in 0..<2 {
            _ = try trainer.runEpoch(epoch)
            audit.check(afterEpoch: epoch)
        }
        #expect(audit.changed.isEmpty && audit.entries.allSatisfy { $0.lastCheckedEpoch == 0 })
        #expect(audit.entries.contains { $0.lastDigest == $0.startDigest })
    }
}
