import Foundation
import Training
import VOCData
import YOLOv5

/// The embedded default's stand-in for COCO weights: the model trained from scratch on the
/// synthetic `source` task (other classes, the same visual primitives), cached by a hash of
/// everything that shapes it.
struct Pretraining {
    let study: StudyFile
    let cacheDirectory: URL

    /// The pretrained checkpoint for `settings.model`, training it first if the cache lacks it.
    func weights(for settings: StudySettings, sourceData: URL, log: (String) -> Void) throws -> URL {
        let e = study.embedded
        let modelText = (try? String(contentsOf: study.resolve(settings.model), encoding: .utf8)) ?? settings.model
        let hypText = (try? String(contentsOf: study.resolve(e.pretrainHyp), encoding: .utf8)) ?? e.pretrainHyp
        let key = stableHash([modelText, hypText, sourceData.lastPathComponent, "\(e.pretrainEpochs)", "\(e.pretrainImageSize)",
                              "\(e.pretrainBatchSize)", "\(e.pretrainNominalBatchSize)", "\(e.seed)", settings.schedule.rawValue,
                              FreezeStudyVersion.current].joined(separator: "\u{1F}"))
        let url = cacheDirectory.appendingPathComponent("pretrained").appendingPathComponent("source-\(key).safetensors")
        if FileManager.default.fileExists(atPath: url.path) { return url }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)

        var pretrain = settings
        pretrain.epochs = e.pretrainEpochs
        pretrain.imageSize = e.pretrainImageSize
        pretrain.batchSize = e.pretrainBatchSize
        pretrain.seed = e.seed
        pretrain.nominalBatchSize = e.pretrainNominalBatchSize
        pretrain.bn = .update
        log("pretraining \(settings.model) from scratch on the synthetic source task (\(e.pretrainEpochs) epochs at "
            + "\(e.pretrainImageSize) px); the checkpoint is cached as \(url.path)")
        let job = try TrainingJob(settings: pretrain, freeze: .nothing, model: study.resolve(settings.model), data: sourceData,
                                  weights: nil, hyp: study.resolve(e.pretrainHyp), log: log)
        job.trainer.validatesEveryEpoch = false
        let progress = Progress(scenario: "pretrain", epochs: pretrain.epochs)
        final class Observer: TrainingObserver {
            let progress: Progress
            init(_ progress: Progress) { self.progress = progress }
            func trainer(didFinishIteration report: IterationReport) { progress.iteration(report) }
            func trainer(didFinishEpoch report: EpochReport) throws { progress.epoch(report) }
        }
        try job.trainer.run(observer: Observer(progress))
        try TrainingCheckpoint.save(job.trainer, completedEpochs: pretrain.epochs,
                                    configuration: #"{"pretraining": "synthetic source"}"#, to: url)
        return url
    }
}

/// The synthetic data generator's version (part of every cache key).
enum SyntheticVOCVersion {
    static var current: Int { SyntheticVOC.generatorVersion }
}
