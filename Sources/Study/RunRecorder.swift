import Foundation
import Results
import Training

/// Records a run while it trains: each epoch's series and iterations into its part (flushed),
/// the per-class AP, then a checkpoint to resume from, and progress lines.
final class RunRecorder: TrainingObserver {
    let store: ResultsStore
    let key: RunKey
    let classNames: [String]
    let checkpoint: URL
    let configuration: String
    let progress: Progress
    weak var trainer: Trainer?
    /// Compares the tensors that must not change after every epoch.
    var audit: FrozenTensorAudit?

    init(store: ResultsStore, key: RunKey, classNames: [String], checkpoint: URL, configuration: String, progress: Progress) {
        self.store = store
        self.key = key
        self.classNames = classNames
        self.checkpoint = checkpoint
        self.configuration = configuration
        self.progress = progress
    }

    func trainer(didFinishIteration report: IterationReport) { progress.iteration(report) }

    func trainer(didFinishEpoch report: EpochReport) throws {
        audit?.check(afterEpoch: report.epoch)
        let v = report.validation
        let record = EpochRecord(
            trainBox: report.trainBox, trainObj: report.trainObj, trainCls: report.trainCls,
            valBox: v?.box ?? .nan, valObj: v?.obj ?? .nan, valCls: v?.cls ?? .nan,
            precision: v?.metrics.meanPrecision ?? .nan, recall: v?.metrics.meanRecall ?? .nan,
            map50: v?.metrics.map50 ?? .nan, map50to95: v?.metrics.map50to95 ?? .nan,
            lr0: report.learningRates[0], lr1: report.learningRates[1], lr2: report.learningRates[2],
            epochSeconds: report.epochSeconds, imagesPerSecond: report.imagesPerSecond, cpuUtilization: report.cpuUtilization,
            trackedPeakBytes: Double(report.trackedPeakBytes), rssPeakBytes: Double(report.peakResidentBytes),
            dataWaitFraction: report.dataWaitSeconds / report.trainSeconds,
            secondsDataWait: report.seconds.dataWait, secondsForward: report.seconds.forward, secondsBackward: report.seconds.backward,
            secondsOptimizer: report.seconds.optimizer, secondsEMA: report.seconds.ema, secondsValidation: report.seconds.validation,
            rssPeakBytesLargestRank: Double(report.peakResidentBytesPerRank.max() ?? report.peakResidentBytes))
        let iterations = report.iterations.map {
            IterationRecord(loss: $0.box + $0.obj + $0.cls, imagesPerSecond: $0.imagesPerSecond, trackedBytes: Double($0.trackedBytes))
        }
        try store.append(record, epoch: report.epoch, iterations: iterations, to: key)
        if let v {
            try store.setPerClass(key, PerClassAP(names: classNames, ap50: v.ap50PerClass, ap50to95: v.ap50to95PerClass,
                                                  nLabels: v.labelsPerClass, epoch: report.epoch))
        }
        if let trainer {
            try TrainingCheckpoint.save(trainer, completedEpochs: report.epoch + 1, configuration: configuration, to: checkpoint)
        }
        progress.epoch(report)
    }
}
