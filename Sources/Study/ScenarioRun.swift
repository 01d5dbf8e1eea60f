import Foundation
import Training
import YOLOv5

/// One scenario of a sweep: build, resume or start, train with recording, check that frozen
/// tensors did not move, mark complete.
struct ScenarioRun {
    let sweep: Sweep
    let scenario: ScenarioDefinition
    let store: ResultsStore

    var checkpointURL: URL {
        sweep.resultsURL.deletingLastPathComponent().appendingPathComponent("checkpoints")
            .appendingPathComponent("\(scenario.name).safetensors")
    }

    func run() throws {
        let settings = scenario.settings
        let data = try sweep.dataURL(settings)
        let weights = try sweep.weightsURL(settings)
        let job = try TrainingJob(settings: settings, freeze: scenario.freeze, model: sweep.study.resolve(settings.model), data: data.url,
                                  weights: weights.url, hyp: sweep.study.resolve(settings.hyp), log: sweep.log)
        sweep.log("\(scenario.name): freeze \(scenario.freeze.text) (bn: \(settings.bn.rawValue)): \(job.freezeSummary.trainableParameters) "
                  + "trainable, \(job.freezeSummary.frozenParameters) frozen parameters; \(job.weightsReport)")
        let startingValues = job.frozenFingerprints()
        let embedded: [String: Any]? = settings.data == "synthetic" || settings.weights == "pretrained" ? embeddedDescription : nil
        let configuration = ScenarioConfiguration(study: sweep.study, scenario: scenario, job: job, dataDescription: data.description,
                                                  weightsDescription: weights.description, embedded: embedded).json
        let info = ScenarioInfo(freeze: scenario.freeze.text, freezePatterns: scenario.freeze.patterns, bn: settings.bn.rawValue,
                                trainableTensors: job.freezeSummary.trainableTensors, trainableParameters: job.freezeSummary.trainableParameters,
                                frozenTensors: job.freezeSummary.frozenTensors, frozenParameters: job.freezeSummary.frozenParameters,
                                configJSON: configuration, seed: Int64(settings.seed), command: sweep.options.command)
        try sweep.makeFolder(checkpointURL.deletingLastPathComponent())
        let status = try store.scenarioStatus(scenario.name)
        let restart = status == .complete || (status != nil && sweep.options.force)
        try store.beginScenario(scenario.name, info, restart: restart)
        var startEpoch = 0
        if status == .running && !restart, FileManager.default.fileExists(atPath: checkpointURL.path) {
            let restored = try TrainingCheckpoint.restore(checkpointURL, into: job.trainer)
            startEpoch = restored.completedEpochs
            sweep.log("\(scenario.name): resuming after epoch \(startEpoch) from \(checkpointURL.path)")
        } else {
            try? FileManager.default.removeItem(at: checkpointURL)
        }
        // Epochs recorded after the checkpoint (a kill between the two writes) are dropped.
        try store.truncate(scenario.name, toEpochs: startEpoch)

        let recorder = ScenarioRecorder(store: store, scenario: scenario.name, classNames: job.trainData.classNames,
                                        checkpoint: checkpointURL, configuration: configuration,
                                        progress: Progress(scenario: scenario.name, epochs: settings.epochs))
        recorder.trainer = job.trainer
        let problemsBefore = job.loaderProblemCount
        do {
            try job.trainer.run(from: startEpoch, observer: recorder)
        } catch let error as TrainingError {
            throw StudyError("scenario '\(scenario.name)': \(error); the epochs before it are recorded in \(sweep.resultsURL.path)")
        }
        job.reportLoaderProblems(sweep.log, after: problemsBefore)

        let now = Dictionary(uniqueKeysWithValues: job.model.namedParameters().map { ($0.0, $0.1) })
        let moved = startingValues.filter { name, hash in fingerprint(now[name]!.value) != hash }.map(\.0)
        try store.finishScenario(scenario.name, ScenarioCompletion(
            frozenTensorsUnchanged: moved.isEmpty, frozenTensorsChecked: startingValues.count,
            note: moved.isEmpty ? "" : "changed: " + moved.prefix(5).joined(separator: ", ")))
        sweep.log("\(scenario.name): complete; \(startingValues.count) frozen tensors "
                  + (moved.isEmpty ? "bit-identical to their starting values" : "CHANGED: \(moved.prefix(5))"))
    }

    var embeddedDescription: [String: Any] {
        let e = sweep.study.embedded
        return ["voc_images": e.vocImages, "image_size": e.vocImageSize, "source_images": e.sourceImages, "seed": e.seed,
                "source_classes": e.sourceClasses.rawValue,
                "pretrain_epochs": e.pretrainEpochs, "pretrain_image_size": e.pretrainImageSize,
                "pretrain_batch_size": e.pretrainBatchSize, "pretrain_hyp": e.pretrainHyp,
                "pretrain_nominal_batch_size": e.pretrainNominalBatchSize,
                "synthetic_generator_version": SyntheticVOCVersion.current]
    }
}
