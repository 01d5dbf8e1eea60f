import Foundation
import Results
import Testing
import TestSupport
@testable import Study

/// `sweep --slurm` on a real single-node Slurm (`SlurmCluster`): a tiny study of 2 scenarios ×
/// 2 seeds is submitted as a job array and a dependent merge-and-report job; one task is told its
/// time limit nears (USR1 to its batch shell) and requeues itself, another is requeued by Slurm
/// (`scontrol requeue`, as preemption does); both resume from their checkpoints to the bits of an
/// uninterrupted run. Without Slurm's binaries these tests fail. The cluster stops itself after
/// 200 s (every wait below ends once it is gone), so a stuck run fails instead of hanging CI.
@Suite(.serialized) struct SlurmTests {
    @Test(.timeLimit(.minutes(4)))
    func aStudySubmittedAsAJobArrayIsTrainedMergedAndReportedThroughRequeues() throws {
        let started = Date()
        let cluster = try SlurmCluster(cpus: 2, timeLimit: 200)
        defer { cluster.stop() }
        // At 224 px an epoch takes seconds, so each interruption below lands while its run trains.
        let study = try StudyFolderFixture(tinyStudy(epochs: 4, seeds: "seeds: 2", scenarios: ["none: none", "backbone: 10"], imageSize: 224))
        let submitFlags = ["sweep", "--slurm", "--assume-shared", "--cpus-per-task", "1"] + study.sweepFlags

        // sbatch's refusal is reported with its reason; nothing is queued.
        let refused = try runFreezeStudy(submitFlags + ["--partition", "nosuchpartition"], environment: cluster.environment)
        #expect(refused.status != 0)
        #expect(refused.error.contains("sbatch refused") && refused.error.contains("partition"), "\(refused.error)")

        let submitted = try runFreezeStudy(submitFlags, environment: cluster.environment)
        #expect(submitted.status == 0, "\(submitted.output)\(submitted.error)")
        let text = submitted.output + submitted.error
        guard let array = Self.jobID(after: "submitted job array ", in: text), let merge = Self.jobID(after: "merge-and-report job ", in: text) else {
            Issue.record("no job ids in: \(text)")
            return
        }
        let queued = try cluster.queue([array, merge])
        let keys = [RunKey(scenario: "none", seed: 0), RunKey(scenario: "none", seed: 1),
                    RunKey(scenario: "backbone", seed: 0), RunKey(scenario: "backbone", seed: 1)]
        let submission = try #require(SlurmStatus.submissions(in: study.folder).last)
        #expect(submission.manifest?.runs == keys, "the manifest lists the runs in study order")
        let script = (try? String(contentsOf: submission.folder.arrayScript, encoding: .utf8)) ?? ""
        #expect(submission.arrayJob == array && submission.mergeJob == merge)

        // The uninterrupted runs to compare with, trained meanwhile outside Slurm (1 thread, as the tasks).
        let reference = StudyFolder(results: study.temporary.file("reference/results.h5"))
        let references = try keys.prefix(2).map { key in
            try startFreezeStudy(["run-task", "--scenario", key.scenario, "--seed", "\(key.seed)", "--threads", "1", "--study", study.study.path,
                                  "--results", reference.results.path, "--cache-dir", study.cache.path])
        }
        defer { for process in references where process.isRunning { process.terminate() } }

        // Task 0 hears that its time limit nears; task 1 is requeued by Slurm, as a preemption does.
        let interruptions: [(index: Int, command: String, arguments: [String])] = [
            (0, "scancel", ["--batch", "--signal=USR1", "\(array)_0"]),
            (1, "scontrol", ["requeue", "\(array)_1"]),
        ]
        // Both tasks train at once: each is interrupted as soon as its progress line shows a later
        // epoch than the first, on a thread of its own (scancel --signal can take many seconds to
        // return), so that neither can finish before its interruption. (The part itself cannot
        // be read while its run has it open for writing.)
        var pending = interruptions
        let sent = DispatchGroup()
        let outcomes = InterruptionOutcomes()
        let interrupted = wait(upTo: 90) {
            for (position, interruption) in pending.enumerated().reversed() {
                let line = (try? String(contentsOf: study.folder.progress(keys[interruption.index]), encoding: .utf8)) ?? ""
                guard (2...4).contains(where: { line.contains("epoch \($0)/4") }) else { continue }
                DispatchQueue.global().async(group: sent) {
                    let result = try? cluster.run(interruption.command, interruption.arguments)
                    outcomes.add("\(interruption.command) \(interruption.arguments)", status: result?.status, error: result?.error ?? "did not run")
                }
                pending.remove(at: position)
            }
            return pending.isEmpty
        }
        #expect(interrupted, "every task shows its second epoch under Slurm; not interrupted: \(pending.map(\.index))")
        #expect(sent.wait(timeout: .now() + 60) == .success, "the interruptions return")
        for outcome in outcomes.all {
            // scancel --signal has exited non-zero (229) with the signal delivered; what each
            // signal did is checked below, in the task's log and the results.
            #expect(outcome.command.hasPrefix("scancel") || outcome.status == 0, "\(outcome)")
        }
        let ended = try cluster.waitUntilEnded([array, merge], seconds: 150)
        #expect(ended, "the array and the merge job end: \((try? cluster.queue([array, merge])) ?? [])")
        #expect(wait(upTo: 60) { !references.contains(where: \.isRunning) }, "the uninterrupted runs end")

        let results = try study.read()
        for key in keys {
            let run = try #require(results.scenario(key.scenario)?.run(seed: key.seed), "\(key) is merged")
            #expect(run.status == .complete && run.epochs.count == 4, "\(key): \(run.status), \(run.epochs.count) epochs")
        }
        for index in [0, 1] {
            let key = keys[index]
            let log = (try? String(contentsOf: submission.folder.taskLog(index), encoding: .utf8)) ?? ""
            #expect(log.contains("stopped by SIGTERM"), "task \(index) stopped gracefully: \(log)")
            #expect(log.contains("restart 1") && log.contains("resuming"), "task \(index) ran again and resumed: \(log)")
            let resumed = try ResultsStore(url: study.folder.part(key)).read(key)
            let uninterrupted = try ResultsStore(url: reference.part(key)).read(key)
            #expect(accuracySeries(resumed) == accuracySeries(uninterrupted), "\(key) resumed to the bits of an uninterrupted run")
            #expect(resumed.iterations.map { $0.map(\.loss.bitPattern) } == uninterrupted.iterations.map { $0.map(\.loss.bitPattern) })
        }
        let firstLog = (try? String(contentsOf: submission.folder.taskLog(0), encoding: .utf8)) ?? ""
        #expect(firstLog.contains("requeueing to resume"), "task 0 requeued itself: \(firstLog)")
        #expect(FileManager.default.fileExists(atPath: study.report.appendingPathComponent("report.md").path), "the merge job wrote the report")

        // Everything is complete: a second submission submits nothing; status says so.
        let again = try runFreezeStudy(submitFlags, environment: cluster.environment)
        #expect(again.status == 0 && (again.output + again.error).contains("nothing to submit"), "\(again.output)\(again.error)")
        let status = try runFreezeStudy(["status"] + study.flags, environment: cluster.environment)
        #expect(status.output.contains("4 complete of 4 runs"), "\(status.output)\(status.error)")
        #expect(!cluster.timedOut, "the test ended before the cluster's time limit")
        print("sweep --slurm test: array.sbatch:\n" + script)
        print("sweep --slurm test: queue right after submission:\n" + queued.joined(separator: "\n"))
        print("sweep --slurm test: \(Int(Date().timeIntervalSince(started))) s from starting the cluster")
    }

    /// `--dry-run` writes the manifest and both scripts and submits nothing; paths under /tmp are
    /// refused without `--assume-shared`; a machine without sbatch gets a clear error.
    @Test func dryRunWritesTheScriptsAndTheChecksRefuseClearly() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 1, scenarios: ["none: none", "backbone: 10"]))
        let local = try runFreezeStudy(["sweep", "--slurm", "--dry-run"] + study.sweepFlags)
        #expect(local.status != 0 && local.error.contains("is under /tmp") && local.error.contains("--assume-shared"), "\(local.error)")

        let dry = try runFreezeStudy(["sweep", "--slurm", "--dry-run", "--assume-shared", "--partition", "cpu", "--time", "1:00:00",
                                      "--mem", "4G", "--account", "lab", "--sbatch-arg=--qos=long"] + study.sweepFlags)
        #expect(dry.status == 0, "\(dry.output)\(dry.error)")
        let submission = try #require(SlurmStatus.submissions(in: study.folder).last)
        #expect(submission.arrayJob == nil, "nothing submitted")
        #expect(submission.manifest?.runs == [RunKey(scenario: "none", seed: 0), RunKey(scenario: "backbone", seed: 0)])
        let script = try String(contentsOf: submission.folder.arrayScript, encoding: .utf8)
        for line in ["#SBATCH --array=0-1", "#SBATCH --requeue", "#SBATCH --signal=B:USR1@120", "#SBATCH --cpus-per-task=2",
                     "#SBATCH --partition=cpu", "#SBATCH --time=1:00:00", "#SBATCH --mem=4G", "#SBATCH --account=lab", "#SBATCH --qos=long",
                     "--array-manifest \(submission.folder.manifest.path)", "--threads \"${SLURM_CPUS_PER_TASK:-1}\"",
                     "scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\""] {
            #expect(script.contains(line), "array script lacks '\(line)':\n\(script)")
        }
        let merge = try String(contentsOf: submission.folder.mergeScript, encoding: .utf8)
        #expect(merge.contains(" merge --study ") && merge.contains(" report --results \(study.results.path) --out \(study.report.path)"), "\(merge)")
        #expect(merge.contains("#SBATCH --partition=cpu") && !merge.contains("--array"), "\(merge)")

        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = study.temporary.url.path  // no sbatch there
        let missing = try runFreezeStudy(["sweep", "--slurm", "--assume-shared"] + study.sweepFlags, environment: environment)
        #expect(missing.status != 0 && missing.error.contains("sbatch was not found on PATH"), "\(missing.error)")
    }

    /// The manifest reads back what was written, whatever the line endings; a bad line is named.
    @Test func theManifestRoundTripsAndNamesABadLine() throws {
        let folder = TemporaryFolder()
        let manifest = SlurmManifest(runs: [RunKey(scenario: "none", seed: 0), RunKey(scenario: "all-but-detect", seed: 7)])
        let file = folder.file("runs.tsv")
        try manifest.text.replacingOccurrences(of: "\n", with: "\r\n").write(to: file, atomically: true, encoding: .utf8)
        let read = try SlurmManifest(contentsOf: file)
        #expect(read == manifest)
        #expect(try read.run(at: 1, file: file) == RunKey(scenario: "all-but-detect", seed: 7))
        #expect(throws: StudyError.self) { try read.run(at: 2, file: file) }
        try (SlurmManifest.header + "\n0\tnone\t0\n1\tnone\n").write(to: file, atomically: true, encoding: .utf8)
        let error = #expect(throws: StudyError.self) { try SlurmManifest(contentsOf: file) }
        #expect(error?.message.contains("\(file.path), line 3") == true, "\(String(describing: error))")
    }

    static func jobID(after prefix: String, in text: String) -> String? {
        guard let range = text.range(of: prefix) else { return nil }
        let id = text[range.upperBound...].prefix { $0.isNumber }
        return id.isEmpty ? nil : String(id)
    }
}

/// What the interruptions sent from their own threads returned.
final class InterruptionOutcomes: @unchecked Sendable {
    struct Outcome { let command: String, status: Int32?, error: String }
    private let lock = NSLock()
    private var outcomes: [Outcome] = []
    func add(_ command: String, status: Int32?, error: String) { lock.withLock { outcomes.append(Outcome(command: command, status: status, error: error)) } }
    var all: [Outcome] { lock.withLock { outcomes } }
}
