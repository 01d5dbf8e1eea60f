import Foundation
import Training
import VOCData
import YOLOv5

/// The embedded default's stand-in for COCO weights: the model trained from scratch on the
/// synthetic `source` task. Taken from a committed checkpoint whose manifest names the same
/// configuration (`CommittedPretraining`), else from the cache, else trained and cached.
struct Pretraining {
    let study: StudyFile
    let cacheDirectory: URL
    /// Validate on the source task's val images after every epoch (a convergence curve in the
    /// log); otherwise only after the last.
    var validatesEveryEpoch = false
    /// Stop (throwing `PretrainingStopped`) once this many epochs are saved, as a killed process
    /// would; the next call resumes. Tests only.
    var stopAfterEpochs: Int? = nil

    /// The committed checkpoints' folder: `pretrained/` beside the study file.
    var committedFolder: URL { study.resolve("pretrained") }

    /// The pretrained checkpoint for `settings.model`: the committed one if its configuration
    /// matches (its SHA-256 checked), else the cached one, else trained first on `sourceData()`
    /// (called only then: generating the source task takes a while). The log says which.
    func weights(for settings: StudySettings, sourceData: () throws -> URL, log: (String) -> Void) throws -> URL {
        let configuration = PretrainingConfiguration(study: study, settings: settings)
        if let committed = try CommittedPretraining(folder: committedFolder).checkpoint(for: configuration) {
            log("starting weights: the committed pretrained checkpoint \(committed.url.path) (configuration \(configuration.digest), "
                + "SHA-256 checked against its manifest; made by `\(committed.manifest.command)`)")
            return committed.url
        }
        let url = cachedURL(configuration)
        if FileManager.default.fileExists(atPath: url.path) {
            log("starting weights: the cached pretrained checkpoint \(url.path) (no committed checkpoint in "
                + "\(committedFolder.path) has configuration \(configuration.digest))")
            return url
        }
        log("no committed checkpoint in \(committedFolder.path) has configuration \(configuration.digest), and the cache has "
            + "none: pretraining")
        try train(settings, sourceData: try sourceData(), to: url, log: log)
        return url
    }

    /// The cache file of `configuration` made by this version of FreezeStudy.
    func cachedURL(_ configuration: PretrainingConfiguration) -> URL {
        let key = stableHash(configuration.text + "tool_version: \(FreezeStudyVersion.current)\n")
        return cacheDirectory.appendingPathComponent("pretrained").appendingPathComponent("source-\(key).safetensors")
    }

    /// Trains from scratch on `sourceData` and saves the trainer's checkpoint (model, EMA,
    /// momentum) to `url`, with the last validation in its `config` metadata. After every epoch
    /// the state is saved beside it (`….partial.safetensors`), and a pretraining that was stopped
    /// resumes from there, so a run longer than one sitting can be finished in several.
    private func train(_ settings: StudySettings, sourceData: URL, to url: URL, log: (String) -> Void) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let e = study.embedded
        var pretrain = settings
        pretrain.epochs = e.pretrainEpochs
        pretrain.imageSize = e.pretrainImageSize
        pretrain.batchSize = e.pretrainBatchSize
        pretrain.seed = e.seed
        pretrain.nominalBatchSize = e.pretrainNominalBatchSize
        pretrain.bn = .update
        // Pretraining trains everything from scratch: no scenario's fine-tuning schedule applies.
        (pretrain.unfreezeAt, pretrain.unfreeze, pretrain.unfreezeStep, pretrain.unfreezeLayers) = (nil, .all, 1, 1)
        (pretrain.learningRateMultipliers, pretrain.weightDecayMultipliers) = ([], [])
        log("pretraining \(settings.model) from scratch on the synthetic source task (\(e.sourceClasses.rawValue) classes, "
            + "\(e.sourceImages) images, \(e.pretrainEpochs) epochs at \(e.pretrainImageSize) px); the checkpoint is cached as \(url.path)")
        let job = try TrainingJob(settings: pretrain, freeze: .nothing, model: study.resolve(settings.model), data: sourceData,
                                  weights: nil, hyp: study.resolve(e.pretrainHyp), log: log)
        job.trainer.validatesEveryEpoch = validatesEveryEpoch
        let partial = Self.partialURL(url)
        var start = 0, lastValidation = ""
        if FileManager.default.fileExists(atPath: partial.path) {
            let info = try TrainingCheckpoint.restore(partial, into: job.trainer)
            start = info.completedEpochs
            lastValidation = Self.sourceValidation(info.configuration)
            log("resuming the pretraining after epoch \(start) of \(pretrain.epochs) from \(partial.path)")
        }
        lastValidation = try withoutActuallyEscaping(log) { log in
            let observer = PretrainingObserver(Progress(scenario: "pretrain", epochs: pretrain.epochs),
                                               classNames: job.trainData.classNames, lastValidation: lastValidation, log: log)
            observer.save = { epochs, validation in
                try TrainingCheckpoint.save(job.trainer, completedEpochs: epochs, configuration: Self.metadata(validation), to: partial)
                if let stop = stopAfterEpochs, epochs >= stop, epochs < pretrain.epochs { throw PretrainingStopped(completedEpochs: epochs) }
            }
            try job.trainer.run(from: start, observer: observer)
            return observer.lastValidation
        }
        try TrainingCheckpoint.save(job.trainer, completedEpochs: pretrain.epochs, configuration: Self.metadata(lastValidation), to: url)
        try? FileManager.default.removeItem(at: partial)
    }

    /// Where an unfinished pretraining keeps its state.
    static func partialURL(_ url: URL) -> URL {
        url.deletingPathExtension().appendingPathExtension("partial.safetensors")
    }

    /// The `config` metadata of a pretraining checkpoint.
    static func metadata(_ sourceValidation: String) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: ["pretraining": "synthetic source", "source_validation": sourceValidation],
                                              options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The `source_validation` of a pretraining checkpoint's `config` metadata ("" if none).
    static func sourceValidation(_ configuration: String) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(configuration.utf8)) as? [String: Any]
        return object?["source_validation"] as? String ?? ""
    }

    /// What the cached checkpoint at `url` reached on the source validation images ("" if unknown).
    static func sourceValidation(of url: URL) -> String {
        (try? TrainingCheckpoint.info(url).configuration).map(sourceValidation) ?? ""
    }
}

/// Thrown after `Pretraining.stopAfterEpochs` epochs (a stop, as a killed process would, for tests).
struct PretrainingStopped: Error {
    let completedEpochs: Int
}

/// Shows the pretraining's progress and keeps its last validation, with mAP@0.5 over the
/// source classes that are also VOC's (the ones the target needs) beside the overall one.
private final class PretrainingObserver: TrainingObserver {
    let progress: Progress
    let shared: [Int]
    let log: (String) -> Void
    var lastValidation: String
    /// Saves the state after `epochs` epochs with the last validation.
    var save: (_ epochs: Int, _ lastValidation: String) throws -> Void = { _, _ in }

    init(_ progress: Progress, classNames: [String], lastValidation: String, log: @escaping (String) -> Void) {
        self.progress = progress
        shared = classNames.indices.filter { vocClassNames.contains(classNames[$0]) }
        self.lastValidation = lastValidation
        self.log = log
    }

    func trainer(didFinishIteration report: IterationReport) { progress.iteration(report) }

    func trainer(didFinishEpoch report: EpochReport) throws {
        progress.epoch(report)
        if let v = report.validation { record(v, epoch: report.epoch) }
        try save(report.epoch + 1, lastValidation)
    }

    private func record(_ v: ValidationResult, epoch: Int) {
        let sharedAP = shared.map { v.ap50PerClass.indices.contains($0) ? v.ap50PerClass[$0] : .nan }.filter { !$0.isNaN }
        let sharedMean = sharedAP.isEmpty ? Double.nan : sharedAP.reduce(0, +) / Double(sharedAP.count)
        lastValidation = String(format: "epoch %d: mAP@0.5 %.3f, mAP@0.5:0.95 %.3f, mAP@0.5 of the %d VOC classes %.3f",
                                epoch + 1, v.metrics.map50, v.metrics.map50to95, shared.count, sharedMean)
        log("pretrain source val " + lastValidation)
    }
}
