import Foundation
import Results
import Training
import YOLOv5

/// One run (scenario × seed), trained in this process into its own part: build, resume or
/// start, train with recording, check that frozen tensors did not move, mark complete.
struct RunTraining {
    let inputs: RunInputs
    let log: (String) -> Void

    func run() throws {
        let key = inputs.key, settings = inputs.scenario.settings
        try makeFolder(inputs.part.deletingLastPathComponent())
        try makeFolder(inputs.checkpoint.deletingLastPathComponent())
        try makeFolder(inputs.progress.deletingLastPathComponent())
        let store = ResultsStore(url: inputs.part)
        do {
            try store.createOrOpen(study: inputs.identity)
        } catch ResultsStoreError.differentStudy(let file, _, let recordedDigest, _, let requestedDigest) {
            throw StudyError("\(file) holds this run with another configuration of the study (digest \(recordedDigest); this one is "
                             + "\(requestedDigest)); nothing was changed — move it away to train the run again")
        }
        let status = try store.runStatus(key)
        if status == .complete && !inputs.restart {
            log("\(key): complete in \(inputs.part.path); nothing to do (--restart trains it again)")
            return
        }
        let restart = status != nil && inputs.restart
        let job = try TrainingJob(settings: settings, freeze: inputs.scenario.freeze, model: inputs.model, data: inputs.data.url,
                                  weights: inputs.weights.url, hyp: inputs.hyp, log: log)
        log("\(key): freeze \(inputs.scenario.freeze.text) (bn: \(settings.bn.rawValue)): \(job.freezeSummary.trainableParameters) "
            + "trainable, \(job.freezeSummary.frozenParameters) frozen parameters; \(job.weightsReport)")
        let frozenCheck = FrozenTensorCheck(job.model)
        let configuration = ScenarioConfiguration(inputs, job: job).json
        let scenario = ScenarioInfo(freeze: inputs.scenario.freeze.text, freezePatterns: inputs.scenario.freeze.patterns, bn: settings.bn.rawValue,
                                    trainableTensors: job.freezeSummary.trainableTensors, trainableParameters: job.freezeSummary.trainableParameters,
                                    frozenTensors: job.freezeSummary.frozenTensors, frozenParameters: job.freezeSummary.frozenParameters,
                                    configJSON: configuration)
        try store.beginRun(key, scenario: scenario, run: inputs.run, order: inputs.order, restart: restart)
        var startEpoch = 0
        if status == .running && !restart, FileManager.default.fileExists(atPath: inputs.checkpoint.path) {
            let restored = try TrainingCheckpoint.restore(inputs.checkpoint, into: job.trainer)
            startEpoch = restored.completedEpochs
            log("\(key): resuming after epoch \(startEpoch) from \(inputs.checkpoint.path)")
        } else {
            try? FileManager.default.removeItem(at: inputs.checkpoint)
        }
        // Epochs recorded after the checkpoint (a kill between the two writes) are dropped.
        try store.truncate(key, toEpochs: startEpoch)

        let recorder = RunRecorder(store: store, key: key, classNames: job.trainData.classNames, checkpoint: inputs.checkpoint,
                                   configuration: configuration,
                                   progress: Progress(scenario: key.description, epochs: settings.epochs, statusFile: inputs.progress))
        recorder.trainer = job.trainer
        let problemsBefore = job.loaderProblemCount
        do {
            try job.trainer.run(from: startEpoch, observer: recorder)
        } catch let error as TrainingError {
            throw StudyError("\(key): \(error); the epochs before it are recorded in \(inputs.part.path)")
        }
        job.reportLoaderProblems(log, after: problemsBefore)

        let moved = frozenCheck.changed(in: job.model)
        try store.finishRun(key, RunCompletion(frozenTensorsUnchanged: moved.isEmpty, frozenTensorsChecked: frozenCheck.fingerprints.count,
                                               note: moved.isEmpty ? "" : "changed: " + moved.prefix(5).joined(separator: ", ")))
        recorder.progress.writeStatus("\(key): complete")
        log("\(key): complete; \(frozenCheck.fingerprints.count) frozen tensors "
            + (moved.isEmpty ? "bit-identical to their starting values" : "CHANGED: \(moved.prefix(5))"))
    }
}
