import ArgumentParser
import Foundation
import Results
import Study
import YOLOv5

/// `freeze-study run-task`: trains exactly one run (scenario × seed) of a study in this process,
/// resumable from its own checkpoint, writing only its part, checkpoint and progress line. What a
/// sweep starts per run, and what a Slurm array task or an MPI job runs.
struct RunTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-task",
        abstract: "Train one run (scenario × seed) of a study into its own part file (what sweep starts for each run).")

    @OptionGroup var studyFile: StudyFileOption

    @Option(help: "The scenario's name.")
    var scenario: String?

    @Option(help: "The seed (one of the study's).")
    var seed: Int?

    @Option(help: "Instead of --scenario and --seed: the job array's manifest written by sweep --slurm (with --array-index).")
    var arrayManifest: String?

    @Option(help: "With --array-manifest: the array task's index (Slurm's SLURM_ARRAY_TASK_ID).")
    var arrayIndex: Int?

    @Option(help: "Compute threads (default: every core; under mpirun, the cores ÷ the ranks on this machine).")
    var threads: Int?

    @Option(help: "The study's results file (default: runs/<study name>/results.h5); the run's part is written beside it.")
    var results: String?

    @OptionGroup var cache: CacheOption

    @Option(help: "Starting weights instead of the study file's: a YOLOv5 .pt, a FreezeStudy .safetensors, 'pretrained' or 'none'.")
    var weights: WeightsSource?

    @Flag(help: "Train from the start even if the run's part holds it.")
    var restart = false

    @Option(help: "For a scenario not in the study file (freeze-study run): its freeze spec.")
    var freeze: String?

    @Option(help: "With --freeze: BatchNorm of frozen layers, update, frozen or frozen-bn.")
    var bn: BatchNormPolicy?

    @OptionGroup var schedule: ScheduleOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if bn != nil && freeze == nil { throw ValidationError("--bn is for an ad-hoc scenario; give --freeze too") }
        if schedule.isSet && freeze == nil { throw ValidationError("schedule flags are for an ad-hoc scenario; give --freeze too") }
        switch (scenario, seed, arrayManifest, arrayIndex) {
        case (.some, .some, nil, nil), (nil, nil, .some, .some): break
        case (_, _, .some, nil): throw ValidationError("--array-manifest needs --array-index")
        case (_, _, nil, .some): throw ValidationError("--array-index needs --array-manifest")
        case (_, _, .some, .some): throw ValidationError("give either --scenario and --seed, or --array-manifest and --array-index")
        default: throw ValidationError("give the run: --scenario and --seed (or --array-manifest and --array-index)")
        }
    }

    /// The run to train: as named, or the array task's line of the manifest.
    func key() throws -> RunKey {
        if let scenario, let seed { return RunKey(scenario: scenario, seed: seed) }
        let manifest = URL(fileURLWithPath: arrayManifest!)
        return try SlurmManifest(contentsOf: manifest).run(at: arrayIndex!, file: manifest)
    }

    func run() throws {
        var options = RunTaskOptions(study: studyFile.url, key: try key())
        options.results = results.map { URL(fileURLWithPath: $0) }
        options.cacheDirectory = cache.url
        options.threads = threads
        options.weights = weights
        options.restart = restart
        options.command = commandLine()
        if let freeze {
            var settings = try StudyFile(contentsOf: options.study).shared
            if let bn { settings.bn = bn }
            try schedule.apply(to: &settings)
            options.adHocScenario = ScenarioDefinition(name: options.key.scenario, freeze: try FreezeSpec(parsing: freeze), settings: settings, line: nil)
        }
        do {
            try RunTask.run(options)
        } catch let stopped as RunStopped {
            FileHandle.standardError.write(Data("\(stopped)\n".utf8))
            throw ExitCode(stopped.exitStatus)
        }
    }
}
