import Foundation
import NeuralCore
import YOLOv5

/// Settings of a training run (the flags train.py takes).
public struct TrainingSettings: Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var imageSize: Int
    public var hyp: Hyperparameters
    public var schedule: LearningRateSchedule = .linear
    /// v7 clips the global gradient norm at 10; nil disables clipping (the guide era).
    public var gradientClipNorm: Double? = 10
    /// Gradients accumulate to this many images per optimizer step (train.py's nbs = 64).
    public var nominalBatchSize = WarmupSchedule.yoloNominalBatchSize

    public init(epochs: Int, batchSize: Int, imageSize: Int, hyp: Hyperparameters) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.imageSize = imageSize
        self.hyp = hyp
    }
}

/// YOLOv5 v7's training loop (train.py) over a `BatchSource`: warm-up, gradient accumulation
/// to the nominal batch of 64, SGD, gradient clipping, EMA, and validation of the EMA model
/// after every epoch. It measures itself and reports through a `TrainingObserver`; it knows
/// nothing of files, HDF5 or reports.
public final class Trainer {
    public let model: YOLOv5Model
    public let ema: ModelEMA
    public let optimizer: SGD
    public let gains: LossGains
    public let loss: DetectionLoss
    public let settings: TrainingSettings
    public let schedule: WarmupSchedule
    let train: BatchSource
    let validation: BatchSource?
    /// `last_opt_step`: the global iteration of the last optimizer step.
    private var lastStep = -1
    /// Validate after every epoch (YOLOv5), or only after the last one (pretraining).
    public var validatesEveryEpoch = true

    /// A trainer for `model` as it is now (weights loaded and freezing applied).
    public init(model: YOLOv5Model, settings: TrainingSettings, train: BatchSource, validation: BatchSource?,
                ema: ModelEMA? = nil) throws {
        self.model = model
        self.settings = settings
        self.train = train
        self.validation = validation
        schedule = WarmupSchedule(hyp: settings.hyp, schedule: settings.schedule, epochs: settings.epochs,
                                  batchesPerEpoch: train.batchesPerEpoch, batchSize: settings.batchSize,
                                  nominalBatchSize: settings.nominalBatchSize)
        gains = LossGains(settings.hyp, levels: model.detect.levels, classes: model.classCount, imageSize: settings.imageSize)
        loss = DetectionLoss(settings: gains.lossSettings(settings.hyp, levels: model.detect.levels))
        let batchNormWeights = Set(model.namedBatchNorms.map { $0.0 + ".weight" })
        optimizer = SGD(parameters: model.namedParameters(), batchNormWeights: batchNormWeights,
                        learningRate: settings.hyp.lr0, momentum: settings.hyp.momentum, weightDecay: schedule.weightDecay)
        self.ema = try ema ?? ModelEMA(copying: model)
    }

    /// Trains epochs `start ..< settings.epochs`, validating the EMA model after each.
    public func run(from start: Int = 0, observer: TrainingObserver? = nil) throws {
        for epoch in start..<settings.epochs {
            let report = try runEpoch(epoch, observer: observer)
            try observer?.trainer(didFinishEpoch: report)
        }
    }

    /// One epoch of training followed by validation.
    public func runEpoch(_ epoch: Int, observer: TrainingObserver? = nil) throws -> EpochReport {
        let meter = MemoryMeter.shared
        // The previous epoch's validation left buffers of its own shapes in the allocator's
        // cache; drop them so that this epoch's memory figures are this epoch's.
        emptyTensorCache()
        ProcessStatistics.releaseFreedMemory()
        meter.resetPeak()
        ProcessStatistics.resetPeakResident()
        let (wallStart, cpuStart) = (monotonicSeconds(), ProcessStatistics.cpuSeconds)
        var sums = (box: 0.0, obj: 0.0, cls: 0.0)
        var iterations: [IterationReport] = []
        var lastRates = optimizer.learningRates
        let batches = train.batches(epoch: epoch)
        let nb = train.batchesPerEpoch
        var i = 0
        var waitStart = monotonicSeconds()
        while let batch = batches.next() {
            let computeStart = monotonicSeconds()
            let ni = i + nb * epoch
            let (rates, momentum, accumulate) = schedule.settings(iteration: ni, epoch: epoch)
            optimizer.learningRates = rates
            optimizer.momenta = [Double](repeating: momentum, count: 3)
            lastRates = rates

            let raw = model.forward(batch.images, training: true, recordsForBackward: true)
            let result = loss(raw, targets: batch.targets, detect: model.detect)
            guard result.total.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, iteration: i, value: result.total) }
            model.backward(result.gradients)
            let steps = ni - lastStep >= accumulate
            var gradientNorm = Double.nan
            if steps {
                gradientNorm = clipGradientNorm(optimizer.members.map(\.parameter), maxNorm: settings.gradientClipNorm ?? .infinity)
                optimizer.step()
                optimizer.zeroGradients()
                ema.update()
                lastStep = ni
            }
            sums.box += result.box; sums.obj += result.obj; sums.cls += result.cls
            let end = monotonicSeconds()
            let report = IterationReport(
                epoch: epoch, iteration: i, globalIteration: ni, iterationsPerEpoch: nb,
                box: result.box, obj: result.obj, cls: result.cls, total: result.total,
                learningRates: rates, momentum: momentum, images: batch.images.n,
                waitSeconds: computeStart - waitStart, computeSeconds: end - computeStart,
                optimizerStepped: steps, gradientNorm: gradientNorm, trackedBytes: meter.liveBytes)
            iterations.append(report)
            observer?.trainer(didFinishIteration: report)
            i += 1
            waitStart = monotonicSeconds()
        }
        guard i > 0 else { throw TrainingError.emptyEpoch(epoch: epoch) }
        let trainSeconds = monotonicSeconds() - wallStart
        let validates = validatesEveryEpoch || epoch == settings.epochs - 1
        let validationResult = validates
            ? validation.map { Evaluator(loss: loss).evaluate(ema.model, batches: $0.batches(epoch: epoch)) } : nil
        let wall = monotonicSeconds() - wallStart
        let n = Double(i)
        return EpochReport(
            epoch: epoch, trainBox: sums.box / n, trainObj: sums.obj / n, trainCls: sums.cls / n,
            validation: validationResult, learningRates: lastRates, epochSeconds: wall, trainSeconds: trainSeconds,
            dataWaitSeconds: iterations.map(\.waitSeconds).reduce(0, +), trainImages: iterations.map(\.images).reduce(0, +),
            trackedPeakBytes: meter.peakBytes, peakResidentBytes: ProcessStatistics.peakResidentBytes,
            cpuUtilization: (ProcessStatistics.cpuSeconds - cpuStart) / wall / Double(computeCores),
            iterations: iterations)
    }
}
