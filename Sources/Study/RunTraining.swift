import Foundation
import Results
import Training
import VOCData
import YOLOv5

/// One run (scenario × seed), trained in this process into its own part: build, resume or
/// start, train with recording, check that frozen tensors did not move, mark complete.
struct RunTraining {
    let inputs: RunInputs
    let log: (String) -> Void
    /// The ranks training this run (data-parallel); rank 0 alone touches the part, the
    /// checkpoint and the progress line, the others train beside it (`RankTraining`).
    var group: any ProcessGroup = SingleProcess()

    func run() throws {
        guard group.isRoot else { return try RankTraining(inputs: inputs, group: group).run() }
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
            RankTraining.tell(group, .nothingToDo)
            return
        }
        let restart = status != nil && inputs.restart
        let resumes = status == .running && !restart && FileManager.default.fileExists(atPath: inputs.checkpoint.path)
        if resumes { try RankTraining.checkWorldSize(store, key, part: inputs.part, ranks: group.size) }
        let job = try TrainingJob(settings: settings, freeze: inputs.scenario.freeze, model: inputs.model, data: inputs.data.url,
                                  weights: inputs.weights.url, hyp: inputs.hyp, shard: DataShard(rank: 0, count: group.size), log: log)
        log("\(key): freeze \(inputs.scenario.freeze.text) (bn: \(settings.bn.rawValue)): \(job.freezeSummary.trainableParameters) "
            + "trainable, \(job.freezeSummary.frozenParameters) frozen parameters; \(job.weightsReport)")
        let audit = FrozenTensorAudit(job.model, plan: job.plan)
        let configuration = ScenarioConfiguration(inputs, job: job).json
        let scenario = ScenarioInfo(freeze: inputs.scenario.freeze.text, freezePatterns: inputs.scenario.freeze.patterns, bn: settings.bn.rawValue,
                                    trainableTensors: job.freezeSummary.trainableTensors, trainableParameters: job.freezeSummary.trainableParameters,
                                    frozenTensors: job.freezeSummary.frozenTensors, frozenParameters: job.freezeSummary.frozenParameters,
                                    configJSON: configuration)
        // The work of one image as this scenario's graph runs it, for the report's cost accounting.
        let flops = try job.model.trainingFLOPs(imageSize: settings.imageSize)
        var run = inputs.run
        run.flopsPerImage = FLOPsPerImage(forward: flops.forward, weightGradient: flops.weightGradient, inputGradient: flops.inputGradient)
        try store.beginRun(key, scenario: scenario, run: run, order: inputs.order, restart: restart)
        var startEpoch = 0
        if resumes {
            let restored = try TrainingCheckpoint.restore(inputs.checkpoint, into: job.trainer)
            startEpoch = restored.completedEpochs
            log("\(key): resuming after epoch \(startEpoch)"
                + (restored.position.isEpochStart ? "" : " at iteration \(restored.epochIteration) of epoch \(startEpoch + 1)")
                + " from \(inputs.checkpoint.path)")
        } else {
            try? FileManager.default.removeItem(at: inputs.checkpoint)
        }
        // Epochs recorded after the checkpoint (a kill between the two writes) are dropped.
        try store.truncate(key, toEpochs: startEpoch)
        RankTraining.tell(group, resumes ? .resume : .start)
        job.trainer.processGroup = group
        job.trainer.synchronizeStartingWeights()
        if group.size > 1 {
            log("\(key): \(group.size) ranks, each \(settings.batchSize / group.size) images a batch; "
                + "\(job.trainer.gradientBytesPerStep) bytes of gradients all-reduced per optimizer step")
        }

        let recorder = RunRecorder(store: store, key: key, classNames: job.trainData.classNames, checkpoint: inputs.checkpoint,
                                   configuration: configuration,
                                   progress: Progress(scenario: key.description, epochs: settings.epochs, statusFile: inputs.progress))
        recorder.trainer = job.trainer
        recorder.audit = audit
        let problemsBefore = job.loaderProblemCount
        // SIGINT/SIGTERM (a person, the sweep, Slurm before its time limit) stop after the current
        // iteration; a second one ends the process at once.
        let stop = GracefulStop()
        defer { stop.uninstall() }
        job.trainer.stopRequest = stop.request
        let outcome: TrainingOutcome
        do {
            outcome = try job.trainer.run(from: startEpoch, observer: recorder)
        } catch let error as TrainingError {
            throw StudyError("\(key): \(error); the epochs before it are recorded in \(inputs.part.path)")
        }
        job.reportLoaderProblems(log, after: problemsBefore)
        if case .stopped(let position) = outcome {
            try TrainingCheckpoint.save(job.trainer, configuration: configuration, to: inputs.checkpoint)
            recorder.progress.writeStatus("\(key): stopped at \(position)")
            throw RunStopped(key: key, signal: stop.firstSignal == 0 ? SIGTERM : stop.firstSignal, position: position,
                             checkpoint: inputs.checkpoint, part: inputs.part, command: inputs.run.command)
        }

        let moved = audit.changed
        try store.setFrozenCheck(key, audit.record)
        try store.finishRun(key, RunCompletion(frozenTensorsUnchanged: moved.isEmpty, frozenTensorsChecked: audit.entries.count,
                                               note: moved.isEmpty ? "" : "changed: " + moved.prefix(5).joined(separator: ", ")))
        recorder.progress.writeStatus("\(key): complete")
        log("\(key): complete; \(audit.entries.count) tensors that had to stay fixed are "
            + (moved.isEmpty ? "bit-identical to their starting values (SHA-256 after every epoch)" : "CHANGED: \(moved.prefix(5))"))
    }
}

/// A run stopped by a signal after saving a checkpoint where it stood (mid-epoch when the signal
/// came inside one); its part holds every finished epoch. The command exits with `exitStatus`.
public struct RunStopped: Error, CustomStringConvertible, LocalizedError {
    /// The run.
    public let key: RunKey
    /// The first signal received.
    public let signal: Int32
    /// The next iteration to run.
    public let position: TrainingPosition
    let checkpoint: URL, part: URL, command: String

    /// 128 + the signal, the shell's convention for a process ended by it.
    public var exitStatus: Int32 { 128 + signal }

    public var description: String {
        let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? "signal \(signal)"
        return "\(key): stopped by \(name) at \(position); checkpoint \(checkpoint.path), finished epochs in \(part.path). "
            + "To resume, run the same command again" + (command.isEmpty ? "" : ": \(command)")
    }

    public var errorDescription: String? { description }
}
