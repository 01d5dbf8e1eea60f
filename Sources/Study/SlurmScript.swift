import Foundation

/// How `sweep --slurm` asks Slurm for resources: each becomes an `#SBATCH` line of both scripts.
public struct SlurmOptions: Sendable {
    /// `--partition`.
    public var partition: String?
    /// `--time` of each array task (Slurm's formats: `90`, `4:00:00`, `2-00:00:00`).
    public var time: String?
    /// `--cpus-per-task`: each run trains with this many threads.
    public var cpusPerTask = 2
    /// `--mem` per task (`8G`).
    public var memory: String?
    /// `--account`.
    public var account: String?
    /// Further `sbatch` options, one `#SBATCH` line each (`--qos=long`, `--constraint=avx2`).
    public var extraArguments: [String] = []
    /// Seconds before the time limit at which Slurm signals a task to checkpoint and requeue itself.
    public var signalSeconds = 120
    /// How often one task requeues itself before it gives up (a run that never finishes within
    /// the time limit is not retried forever).
    public var requeueLimit = 20
    /// Write the scripts and manifest, submit nothing.
    public var dryRun = false
    /// Skip the check that the results, cache and study are on a path every node sees (a
    /// single-node cluster, or a shared file system mounted under /tmp).
    public var assumeShared = false

    /// Defaults: 2 CPUs per task, no partition, time, memory or account lines.
    public init() {}

    /// The `#SBATCH` lines common to the array and the merge job.
    var commonLines: [String] {
        [partition.map { "--partition=\($0)" }, account.map { "--account=\($0)" }].compactMap { $0 } + extraArguments
    }
}

/// The two batch scripts of a submission: the job array (one task per manifest line, each
/// running `freeze-study run-task` for its index) and the merge-and-report job that depends on it.
struct SlurmScript {
    let studyName: String
    /// The `freeze-study` executable the tasks run.
    let executable: URL
    /// The flags every task and the merge share (`--study`, `--results`, `--cache-dir`, `--weights`).
    let studyFlags: [String]
    let reportFolder: URL
    let submission: SlurmSubmissionFolder
    let taskCount: Int
    let options: SlurmOptions

    /// The job array's script. The run gets the task's CPUs as threads. Slurm sends USR1 to this
    /// shell `signalSeconds` before the time limit: it passes SIGTERM to the run, which checkpoints
    /// and exits, and then requeues the task, which resumes from that checkpoint. A SIGTERM from
    /// Slurm itself (preemption, `scancel`, the time limit) reaches the run directly; the shell
    /// only waits for the run's checkpoint.
    var arrayScript: String {
        var lines = ["--job-name=freeze-\(studyName)", "--array=0-\(taskCount - 1)", "--ntasks=1",
                     "--cpus-per-task=\(options.cpusPerTask)", "--requeue", "--signal=B:USR1@\(options.signalSeconds)",
                     "--open-mode=append", "--output=\(submission.logs.path)/task-%a.log"]
        lines += options.time.map { ["--time=\($0)"] } ?? []
        lines += options.memory.map { ["--mem=\($0)"] } ?? []
        lines += options.commonLines
        let task = [executable.path, "run-task"] + studyFlags + ["--array-manifest", submission.manifest.path]
        return header(lines, says: "One array task per run of \(submission.manifest.lastPathComponent); written by freeze-study sweep --slurm.") + """
            set -u
            echo "=== $(date -Is) task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}"
            # The run ignores USR1 (scancel --batch --signal=USR1 reaches it too): it is this shell's.
            ( trap '' USR1; exec \(ShellCommand.line(task)) --array-index "$SLURM_ARRAY_TASK_ID" --threads "${SLURM_CPUS_PER_TASK:-1}" ) &
            run=$!
            requeue=0
            # Near the time limit: the run checkpoints and stops, then this task requeues itself.
            trap 'requeue=1; kill -TERM "$run" 2>/dev/null' USR1
            # Slurm signals the run itself as well; wait for its checkpoint instead of dying first.
            trap ':' TERM INT
            while :; do
                wait "$run"; status=$?
                kill -0 "$run" 2>/dev/null || break
            done
            if [ "$requeue" = 1 ] && [ "$status" != 0 ]; then
                if [ "${SLURM_RESTART_COUNT:-0}" -lt \(options.requeueLimit) ]; then
                    echo "=== stopped before the time limit (status $status); requeueing to resume from the checkpoint"
                    scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
                else
                    echo "=== stopped before the time limit (status $status) after \(options.requeueLimit) requeues; not requeued again"
                fi
            fi
            exit "$status"

            """
    }

    /// The merge-and-report job: it runs after every array task ended (`afterany`), whatever
    /// their outcome, so the results file and the report show what finished.
    var mergeScript: String {
        var lines = ["--job-name=freeze-\(studyName)-merge", "--ntasks=1", "--cpus-per-task=1",
                     "--output=\(submission.logs.path)/merge.log"]
        lines += options.commonLines
        let merge = [executable.path, "merge"] + studyFlags
        let report = [executable.path, "report", "--results", studyFlags.value(after: "--results") ?? "", "--out", reportFolder.path]
        return header(lines, says: "Merges the parts of the runs and writes the report; written by freeze-study sweep --slurm.") + """
            set -eu
            \(ShellCommand.line(merge))
            \(ShellCommand.line(report))

            """
    }

    private func header(_ sbatch: [String], says purpose: String) -> String {
        "#!/bin/bash\n# \(purpose)\n" + sbatch.map { "#SBATCH \($0)\n" }.joined()
    }
}

extension Array where Element == String {
    /// The element after `flag`, as in `["--results", "r.h5"]`.
    func value(after flag: String) -> String? {
        guard let index = firstIndex(of: flag), index + 1 < count else { return nil }
        return self[index + 1]
    }
}

/// The files of one `sweep --slurm` submission, under `runs/<study>/slurm/<stamp>/`: the
/// manifest, the two scripts, the job ids and the tasks' logs.
struct SlurmSubmissionFolder {
    let folder: URL
    var manifest: URL { folder.appendingPathComponent("runs.tsv") }
    var arrayScript: URL { folder.appendingPathComponent("array.sbatch") }
    var mergeScript: URL { folder.appendingPathComponent("merge.sbatch") }
    /// `array <id>` and `merge <id>` lines, written once submitted.
    var jobs: URL { folder.appendingPathComponent("jobs") }
    var logs: URL { folder.appendingPathComponent("logs") }

    /// The log of array task `index`.
    func taskLog(_ index: Int) -> URL { logs.appendingPathComponent("task-\(index).log") }
}
