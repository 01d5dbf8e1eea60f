import Foundation
import Results

/// What `sweep --slurm` submitted (or, with `--dry-run`, would submit).
public struct SlurmSubmission: Sendable {
    /// The runs of the array, in array-index order.
    public let runs: [RunKey]
    /// The submission's folder (`runs/<study>/slurm/<stamp>`): manifest, scripts, job ids, logs.
    public let folder: URL
    /// The job array's and the merge job's ids; nil for a dry run or when nothing was missing.
    public let arrayJob: String?, mergeJob: String?
}

extension Sweep {
    /// Submits the missing runs as one Slurm job array and a merge-and-report job that waits for
    /// it (`--dependency=afterany`), after preparing the data and weights they share. Refuses
    /// while an earlier array of this study is still queued or running, and when the study's
    /// files are not on a path every node sees.
    @discardableResult
    public func submitToSlurm(_ slurm: SlurmOptions) throws -> SlurmSubmission {
        TerminationSignals.unblock()
        guard !options.force else {
            // A requeued task would start its run over again each time.
            throw StudyError("--force is not available with --slurm: move the parts of the runs to train again out of "
                             + "\(setup.folder.partsFolder.path) (and their checkpoints), then submit")
        }
        if !slurm.assumeShared { try checkShared() }
        try makeFolder(resultsURL.deletingLastPathComponent())
        let lock = try lockStudy()  // not while a local sweep or a merge works on the same results
        defer { lock.release() }
        try setup.checkFreezeSpecs(scenarios)
        try checkResultsFile()
        try checkNoArrayQueued()
        let (planned, unreadable) = try plan()
        for (key, reason) in unreadable { log("\(key) is not submitted: \(reason)") }
        let slurmFolder = setup.folder.folder.appendingPathComponent("slurm")
        guard !planned.isEmpty else {
            log("every run is complete; nothing to submit (freeze-study merge and report write the results and the report)")
            return SlurmSubmission(runs: [], folder: slurmFolder, arrayJob: nil, mergeJob: nil)
        }
        try prepareSharedInputs(for: planned)

        let submission = SlurmSubmissionFolder(folder: slurmFolder.appendingPathComponent(Self.submissionStamp()))
        try makeFolder(submission.logs)
        let manifest = SlurmManifest(runs: planned.map(\.key))
        let script = SlurmScript(studyName: setup.study.name, executable: options.executable ?? Self.ownExecutable,
                                 studyFlags: slurmStudyFlags(),
                                 reportFolder: (options.report ?? URL(fileURLWithPath: "reports/\(setup.study.name)")).standardizedFileURL,
                                 submission: submission, taskCount: planned.count, options: slurm)
        try manifest.text.write(to: submission.manifest, atomically: true, encoding: .utf8)
        try script.arrayScript.write(to: submission.arrayScript, atomically: true, encoding: .utf8)
        try script.mergeScript.write(to: submission.mergeScript, atomically: true, encoding: .utf8)
        log("\(planned.count) run\(planned.count == 1 ? "" : "s") in \(displayPath(submission.folder)): manifest \(submission.manifest.lastPathComponent), "
            + "scripts \(submission.arrayScript.lastPathComponent) and \(submission.mergeScript.lastPathComponent)")
        for (index, key) in manifest.runs.enumerated() { log("  task \(index): \(key), log \(displayPath(submission.taskLog(index)))") }
        if slurm.dryRun {
            log("dry run: nothing submitted; submit with\n  sbatch --parsable \(submission.arrayScript.path)\n"
                + "  sbatch --dependency=afterany:<array job id> \(submission.mergeScript.path)")
            return SlurmSubmission(runs: manifest.runs, folder: submission.folder, arrayJob: nil, mergeJob: nil)
        }
        let array: String
        do {
            array = try SlurmCommands.submit(submission.arrayScript)
        } catch {
            try? FileManager.default.removeItem(at: submission.folder)  // nothing was submitted
            throw error
        }
        try "array \(array)\n".write(to: submission.jobs, atomically: true, encoding: .utf8)
        let merge: String
        do {
            merge = try SlurmCommands.submit(submission.mergeScript, ["--dependency=afterany:\(array)", "--kill-on-invalid-dep=yes"])
        } catch {
            throw StudyError("job array \(array) is submitted, but not the merge job after it: \(error). When the array has ended, "
                             + "run freeze-study merge and freeze-study report")
        }
        try "array \(array)\nmerge \(merge)\n".write(to: submission.jobs, atomically: true, encoding: .utf8)
        log("submitted job array \(array) (\(planned.count) task\(planned.count == 1 ? "" : "s")) and merge-and-report job \(merge) after it")
        log("follow them with: squeue --jobs \(array),\(merge)   or: freeze-study status" + (options.results.map { " --results \($0.path)" } ?? ""))
        log("task logs: \(displayPath(submission.logs))/task-<index>.log; merge log: \(displayPath(submission.logs))/merge.log")
        return SlurmSubmission(runs: manifest.runs, folder: submission.folder, arrayJob: array, mergeJob: merge)
    }

    /// The flags that point `run-task`, `merge` and `report` at this study, all absolute.
    func slurmStudyFlags() -> [String] {
        var flags = ["--study", options.study.standardizedFileURL.path, "--results", resultsURL.path,
                     "--cache-dir", options.cacheDirectory.standardizedFileURL.path]
        if let weights = options.weights { flags += ["--weights", weights.description] }
        return flags
    }

    /// Refuses paths that the nodes may not see: under a machine's own temporary folders, missing
    /// or not writable.
    func checkShared() throws {
        let paths = [("results folder", resultsURL.deletingLastPathComponent(), true),
                     ("cache folder", options.cacheDirectory.standardizedFileURL, true),
                     ("study file", options.study.standardizedFileURL, false)]
        for (what, url, writable) in paths {
            let path = url.resolvingSymlinksInPath().path
            for local in ["/tmp", "/var/tmp", "/dev/shm", "/run"] where path == local || path.hasPrefix(local + "/") {
                throw StudyError("the \(what) \(url.path) is under \(local), which is each machine's own: the array's tasks run on other nodes "
                                 + "and would not see it — put it on a shared file system (home, project or scratch), or pass "
                                 + "--assume-shared on a single-node cluster")
            }
            // The results and cache folders are made here if missing; their parent must exist.
            let existing = writable && !FileManager.default.fileExists(atPath: path) ? url.deletingLastPathComponent() : url
            guard FileManager.default.fileExists(atPath: existing.path) else {
                throw StudyError("the \(what) \(url.path) does not exist")
            }
            if writable, !FileManager.default.isWritableFile(atPath: existing.path) {
                throw StudyError("the \(what) \(existing.path) is not writable: the array's tasks write there")
            }
        }
    }

    /// Refuses to submit while an array of an earlier submission of this study is queued or
    /// running: both would train the same runs.
    func checkNoArrayQueued() throws {
        for earlier in SlurmStatus.submissions(in: setup.folder) {
            guard let array = earlier.arrayJob else { continue }
            if let states = SlurmCommands.queueStates(of: [array]), !states.isEmpty {
                throw StudyError("job array \(array) of this study (\(displayPath(earlier.folder.folder))) is still \(Set(states.values).sorted().joined(separator: ", ").lowercased()); "
                                 + "wait for it (squeue --jobs \(array)) or cancel it (scancel \(array)) before submitting again")
            }
        }
    }

    /// A folder name that sorts by time and does not collide with an earlier submission.
    static func submissionStamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS"
        return formatter.string(from: Date()) + "-\(getpid())"
    }
}
