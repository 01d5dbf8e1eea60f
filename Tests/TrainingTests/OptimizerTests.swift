import Foundation
import NeuralCore
import TestSupport
import Testing
@testable import Training
import YOLOv5

let experimentsHyps = Fixtures.repositoryRoot.appendingPathComponent("Experiments/hyps")

@Suite struct HyperparameterTests {
    @Test func guideFinetuneValuesAsRecipe() throws {
        let hyp = try Hyperparameters(contentsOf: experimentsHyps.appendingPathComponent("hyp.finetune.yaml"))
        #expect(hyp.lr0 == 0.0032 && hyp.lrf == 0.12 && hyp.momentum == 0.843 && hyp.weightDecay == 0.00036)
        #expect(hyp.warmupEpochs == 2 && hyp.warmupMomentum == 0.5 && hyp.warmupBiasLR == 0.05)
        #expect(hyp.box == 0.0296 && hyp.cls == 0.243 && hyp.clsPositiveWeight == 0.631 && hyp.obj == 0.301 && hyp.objPositiveWeight == 0.911)
        #expect(hyp.anchorThreshold == 2.91 && hyp.anchors == nil && hyp.focalGamma == 0)
        #expect(hyp.scale == 0.898 && hyp.mosaic == 1 && hyp.mixup == 0.243 && hyp.flipUD == 0.00856)
        let low = try Hyperparameters(contentsOf: experimentsHyps.appendingPathComponent("hyp.scratch-low.yaml"))
        #expect(low.lr0 == 0.01 && low.lrf == 0.01 && low.momentum == 0.937 && low.copyPaste == 0 && low.anchorThreshold == 4)
    }

    @Test func unknownAndMissingKeysAreNamed() throws {
        let text = try String(contentsOf: experimentsHyps.appendingPathComponent("hyp.scratch-low.yaml"), encoding: .utf8)
        do {
            _ = try Hyperparameters(yaml: text + "\nlr00: 0.1\n", file: "h.yaml")
            Issue.record("an unknown key was accepted")
        } catch {
            #expect("\(error)".contains("unknown key 'lr00'"), "\(error)")
        }
        do {
            _ = try Hyperparameters(yaml: text.replacingOccurrences(of: "momentum: 0.937", with: ""), file: "h.yaml")
            Issue.record("a missing key was accepted")
        } catch {
            #expect("\(error)".contains("missing hyperparameter momentum"), "\(error)")
        }
    }

    @Test func augmentationValuesThatCannotWorkAreRefused() throws {
        let text = try String(contentsOf: experimentsHyps.appendingPathComponent("hyp.scratch-low.yaml"), encoding: .utf8)
        for (line, key) in [("scale: 1.2", "scale"), ("mosaic: 1.5", "mosaic")] {
            let original = text.split(separator: "\n").first { $0.hasPrefix(key + ":") }!
            do {
                _ = try Hyperparameters(yaml: text.replacingOccurrences(of: original, with: line), file: "h.yaml")
                Issue.record("\(line) was accepted")
            } catch {
                #expect("\(error)".contains(key) && "\(error)".contains("h.yaml:"), "\(error)")
            }
        }
    }

    @Test func lossGainsFollowTrainPy() throws {
        // RECIPE.md §0: hyp.finetune at nl 3, nc 20, imgsz 512: 0.0296 / 0.19264 / 0.06075.
        let hyp = try Hyperparameters(contentsOf: experimentsHyps.appendingPathComponent("hyp.finetune.yaml"))
        let gains = LossGains(hyp, levels: 3, classes: 20, imageSize: 512)
        #expect(abs(gains.box - 0.0296) < 1e-12 && abs(gains.obj - 0.19264) < 1e-12 && abs(gains.cls - 0.06075) < 1e-12)
        #expect(gains.userObj == 0.301 && gains.userCls == 0.243, "the user's values are kept beside the effective ones")
    }
}

@Suite struct ScheduleTests {
    func finetune() throws -> Hyperparameters {
        try Hyperparameters(contentsOf: experimentsHyps.appendingPathComponent("hyp.finetune.yaml"))
    }

    @Test func guideRunNumbers() throws {
        // RECIPE.md §0: 345 batches of 48: accumulate 1, decay 0.00027, warm-up 690. The last epoch
        // trains at lr0·lf(48) = 4.9664e-4, one epoch late (RECIPE.md §4; PyTorch's LambdaLR run as
        // train.py runs it), not lr0·lf(49) = 4.4032e-4.
        let schedule = WarmupSchedule(hyp: try finetune(), schedule: .linear, epochs: 50, batchesPerEpoch: 345, batchSize: 48)
        #expect(schedule.accumulate == 1 && abs(schedule.weightDecay - 0.00027) < 1e-15 && schedule.warmupIterations == 690)
        #expect(abs(schedule.settings(iteration: 49 * 345, epoch: 49).learningRates[1] - 4.9664e-4) < 1e-9)
        // --cos-lr: lr0·(lrf + (1 − lrf)(1 + cos(48π/50))/2).
        let cosine = WarmupSchedule(hyp: try finetune(), schedule: .cosine, epochs: 50, batchesPerEpoch: 345, batchSize: 48)
        #expect(abs(cosine.settings(iteration: 49 * 345, epoch: 49).learningRates[1] - 0.0032 * (0.12 + 0.88 * (1 + cos(48 * Double.pi / 50)) / 2)) < 1e-15)
    }

    @Test func warmupInterpolatesAsTrainPy() throws {
        let hyp = try finetune()
        let schedule = WarmupSchedule(hyp: hyp, schedule: .linear, epochs: 10, batchesPerEpoch: 100, batchSize: 16)
        #expect(schedule.warmupIterations == 200 && schedule.accumulate == 4)
        let start = schedule.settings(iteration: 0, epoch: 0)
        #expect(start.learningRates == [0.05, 0, 0] && start.momentum == 0.5 && start.accumulate == 1)
        let half = schedule.settings(iteration: 100, epoch: 1)
        let target = 0.0032 * ((1 - 0.1) * (1 - 0.12) + 0.12)
        #expect(abs(half.learningRates[0] - (0.05 + 0.5 * (target - 0.05))) < 1e-15 && abs(half.learningRates[1] - 0.5 * target) < 1e-15)
        #expect(abs(half.momentum - (0.5 + 0.5 * (0.843 - 0.5))) < 1e-15 && half.accumulate == 2, "round(1 + 0.5·3) = round(2.5) = 2")
        // Warm-up ends at ni 200, in epoch 2: the rest of epoch 2 keeps its last value lr0·lf(2);
        // epoch 3 trains at LambdaLR's lr0·lf(2) too, epoch 4 at lr0·lf(3).
        let after = schedule.settings(iteration: 201, epoch: 2)
        #expect(after.learningRates.allSatisfy { abs($0 - 0.0032 * ((1 - 0.2) * 0.88 + 0.12)) < 1e-15 } && after.momentum == 0.843)
        #expect(schedule.settings(iteration: 300, epoch: 3).learningRates == after.learningRates)
        #expect(schedule.settings(iteration: 400, epoch: 4).learningRates[1] == 0.0032 * ((1 - 3.0 / 10) * (1.0 - 0.12) + 0.12))
    }

    @Test func warmupValuesAreNumpyInterpBitForBit() throws {
        // np.interp(ni, [0, nw], [a, b]) = (b − a) / nw · ni + a, and exactly b at nw; accumulate
        // rounds half to even: np.interp(50, [0, 100], [1, 4]) = 2.5 → 2.
        let schedule = WarmupSchedule(hyp: try finetune(), schedule: .linear, epochs: 14, batchesPerEpoch: 8, batchSize: 16)
        let target = 0.0032 * ((1 - 12.0 / 14) * (1.0 - 0.12) + 0.12)
        let at = schedule.settings(iteration: 37, epoch: 4)
        let lf4 = 0.0032 * ((1 - 4.0 / 14) * (1.0 - 0.12) + 0.12)
        #expect(at.learningRates == [(lf4 - 0.05) / 100 * 37 + 0.05, (lf4 - 0) / 100 * 37 + 0, (lf4 - 0) / 100 * 37 + 0])
        #expect(at.momentum == (0.843 - 0.5) / 100 * 37 + 0.5)
        #expect(schedule.settings(iteration: 50, epoch: 6).accumulate == 2 && schedule.settings(iteration: 51, epoch: 6).accumulate == 3)
        #expect(schedule.settings(iteration: 100, epoch: 12).learningRates == [target, target, target])
    }
}

@Suite struct SGDTests {
    @Test func nesterovStepsAsTorchOptimSGD() {
        // One weight with decay, one BN weight, one bias; two steps, against the formulas of
        // torch.optim.SGD(nesterov=True): d = g + wd·θ; buf = d, then μ·buf + d; θ −= lr·(d + μ·buf).
        let w = Parameter(Tensor(shape: [2], values: [1, -2]))
        let gamma = Parameter(Tensor(shape: [1], values: [0.5]))
        let b = Parameter(Tensor(shape: [1], values: [0.1]))
        let frozen = Parameter(Tensor(shape: [1], values: [3]))
        frozen.isTrainable = false
        let sgd = SGD(parameters: [("conv.weight", w), ("bn.weight", gamma), ("bn.bias", b), ("frozen.weight", frozen)],
                      batchNormWeights: ["bn.weight"], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        #expect(sgd.count(.weights) == 2 && sgd.count(.batchNormWeights) == 1 && sgd.count(.biases) == 1)
        var theta = [1.0, -2.0], buf = [0.0, 0.0]
        for step in 0..<2 {
            w.gradientForAccumulation().assign(Tensor(shape: [2], values: [0.5, 0.25]))
            gamma.gradientForAccumulation().assign(Tensor(shape: [1], values: [1]))
            b.gradientForAccumulation().assign(Tensor(shape: [1], values: [-1]))
            sgd.step()
            for i in 0..<2 {
                let d = [0.5, 0.25][i] + 0.01 * theta[i]
                buf[i] = step == 0 ? d : 0.9 * buf[i] + d
                theta[i] -= 0.1 * (d + 0.9 * buf[i])
            }
            #expect(abs(Double(w.value.data[0]) - theta[0]) < 1e-6 && abs(Double(w.value.data[1]) - theta[1]) < 1e-6)
        }
        // No decay for BN weights and biases: after two steps of gradient 1, γ = 0.5 − 0.1·(1 + 0.9) − 0.1·(1 + 0.9·1.9).
        #expect(abs(gamma.value.data[0] - Float(0.5 - 0.19 - 0.271)) < 1e-6)
        #expect(frozen.value.values == [3] && frozen.grad == nil && sgd.buffers[3] == nil, "frozen: no update, no gradient, no momentum")
        #expect(sgd.arena.count == 5 && sgd.arena.holdsEveryParameter, "one arena for every value, frozen ones included")
    }

    @Test func stateLivesInContiguousArenasWithoutFrozenParameters() {
        let parameters = (0..<4).map { Parameter(Tensor(shape: [$0 + 1], repeating: Float($0))) }
        parameters[1].isTrainable = false
        let names = ["a.weight", "b.weight", "c.bias", "d.weight"]
        let sgd = SGD(parameters: Array(zip(names, parameters)), batchNormWeights: [], learningRate: 0.1, momentum: 0.5, weightDecay: 0)
        // Biases first, then weights (model order): c, a, b, d.
        #expect(sgd.arena.values.values == [2, 2, 2, 0, 1, 1, 3, 3, 3, 3])
        #expect(parameters.map { $0.value.values } == [[0], [1, 1], [2, 2, 2], [3, 3, 3, 3]])
        for p in parameters where p.isTrainable { p.grad!.fill(1) }
        sgd.step()
        #expect(sgd.buffers.map { $0?.count } == [1, nil, 3, 4], "momentum for the trainable ones only")
        #expect(parameters[1].value.values == [1, 1])
        #expect(parameters[0].value.values == [Float(0) - 0.1 * (1 + 0.5 * 1)])

        // Unfreezing b after a step: the next step lays the arenas out again; b starts its momentum
        // then, the others keep theirs.
        parameters[1].isTrainable = true
        _ = parameters[1].gradientForAccumulation()
        for p in parameters { p.grad!.fill(1) }
        sgd.step()
        #expect(parameters[1].value.values == [Float(1) - 0.1 * (1 + 0.5 * 1), Float(1) - 0.1 * (1 + 0.5 * 1)])
        let buffer = Float(0.5) * 1 + 1
        #expect(parameters[0].value.values == [Float(0) - 0.1 * (1 + 0.5 * 1) - 0.1 * (1 + 0.5 * buffer)])
        #expect(sgd.buffers.allSatisfy { $0 != nil })
    }

    @Test func clippingScalesTheGlobalNorm() {
        let a = Parameter(Tensor(shape: [2], values: [0, 0])), b = Parameter(Tensor(shape: [1], values: [0]))
        let sgd = SGD(parameters: [("a.weight", a), ("b.weight", b)], batchNormWeights: [], learningRate: 0.1, momentum: 0.9, weightDecay: 0)
        a.grad!.assign(Tensor(shape: [2], values: [30, 0]))
        b.grad!.assign(Tensor(shape: [1], values: [40]))
        let norm = sgd.clipGradientNorm(maxNorm: 10)
        #expect(norm == 50)
        #expect(abs(a.grad!.data[0] - 6) < 1e-4 && abs(b.grad!.data[0] - 8) < 1e-4)
        #expect(sgd.clipGradientNorm(maxNorm: 20) < 10.0001 && abs(b.grad!.data[0] - 8) < 1e-4, "below the limit: unchanged")
    }
}

@Suite struct ModelEMATests {
    @Test func decayRampsAndAveragesEveryFloatEntry() throws {
        var spec = try ModelSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml"))
        spec.widthMultiple = 0.125
        let model = try YOLOv5Model(spec: spec, classCount: 3, seed: 1)
        let ema = try ModelEMA(copying: model, parameters: ParameterArena(model.namedParameters().map(\.1)))
        #expect(ema.model.stateDict().map(\.1.values) == model.stateDict().map(\.1.values))
        let before = ema.model.stateDict().map(\.1.values)
        for (_, t) in model.stateDict() { t.fill(1) }
        ema.update()
        let d = Float(0.9999 * (1 - exp(-1.0 / 2000)))
        for ((_, t), old) in zip(ema.model.stateDict(), before) {
            for i in 0..<t.count { #expect(abs(t.data[i] - (d * old[i] + (1 - d))) < 1e-6) }
        }
        #expect(ema.updates == 1)
    }
}
