import Foundation
import Report
import Results
import Training

/// What `freeze-study sweep` (and `run`, and `merge`) are asked to do.
public struct SweepOptions: Sendable {
    /// The study file.
    public var study: URL
    /// The study's merged results file (default `runs/<study name>/results.h5`); parts,
    /// checkpoints and logs live beside it (`StudyFolder`).
    public var results: URL?
    /// Run only these scenarios.
    public var only: [String] = []
    /// Train again runs that are complete.
    public var force = false
    /// Where the synthetic datasets and pretrained weights are cached.
    public var cacheDirectory = URL(fileURLWithPath: "cache")
    /// Report folder (default `reports/<study name>`); nil with `writesReport` false skips it.
    public var report: URL?
    /// Whether the sweep ends by writing the report.
    public var writesReport = true
    /// Ad-hoc scenarios added to the study file's (`freeze-study run`).
    public var extraScenarios: [ScenarioDefinition] = []
    /// Starting weights for every scenario instead of the study file's (`--weights`).
    public var weights: WeightsSource?
    /// Runs trained at once, each its own process (default: half the cores, at least 1).
    public var jobs: Int?
    /// Ranks each run trains on, data-parallel under `mpirun -np` (nil: one process per run).
    public var mpiRanks: Int?
    /// The `freeze-study` executable that trains each run (default: this process's own).
    public var executable: URL?
    /// The command line, shown in the report.
    public var command = ""

    /// Options for `study`, everything else by default.
    public init(study: URL) { self.study = study }

    /// `max(1, cores / 2)` jobs by default: on 2 cores, 1 job (of 2 threads).
    public static func defaultJobs(cores: Int) -> Int { max(1, cores / 2) }
    /// The threads each of `jobs` runs gets: `max(1, cores / jobs)`.
    public static func threads(cores: Int, jobs: Int, ranks: Int = 1) -> Int { max(1, cores / (jobs * ranks)) }
}

/// Runs a study: every run (scenario × seed) that its part does not hold complete, each as a
/// child process training one run (`freeze-study run-task`), `jobs` at a time, after preparing
/// what they share; merges the parts into the results file after each run and at the end, then
/// writes the report. Holds the study's lock for its whole life, so a second sweep or merge on
/// the same results refuses at once, naming it. A run that fails is reported with its log while
/// the others go on; the sweep then ends with an error, and the next sweep retries only what is
/// missing.
public final class Sweep {
    /// What the sweep was asked to do.
    public let options: SweepOptions
    let setup: StudySetup
    let scenarios: [ScenarioDefinition]
    /// Every line the sweep prints goes through the display, above the block of running runs.
    let display = JobDisplay()
    var log: (String) -> Void { { [display] in display.event($0) } }

    /// Reads the study file and checks `--only`; nothing is written until `run()` or `merge()`.
    public init(options: SweepOptions) throws {
        self.options = options
        setup = try StudySetup(study: options.study, results: options.results, weights: options.weights,
                               extraScenarios: options.extraScenarios, cacheDirectory: options.cacheDirectory)
        scenarios = try setup.scenarios(named: options.only)
    }

    /// The study file in use (with `--weights` applied).
    public var study: StudyFile { setup.study }

    /// The results file in use.
    public var resultsURL: URL { setup.folder.results }

    /// Runs everything; returns the report folder (nil if no report was written).
    @discardableResult
    public func run() throws -> URL? {
        let started = Date()
        TerminationSignals.unblock()
        try makeFolder(resultsURL.deletingLastPathComponent())
        let lock = try lockStudy()
        defer { lock.release() }
        try setup.checkFreezeSpecs(scenarios)
        try checkResultsFile()
        let (runs, unreadable) = try plan()
        for (key, reason) in unreadable { log("\(key) is not trained: \(reason)") }
        let failures = try train(runs)
        try mergeParts()
        log(String(format: "sweep finished in %@", Progress.duration(Date().timeIntervalSince(started))))
        let folder = try writeReport()
        guard failures.isEmpty && unreadable.isEmpty else {
            let failed = failures.map { "\($0.key) (\($0.reason); log \(displayPath($0.log)))" }
                + unreadable.map { "\($0.key) (its part cannot be read; move it away to train the run again)" }
            throw StudyError("\(failed.count) of \(runs.count + unreadable.count) runs failed: " + failed.joined(separator: ", ")
                             + "; the others are recorded. Run the sweep again to retry only what is missing.")
        }
        return folder
    }

    /// Merges the parts into the results file, holding the study's lock (`freeze-study merge`).
    @discardableResult
    public func merge() throws -> MergeOutcome {
        let lock = try lockStudy()
        defer { lock.release() }
        try checkResultsFile()
        return try mergeParts()
    }

    // MARK: - Steps

    /// The study's lock, or an error naming its holder.
    func lockStudy() throws -> FileLock {
        do {
            return try FileLock.acquire(setup.folder.lock, purpose: options.command.isEmpty ? "freeze-study" : options.command)
        } catch FileLockError.held(_, let holder) {
            throw StudyError("\(resultsURL.path) is in use by \(holder?.description ?? "another process (it has not said which)"); "
                             + "a second sweep or merge on it would mix their runs — wait for that one to finish, or stop it")
        } catch {
            throw StudyError("\(error)")
        }
    }

    /// Refuses a results file of another configuration or of the older schema, leaving it unchanged.
    func checkResultsFile() throws {
        guard FileManager.default.fileExists(atPath: resultsURL.path) else { return }
        let store = ResultsStore(url: resultsURL)
        let recorded = try store.readIdentity()
        guard recorded.configurationDigest == setup.identity.configurationDigest else {
            throw setup.differentConfiguration(file: resultsURL.path, recordedName: recorded.name, recordedDigest: recorded.configurationDigest,
                                               recordedConfig: try? store.readStudy().scenarios.first?.info.configJSON)
        }
    }

    /// Trains `runs` as child processes after preparing what they share, `jobs` at a time (each
    /// with cores ÷ jobs threads), merging after each; returns the runs that failed.
    func train(_ runs: [PlannedRun]) throws -> [LocalJobs.Outcome] {
        guard !runs.isEmpty else { return [] }
        try prepareSharedInputs(for: runs)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let jobs = max(1, options.jobs ?? SweepOptions.defaultJobs(cores: cores))
        let ranks = options.mpiRanks ?? 1
        let threads = SweepOptions.threads(cores: cores, jobs: jobs, ranks: ranks)
        log("training \(runs.count) run\(runs.count == 1 ? "" : "s"), \(jobs) at a time with \(threads) thread\(threads == 1 ? "" : "s") each"
            + (options.mpiRanks.map { " on each of \($0) MPI ranks" } ?? ""))
        let children = LocalJobs(executable: options.executable ?? Self.ownExecutable, jobs: jobs, display: display,
                                 launcher: options.mpiRanks.map(MPILauncher.init))
        let stop = GracefulStop()
        defer { stop.uninstall() }
        let outcomes = children.run(runs.map { job(for: $0, threads: threads) }, stop: stop.request, signal: { stop.firstSignal }) { outcome in
            if outcome.succeeded {
                log("finished \(outcome.key) in \(Progress.duration(outcome.seconds))")
            } else {
                log("FAILED: \(outcome.key) (\(outcome.reason)) after \(Progress.duration(outcome.seconds)); "
                    + "log: \(displayPath(outcome.log))\n" + Self.tail(of: outcome.log))
            }
            do { try mergeParts() } catch { log("merge after \(outcome.key): \(error)") }
        }
        if stop.request.isRequested {
            try mergeParts()
            throw SweepStopped(signal: stop.firstSignal, finished: outcomes.filter(\.succeeded).count, stopped: outcomes.filter { !$0.succeeded }.count,
                               command: options.command)
        }
        return outcomes.filter { !$0.succeeded }
    }

    /// Writes the report from the results file, unless told not to; returns its folder.
    func writeReport() throws -> URL? {
        guard options.writesReport else { return nil }
        let folder = options.report ?? URL(fileURLWithPath: "reports/\(setup.study.name)")
        let written = try ReportWriter.write(results: ResultsStore(url: resultsURL).readStudy(), to: folder, reproduceCommand: options.command)
        log("report: \(folder.path) (\(written.count) files)")
        return folder
    }

    /// The synthetic data and starting weights the runs need, made once here so that no run's
    /// process waits for another's pretraining or measures its memory.
    func prepareSharedInputs(for runs: [PlannedRun]) throws {
        let shared = SharedInputs(study: setup.study, cacheDirectory: options.cacheDirectory, log: log)
        var seen = Set<String>()
        for run in runs {
            let settings = setup.settings(run.scenario, seed: run.key.seed)
            if seen.insert("data \(settings.data)").inserted { _ = try shared.prepareData(settings) }
            let weightsKey = "weights \(settings.weights) \(settings.model) \(settings.schedule.rawValue)"
            if seen.insert(weightsKey).inserted { _ = try shared.prepareStartingWeights(settings) }
        }
    }

    /// The child process that trains `run`.
    func job(for run: PlannedRun, threads: Int) -> LocalJobs.Job {
        var arguments = ["run-task", "--study", options.study.standardizedFileURL.path, "--scenario", run.key.scenario,
                         "--seed", String(run.key.seed), "--threads", String(threads), "--results", resultsURL.path,
                         "--cache-dir", options.cacheDirectory.standardizedFileURL.path]
        if let weights = options.weights { arguments += ["--weights", weights.description] }
        if run.restart { arguments.append("--restart") }
        if options.extraScenarios.contains(where: { $0.name == run.scenario.name }) {
            arguments += ["--freeze", run.scenario.freeze.text, "--bn", run.scenario.settings.bn.rawValue]
                + ScheduleFlags.arguments(for: run.scenario.settings)
        }
        return LocalJobs.Job(key: run.key, arguments: arguments, log: setup.folder.log(run.key), progress: setup.folder.progress(run.key))
    }

    /// Rebuilds the results file from the parts; parts left out are reported.
    @discardableResult
    func mergeParts() throws -> MergeOutcome {
        let outcome = try ResultsMerge.merge(setup.folder, identity: setup.identity)
        for skipped in outcome.skipped { log("merge: \(skipped)") }
        return outcome
    }

    /// This process's executable (`freeze-study`), which the children run.
    static var ownExecutable: URL { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath() }

    /// The last lines of a log, indented, for a failure message.
    static func tail(of log: URL, lines count: Int = 6) -> String {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return "" }
        return text.split(whereSeparator: \.isNewline).suffix(count).map { "    | " + $0 }.joined(separator: "\n")
    }
}

/// A sweep stopped by a signal: its running runs were passed the signal, saved their checkpoints
/// and exited; what finished is merged. The command exits with `exitStatus`.
public struct SweepStopped: Error, CustomStringConvertible, LocalizedError {
    /// The first signal received.
    public let signal: Int32
    /// Runs that finished, and runs that were stopped (or failed) meanwhile.
    public let finished: Int, stopped: Int
    let command: String

    /// 128 + the signal.
    public var exitStatus: Int32 { 128 + signal }

    public var description: String {
        "sweep stopped by signal \(signal): \(finished) run\(finished == 1 ? "" : "s") finished, \(stopped) stopped with a checkpoint; "
            + "the finished ones are merged. To resume, run the same command again" + (command.isEmpty ? "" : ": \(command)")
    }

    public var errorDescription: String? { description }
}
