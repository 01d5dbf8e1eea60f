import Foundation
import Report
import Results
import Training

/// What `freeze-study sweep` (and `run`, and `merge`) are asked to do.
public struct SweepOptions: Sendable {
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
    public var writesReport = true
    /// Ad-hoc scenarios added to the study file's (`freeze-study run`).
    public var extraScenarios: [ScenarioDefinition] = []
    /// Starting weights for every scenario instead of the study file's (`--weights`).
    public var weights: WeightsSource?
    /// Runs trained at once, each its own process (default: half the cores, at least 1).
    public var jobs: Int?
    /// The `freeze-study` executable that trains each run (default: this process's own).
    public var executable: URL?
    /// The command line, shown in the report.
    public var command = ""

    public init(study: URL) { self.study = study }

    /// `max(1, cores / 2)` jobs, each with `max(1, cores / jobs)` threads: on 2 cores, 1 job × 2 threads.
    public static func defaultJobs(cores: Int) -> Int { max(1, cores / 2) }
    public static func threads(cores: Int, jobs: Int) -> Int { max(1, cores / jobs) }
}

/// Runs a study: every run (scenario × seed) that its part does not hold complete, each as a
/// child process training one run (`freeze-study run-task`), `jobs` at a time, after preparing
/// what they share; merges the parts into the results file after each run and at the end, then
/// writes the report. Holds the study's lock for its whole life, so a second sweep or merge on
/// the same results refuses at once, naming it. A run that fails is reported with its log while
/// the others go on; the sweep then ends with an error, and the next sweep retries only what is
/// missing.
public final class Sweep {
    public let options: SweepOptions
    let setup: StudySetup
    let scenarios: [ScenarioDefinition]
    /// Every line the sweep prints goes through the display, above the block of running runs.
    let display = JobDisplay()
    var log: (String) -> Void { { [display] in display.event($0) } }

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
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let jobs = options.jobs ?? SweepOptions.defaultJobs(cores: cores)
        let threads = SweepOptions.threads(cores: cores, jobs: jobs)
        var failures: [LocalJobs.Outcome] = []
        if !runs.isEmpty {
            try prepareSharedInputs(for: runs)
            log("training \(runs.count) run\(runs.count == 1 ? "" : "s"), \(jobs) at a time with \(threads) thread\(threads == 1 ? "" : "s") each")
            let children = LocalJobs(executable: options.executable ?? Self.ownExecutable, jobs: jobs, display: display)
            let outcomes = children.run(runs.map { job(for: $0, threads: threads) }) { outcome in
                if outcome.succeeded {
                    display.event("finished \(outcome.key) in \(Progress.duration(outcome.seconds))")
                } else {
                    display.event("FAILED: \(outcome.key) (\(outcome.reason)) after \(Progress.duration(outcome.seconds)); "
                                  + "log: \(displayPath(outcome.log))\n" + Self.tail(of: outcome.log))
                }
                do { try mergeParts() } catch { display.event("merge after \(outcome.key): \(error)") }
            }
            failures = outcomes.filter { !$0.succeeded }
        }
        try mergeParts()
        log(String(format: "sweep finished in %@", Progress.duration(Date().timeIntervalSince(started))))
        var folder: URL?
        if options.writesReport {
            let reportFolder = options.report ?? URL(fileURLWithPath: "reports/\(setup.study.name)")
            let written = try ReportWriter.write(results: ResultsStore(url: resultsURL).readStudy(), to: reportFolder,
                                                 reproduceCommand: options.command)
            log("report: \(reportFolder.path) (\(written.count) files)")
            folder = reportFolder
        }
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

    /// A run to train, and why.
    struct PlannedRun {
        let key: RunKey
        let scenario: ScenarioDefinition
        /// Train from the start even if its part holds it.
        let restart: Bool
    }

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
        let recorded = try ResultsStore(url: resultsURL).readStudy()
        let identity = setup.identity
        guard recorded.identity.configurationDigest == identity.configurationDigest else {
            throw setup.differentConfiguration(file: resultsURL.path, recordedName: recorded.identity.name,
                                               recordedDigest: recorded.identity.configurationDigest,
                                               recordedConfig: recorded.scenarios.first?.info.configJSON)
        }
    }

    /// The runs to train: every selected scenario × seed whose part does not hold it complete
    /// (all of them with `--force`), and the runs whose part cannot be read (reported, not
    /// trained: the part is not replaced). A part of another configuration and a complete run
    /// recorded with another freeze spec are errors that train nothing.
    func plan() throws -> (runs: [PlannedRun], unreadable: [(key: RunKey, reason: String)]) {
        var runs: [PlannedRun] = []
        var unreadable: [(key: RunKey, reason: String)] = []
        let identity = setup.identity
        for scenario in scenarios {
            for seed in setup.study.seeds {
                let key = RunKey(scenario: scenario.name, seed: seed)
                let part = setup.folder.part(key)
                guard FileManager.default.fileExists(atPath: part.path) else {
                    runs.append(PlannedRun(key: key, scenario: scenario, restart: options.force))
                    continue
                }
                let recorded: StudyResults
                do {
                    recorded = try ResultsStore(url: part).readStudy()
                } catch {
                    unreadable.append((key, "\(error)"))
                    continue
                }
                guard recorded.identity.configurationDigest == identity.configurationDigest else {
                    throw setup.differentConfiguration(file: part.path, recordedName: recorded.identity.name,
                                                       recordedDigest: recorded.identity.configurationDigest,
                                                       recordedConfig: recorded.scenarios.first?.info.configJSON)
                }
                let status = recorded.scenario(scenario.name)?.run(seed: seed)?.status
                if !options.force, let info = recorded.scenario(scenario.name)?.info {
                    let changes = setup.changes(from: info, to: scenario)
                    guard changes.isEmpty else {
                        throw StudyError("\(key) is \(status?.rawValue ?? "recorded") in \(part.path) with "
                                         + changes.map { "\($0.name) '\($0.recorded)'" }.joined(separator: ", ") + ", but the study now says "
                                         + changes.map { "'\($0.now)'" }.joined(separator: ", ") + "; its seeds would not compare — "
                                         + "give the new scenario another name, or --force to train its runs again")
                    }
                }
                if status == .complete && !options.force { continue }
                runs.append(PlannedRun(key: key, scenario: scenario, restart: options.force))
            }
        }
        let skipped = scenarios.count * setup.study.seeds.count - runs.count - unreadable.count
        if skipped > 0 { log("\(skipped) run\(skipped == 1 ? " is" : "s are") complete in \(setup.folder.partsFolder.path); skipped (--force trains them again)") }
        return (runs, unreadable)
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
