import ArgumentParser
import Foundation
import Study

/// `freeze-study pretrain`: make the committed pretrained checkpoint of a study (once).
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain on the synthetic source task (or reuse the cached pretraining) and write the checkpoint "
            + "and its manifest into pretrained/ beside the study file, for committing.")

    @Option(help: "Study file.")
    var study = "Experiments/freeze-study.yaml"

    @Option(help: "Cache of the synthetic data and pretrained weights.")
    var cacheDir = "cache"

    @Flag(help: "Validate on the source task's val images after every epoch (a convergence curve in the log).")
    var validateEveryEpoch = false

    func run() throws {
        let command = (["freeze-study"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try PretrainedCheckpointMaker.make(study: URL(fileURLWithPath: study), cacheDirectory: URL(fileURLWithPath: cacheDir),
                                           validatesEveryEpoch: validateEveryEpoch, command: command,
                                           log: { print($0); fflush(stdout) })
    }
}
