import Foundation

/// Starts a run's process as `mpirun -np K freeze-study run-task …` (Open MPI), so that the run
/// trains on K ranks (`sweep --mpi K`).
struct MPILauncher {
    /// Ranks per run.
    let ranks: Int

    init(ranks: Int) { self.ranks = ranks }

    /// `mpirun` from PATH, or an error saying how to get it.
    func mpirun() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw StudyError("--mpi \(ranks): mpirun is not on PATH (\(path)); install Open MPI (Debian: openmpi-bin)")
    }

    /// mpirun's arguments: K ranks, then the command. Open MPI refuses root without
    /// --allow-run-as-root (containers), and more ranks than cores without --oversubscribe.
    func arguments(executable: URL, _ command: [String]) -> [String] {
        var arguments = ["-np", String(ranks)]
        if geteuid() == 0 { arguments.append("--allow-run-as-root") }
        if ranks > ProcessInfo.processInfo.activeProcessorCount { arguments.append("--oversubscribe") }
        return arguments + [executable.path] + command
    }
}
