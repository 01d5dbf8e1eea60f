import ArgumentParser
import Foundation
import Study

/// `freeze-study pretrain`: make the committed pretrained checkpoint of a study (once).
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain on the synthetic source task (or reuse the cached pretraining) and write the checkpoint "
            + "and its manifest into pretrained/ beside the study file, for committing.")

    @OptionGroup var studyFile: StudyFileOption

    @OptionGroup var cache: CacheOption

    @Flag(help: "Validate on the source task's val images after every epoch (a convergence curve in the log).")
    var validateEveryEpoch = false

    func run() throws {
        try PretrainedCheckpointMaker.make(study: studyFile.url, cacheDirectory: cache.url,
                                           validatesEveryEpoch: validateEveryEpoch, command: commandLine(),
                                           log: { print($0); fflush(stdout) })
    }
}
