import Distributed
import Foundation
import Results
import Training

/// What `freeze-study run-task` is asked to do: train exactly one run of a study.
public struct RunTaskOptions: Sendable {
    /// The study file.
    public var study: URL
    /// The run.
    public var key: RunKey
    /// The study's merged results file (default `runs/<study name>/results.h5`); the run writes
    /// only its part beside it.
    public var results: URL?
    /// Where the synthetic datasets and pretrained weights are cached.
    public var cacheDirectory = URL(fileURLWithPath: "cache")
    /// Compute threads (default: every core).
    public var threads: Int?
    /// Starting weights instead of the study file's (`--weights`).
    public var weights: WeightsSource?
    /// Train again from the start even when the part holds the run.
    public var restart = false
    /// The scenario when it is not in the study file (`freeze-study run --freeze …`).
    public var adHocScenario: ScenarioDefinition?
    /// The command line, recorded with the run.
    public var command = ""

    /// Options to train run `key` of `study`, everything else by default.
    public init(study: URL, key: RunKey) {
        self.study = study
        self.key = key
    }
}

/// One run as one process (`freeze-study run-task`), the single entry point that trains a run,
/// whether a sweep started it, a Slurm array task or a person. It holds the exclusive lock of the
/// run's part for its whole life, resumes from the run's own checkpoint, and writes only the
/// run's part, checkpoint and progress line (a sweep sends its output to the run's log).
public enum RunTask {
    /// The environment variable through which a sweep gives its children its process id: a
    /// child whose parent is gone stops (SIGTERM to itself), so a killed sweep leaves no runs behind.
    public static let parentVariable = "FREEZE_STUDY_PARENT_PID"

    /// Trains the run of `options`.
    ///
    /// Started by `mpirun -np K` (K > 1), the K processes train the run together, data-parallel
    /// (YOLOv5 DDP): rank 0 holds the lock and writes everything, the others only train.
    public static func run(_ options: RunTaskOptions) throws {
        TerminationSignals.unblock()
        let group = try Launch.processGroup()
        let setup = try StudySetup(study: options.study, results: options.results, weights: options.weights,
                                   extraScenarios: options.adHocScenario.map { [$0] } ?? [], cacheDirectory: options.cacheDirectory)
        let key = options.key
        guard let scenario = try setup.scenarios(named: [key.scenario]).first else { return }
        guard setup.study.seeds.contains(key.seed) else {
            throw StudyError("seed \(key.seed) is not one of the seeds of \(options.study.path) "
                             + "(\(setup.study.seeds.map(String.init).joined(separator: ", "))): every scenario runs with the study's seeds")
        }
        try setup.checkFreezeSpecs([scenario])
        var lock: FileLock?
        do {
            if group.isRoot { lock = try FileLock.acquire(setup.folder.partLock(key), purpose: options.command) }
        } catch FileLockError.held(_, let holder) {
            throw StudyError("\(key) is being trained by \(holder?.description ?? "another process") (its part "
                             + "\(setup.folder.part(key).path) is locked); wait for it or stop it")
        }
        defer { lock?.release() }
        ParentWatch.startIfAsked()
        // Ranks on one machine share its cores.
        let threads = options.threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / Launch.announcedLocalRanks)
        ComputeEnvironment.useThreads(threads)

        let log: (String) -> Void = group.isRoot ? { Progress.say($0) } : { _ in }
        log("\(key): \(threads) thread\(threads == 1 ? "" : "s")\(group.size > 1 ? " on each of \(group.size) ranks" : ""), "
            + "part \(setup.folder.part(key).path)")
        let settings = setup.settings(scenario, seed: key.seed)
        let shared = SharedInputs(study: setup.study, cacheDirectory: options.cacheDirectory, log: log)
        // Rank 0 makes the shared inputs (synthetic data, pretrained weights) while the others
        // wait, then they find them cached.
        if !group.isRoot { _ = group.allgather([0]) }
        let data = try shared.prepareData(settings), weights = try shared.prepareStartingWeights(settings)
        if group.isRoot && group.size > 1 { _ = group.allgather([0]) }
        let inputs = setup.runInputs(key, scenario: scenario, data: data, weights: weights,
                                     run: RunInfo(command: options.command, threads: threads, worldSize: group.size),
                                     restart: options.restart)
        try RunTraining(inputs: inputs, log: log, group: group).run()
    }
}

/// Stops this process when the sweep that started it is gone: a thread compares the parent
/// process id with the one the sweep gave (`RunTask.parentVariable`) twice a second (an MPI
/// rank asks whether that process still exists).
enum ParentWatch {
    static func startIfAsked() {
        guard let text = ProcessInfo.processInfo.environment[RunTask.parentVariable], let parent = pid_t(text) else { return }
        // A rank's parent is mpirun's daemon, not the sweep: it watches whether the sweep lives.
        let underMPI = ProcessInfo.processInfo.environment[Launch.worldSizeVariable] != nil
        let thread = Thread {
            while underMPI ? kill(parent, 0) == 0 : getppid() == parent { usleep(500_000) }
            Progress.say("the sweep that started this run (pid \(parent)) is gone; stopping")
            kill(getpid(), SIGTERM)
        }
        thread.start()
    }
}
