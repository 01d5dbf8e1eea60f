import Foundation
import Results
import Training

/// Runs as child processes of one executable (`freeze-study run-task …`), `jobs` at a time on
/// this machine. Each child's output goes to its run's log; the display shows the running ones
/// together. A child that fails is reported with its log while the others go on.
final class LocalJobs {
    /// One child to start.
    struct Job {
        let key: RunKey
        let arguments: [String]
        let log: URL
        let progress: URL
    }

    /// How a child ended.
    struct Outcome {
        let key: RunKey
        let log: URL
        let succeeded: Bool
        /// `exit status 1`, `killed by signal 9`, `could not start: …`.
        let reason: String
        let seconds: Double
    }

    let executable: URL
    let jobs: Int
    let display: JobDisplay
    /// Starts each child under `mpirun` instead of directly.
    let launcher: MPILauncher?

    init(executable: URL, jobs: Int, display: JobDisplay, launcher: MPILauncher? = nil) {
        self.executable = executable
        self.jobs = jobs
        self.display = display
        self.launcher = launcher
    }

    /// Runs every job, at most `jobs` at once, calling `finished` (on this thread) as each ends;
    /// returns every outcome in the order they ended. Once `stop` is requested (SIGINT/SIGTERM to
    /// the sweep), no job starts and each running child gets the signal once (`signal()`), so it
    /// checkpoints and exits; they are waited for.
    func run(_ queue: [Job], stop: StopRequest? = nil, signal: () -> Int32 = { SIGTERM }, finished: (Outcome) -> Void) -> [Outcome] {
        var waiting = queue[...]
        var running: [(job: Job, process: Process, started: Date)] = []
        var outcomes: [Outcome] = []
        var forwarded = false
        while !waiting.isEmpty || !running.isEmpty {
            if !forwarded, stop?.isRequested == true {
                forwarded = true
                waiting.removeAll()
                let number = signal()
                // The children are in process groups of their own (Foundation's Process), so a
                // Ctrl-C reaches only the sweep: each child gets the signal once, from here.
                for entry in running { kill(entry.process.processIdentifier, number) }
                display.event("stopping: passed signal \(number) to \(running.count) run\(running.count == 1 ? "" : "s"); "
                              + "waiting for their checkpoints (a second signal ends the sweep at once)")
            }
            while running.count < jobs, let job = waiting.popFirst() {
                do {
                    let process = try start(job)
                    running.append((job, process, Date()))
                    display.event("started \(job.key) (pid \(process.processIdentifier)); log \(displayPath(job.log))")
                } catch {
                    let outcome = Outcome(key: job.key, log: job.log, succeeded: false, reason: "could not start: \(error)", seconds: 0)
                    outcomes.append(outcome)
                    finished(outcome)
                }
            }
            for (index, entry) in running.enumerated().reversed() where !entry.process.isRunning {
                running.remove(at: index)
                let outcome = Self.outcome(entry.job, entry.process, seconds: Date().timeIntervalSince(entry.started))
                outcomes.append(outcome)
                finished(outcome)
            }
            display.show(running.map { entry in
                let line = (try? String(contentsOf: entry.job.progress, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                return line.flatMap { $0.isEmpty ? nil : $0 } ?? "\(entry.job.key): starting (pid \(entry.process.processIdentifier))"
            }, waiting: waiting.count, done: outcomes.count)
            if !running.isEmpty { usleep(200_000) }
        }
        display.show([], waiting: 0, done: outcomes.count)
        return outcomes
    }

    private func start(_ job: Job) throws -> Process {
        try FileManager.default.createDirectory(at: job.log.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: job.progress)  // the last run's line is not this one's
        if !FileManager.default.fileExists(atPath: job.log.path) { _ = FileManager.default.createFile(atPath: job.log.path, contents: nil) }
        let log = try FileHandle(forWritingTo: job.log)
        defer { try? log.close() }  // the child has its own copy of the descriptor
        try log.seekToEnd()
        let header = "=== \(ISO8601DateFormatter().string(from: Date())) \(ShellCommand.line(["freeze-study"] + job.arguments))\n"
        try log.write(contentsOf: Data(header.utf8))
        let process = Process()
        if let launcher {
            process.executableURL = try launcher.mpirun()
            process.arguments = launcher.arguments(executable: executable, job.arguments)
        } else {
            process.executableURL = executable
            process.arguments = job.arguments
        }
        var environment = ProcessInfo.processInfo.environment
        environment[RunTask.parentVariable] = String(getpid())
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    private static func outcome(_ job: Job, _ process: Process, seconds: Double) -> Outcome {
        let status = process.terminationStatus
        let killed = process.terminationReason == .uncaughtSignal
        return Outcome(key: job.key, log: job.log, succeeded: !killed && status == 0,
                       reason: killed ? "killed by signal \(status)" : "exit status \(status)", seconds: seconds)
    }
}
