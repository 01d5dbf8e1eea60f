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

    /// The committed checkpoints' folder: `pretrained/` beside the study file.
    var committedFolder: URL { study.resolve("pretrained") }

    /// The pretrained checkpoint for `settings.model`: the committed one if its configuration
    /// matches (its SHA-256 checked), else the cached one, else trained first. The log says which.
    func weights(for settings: StudySettings, sourceData: URL, log: (String) -> Void) throws -> URL {
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
        try train(settings, sourceData: sourceData, to: url, log: log)
        return url
    }

    /// The cache file of `configuration` made by this version of FreezeStudy.
    func cachedURL(_ configuration: PretrainingConfiguration) -> URL {
        let key = stableHash(configuration.text + "tool_version: \(FreezeStudyVersion.current)\n")
        return cacheDirectory.appendingPathComponent("pretrained").appendingPathComponent("source-\(key).safetensors")
    }

    /// Trains from scratch on `sourceData` and saves the trainer's checkpoint (model, EMA,
    /// momentum) to `url`, with the last validation in its `config` metadata.
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
        log("pretraining \(settings.model) from scratch on the synthetic source task (\(e.sourceClasses.rawValue) classes, "
            + "\(e.sourceImages) images, \(e.pretrainEpochs) epochs at \(e.pretrainImageSize) px); the checkpoint is cached as \(url.path)")
        let job = try TrainingJob(settings: pretrain, freeze: .nothing, model: study.resolve(settings.model), data: sourceData,
                                  weights: nil, hyp: study.resolve(e.pretrainHyp), log: log)
        job.trainer.validatesEveryEpoch = validatesEveryEpoch
        let lastValidation = try withoutActuallyEscaping(log) { log in
            let observer = PretrainingObserver(Progress(scenario: "pretrain", epochs: pretrain.epochs),
                                               classNames: job.trainData.classNames, log: log)
            try job.trainer.run(observer: observer)
            return observer.lastValidation
        }
        let metadata = try JSONSerialization.data(withJSONObject: ["pretraining": "synthetic source",
                                                                   "source_validation": lastValidation],
                                                  options: [.sortedKeys])
        try TrainingCheckpoint.save(job.trainer, completedEpochs: pretrain.epochs,
                                    configuration: String(decoding: metadata, as: UTF8.self), to: url)
    }

    /// What the cached checkpoint at `url` reached on the source validation images ("" if unknown).
    static func sourceValidation(of url: URL) -> String {
        guard let text = try? TrainingCheckpoint.info(url).configuration,
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return "" }
        return object["source_validation"] as? String ?? ""
    }
}

/// Shows the pretraining's progress and keeps its last validation, with mAP@0.5 over the
/// source classes that are also VOC's (the ones the target needs) beside the overall one.
private final class PretrainingObserver: TrainingObserver {
    let progress: Progress
    let shared: [Int]
    let log: (String) -> Void
    var lastValidation = ""

    init(_ progress: Progress, classNames: [String], log: @escaping (String) -> Void) {
        self.progress = progress
        shared = classNames.indices.filter { vocClassNames.contains(classNames[$0]) }
        self.log = log
    }

    func trainer(didFinishIteration report: IterationReport) { progress.iteration(report) }

    func trainer(didFinishEpoch report: EpochReport) throws {
        progress.epoch(report)
        guard let v = report.validation else { return }
        let sharedAP = shared.map { v.ap50PerClass.indices.contains($0) ? v.ap50PerClass[$0] : .nan }.filter { !$0.isNaN }
        let sharedMean = sharedAP.isEmpty ? Double.nan : sharedAP.reduce(0, +) / Double(sharedAP.count)
        lastValidation = String(format: "epoch %d: mAP@0.5 %.3f, mAP@0.5:0.95 %.3f, mAP@0.5 of the %d VOC classes %.3f",
                                report.epoch + 1, v.metrics.map50, v.metrics.map50to95, shared.count, sharedMean)
        log("pretrain source val " + lastValidation)
    }
}

/// The synthetic data generator's version (part of every cache key).
enum SyntheticVOCVersion {
    static var current: Int { SyntheticVOC.generatorVersion }
}
