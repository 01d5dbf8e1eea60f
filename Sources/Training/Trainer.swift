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
///
/// Building a trainer moves the model's parameters into the optimizer's arena (`SGD`).
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
    /// `last_opt_step`: the global iteration of the last optimizer step (-1 before the first).
    public internal(set) var lastOptimizerStep = -1
    /// The next iteration to run.
    public internal(set) var position = TrainingPosition(epoch: 0)
    /// Reports of the iterations of `position.epoch` that have run (restored with a mid-epoch checkpoint).
    public internal(set) var epochIterations: [IterationReport] = []
    /// Validate after every epoch (YOLOv5), or only after the last one (pretraining).
    public var validatesEveryEpoch = true
    /// Asked after every iteration and before every epoch: when it is set, `run` returns `.stopped`.
    public var stopRequest: StopRequest?
    /// Which parameters train in which epoch and their lr/decay factors (`use(_:)`); nil: the
    /// freezing applied before the trainer was built, for every epoch.
    public internal(set) var fineTuning: FineTuningPlan?
    /// The processes training this run together (YOLOv5 DDP); `SingleProcess` alone. Set it
    /// before `run`, then call `synchronizeStartingWeights()`.
    public var processGroup: any ProcessGroup = SingleProcess()

    /// A trainer for `model` as it is now (weights loaded and freezing applied).
    public init(model: YOLOv5Model, settings: TrainingSettings, train: BatchSource, validation: BatchSource?) throws {
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
        ema = try ModelEMA(copying: model, parameters: optimizer.arena)
    }

    /// Trains epochs `start ..< settings.epochs`, validating the EMA model after each. When a
    /// checkpoint saved inside epoch `start` was restored, epoch `start` continues from there.
    @discardableResult
    public func run(from start: Int = 0, observer: TrainingObserver? = nil) throws -> TrainingOutcome {
        let resumesInside = position.epoch == start && !position.isEpochStart
        return try run(from: resumesInside ? position : TrainingPosition(epoch: start), observer: observer)
    }

    /// Trains from `start` (mid-epoch only after `TrainingCheckpoint.restore` of a checkpoint
    /// saved there) to the end, or until `stopRequest` is set.
    @discardableResult
    public func run(from start: TrainingPosition, observer: TrainingObserver? = nil) throws -> TrainingOutcome {
        var next = start
        while next.epoch < settings.epochs {
            if next.isEpochStart, processGroup.anyRank(stopRequest?.isRequested == true) {
                position = next
                epochIterations = []
                return .stopped(at: next)
            }
            guard let report = try trainEpoch(next.epoch, from: next.iteration, observer: observer, stoppable: true) else {
                return .stopped(at: position)
            }
            try observer?.trainer(didFinishEpoch: report)
            next = TrainingPosition(epoch: next.epoch + 1)
        }
        return .completed
    }

    /// One epoch of training followed by validation.
    public func runEpoch(_ epoch: Int, observer: TrainingObserver? = nil) throws -> EpochReport {
        try trainEpoch(epoch, from: 0, observer: observer, stoppable: false)!
    }

    /// Iterations `start ..<` of `epoch`, then validation; nil when a stop was requested first.
    private func trainEpoch(_ epoch: Int, from start: Int, observer: TrainingObserver?, stoppable: Bool) throws -> EpochReport? {
        prepareEpoch(epoch)
        if start == 0 {
            optimizer.zeroGradients()  // train.py: optimizer.zero_grad() at each epoch's start drops a partial accumulation
            epochIterations = []
        } else {
            precondition(position == TrainingPosition(epoch: epoch, iteration: start) && epochIterations.count == start,
                         "Trainer: resuming at epoch \(epoch), iteration \(start) needs the state saved there (now at \(position))")
        }
        position = TrainingPosition(epoch: epoch, iteration: start)
        let meter = MemoryMeter.shared
        // The previous epoch's validation left buffers of its own shapes in the allocator's
        // cache; drop them so that this epoch's memory figures are this epoch's.
        emptyTensorCache()
        ProcessStatistics.releaseFreedMemory()
        meter.resetPeak()
        ProcessStatistics.resetPeakResident()
        let (wallStart, cpuStart) = (monotonicSeconds(), ProcessStatistics.cpuSeconds)
        let batches = train.batches(epoch: epoch, from: start)
        var waitStart = monotonicSeconds()
        while let batch = batches.next() {
            let report = try trainIteration(batch, epoch: epoch, iteration: position.iteration, waitSeconds: monotonicSeconds() - waitStart)
            epochIterations.append(report)
            position.iteration += 1
            observer?.trainer(didFinishIteration: report)
            if stoppable, processGroup.anyRank(stopRequest?.isRequested == true) {
                // Every rank keeps the mean of what it accumulated since the last step, so the
                // checkpoint saved here resumes on any rank: the mean of (mean + new) is the same.
                if processGroup.size > 1 { averageGradients() }
                return nil
            }
            waitStart = monotonicSeconds()
        }
        guard !epochIterations.isEmpty else { throw TrainingError.emptyEpoch(epoch: epoch) }
        let validates = validatesEveryEpoch || epoch == settings.epochs - 1
        let validationStart = monotonicSeconds()
        let validationResult = validates && processGroup.isRoot
            ? validation.map { Evaluator(loss: loss).evaluate(ema.model, batches: $0.batches(epoch: epoch)) } : nil
        var seconds = epochIterations.map(\.seconds).reduce(TimeSplit(), +)
        seconds.validation = monotonicSeconds() - validationStart
        let wall = monotonicSeconds() - wallStart
        let n = Double(epochIterations.count)
        let trainSeconds = epochIterations.map { $0.waitSeconds + $0.computeSeconds }.reduce(0, +)
        position = TrainingPosition(epoch: epoch + 1)
        let job = try jobFigures(images: epochIterations.map(\.images).reduce(0, +), trackedPeakBytes: meter.peakBytes)
        return EpochReport(
            epoch: epoch, trainBox: epochIterations.map(\.box).reduce(0, +) / n,
            trainObj: epochIterations.map(\.obj).reduce(0, +) / n, trainCls: epochIterations.map(\.cls).reduce(0, +) / n,
            validation: validationResult, learningRates: epochIterations.last!.learningRates,
            epochSeconds: trainSeconds + seconds.validation, trainSeconds: trainSeconds, seconds: seconds,
            trainImages: job.images, trackedPeakBytes: job.trackedPeakBytes,
            peakResidentBytes: job.peakResidentBytesPerRank.reduce(0, +), peakResidentBytesPerRank: job.peakResidentBytesPerRank,
            cpuUtilization: (ProcessStatistics.cpuSeconds - cpuStart) / wall / Double(computeCores),
            iterations: epochIterations)
    }

    /// train.py's inner loop body: warm-up settings, forward, loss, backward, and every
    /// `accumulate` iterations clipping, the optimizer step and the EMA update.
    private func trainIteration(_ batch: TrainingBatch, epoch: Int, iteration i: Int, waitSeconds: Double) throws -> IterationReport {
        let nb = train.batchesPerEpoch
        let ni = i + nb * epoch
        let (rates, momentum, accumulate) = schedule.settings(iteration: ni, epoch: epoch)
        optimizer.learningRates = rates
        optimizer.momenta = [Double](repeating: momentum, count: 3)
        var seconds = TimeSplit()
        seconds.dataWait = waitSeconds
        var clock = monotonicSeconds()
        let start = clock
        func lap() -> Double {
            let now = monotonicSeconds()
            defer { clock = now }
            return now - clock
        }

        let raw = model.forward(batch.images, training: true, recordsForBackward: true)
        let result = loss(raw, targets: batch.targets, detect: model.detect)
        seconds.forward = lap()
        guard result.total.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, iteration: i, value: result.total) }
        // train.py under DDP: `loss *= WORLD_SIZE`, since the all-reduce averages over ranks.
        if processGroup.size > 1 { for gradient in result.gradients { scale(gradient, by: Float(processGroup.size)) } }
        model.backward(result.gradients)
        seconds.backward = lap()
        let trackedBytes = MemoryMeter.shared.liveBytes
        let steps = ni - lastOptimizerStep >= accumulate
        var gradientNorm = Double.nan
        if steps {
            averageGradients()
            gradientNorm = optimizer.clipGradientNorm(maxNorm: settings.gradientClipNorm ?? .infinity)
            optimizer.step()
            optimizer.zeroGradients()
            seconds.optimizer = lap()
            if processGroup.isRoot { ema.update() }  // YOLOv5: the EMA lives on rank 0 only
            seconds.ema = lap()
            lastOptimizerStep = ni
        }
        return IterationReport(
            epoch: epoch, iteration: i, globalIteration: ni, iterationsPerEpoch: nb,
            box: result.box, obj: result.obj, cls: result.cls, total: result.total,
            learningRates: rates, momentum: momentum, accumulate: accumulate, images: batch.images.n,
            waitSeconds: waitSeconds, computeSeconds: monotonicSeconds() - start, seconds: seconds,
            optimizerStepped: steps, gradientNorm: gradientNorm, trackedBytes: trackedBytes)
    }
}
