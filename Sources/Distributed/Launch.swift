import Foundation
import Training

/// How this process was launched: alone, or as one rank of `mpirun -np K` (Open MPI sets
/// `OMPI_COMM_WORLD_SIZE` and `OMPI_COMM_WORLD_RANK` in every rank's environment).
public enum Launch {
    /// Open MPI's world size variable, set by `mpirun` (and by `srun --mpi=pmix`).
    public static let worldSizeVariable = "OMPI_COMM_WORLD_SIZE"
    /// Open MPI's rank variable.
    public static let worldRankVariable = "OMPI_COMM_WORLD_RANK"

    /// The world size `mpirun` announced (1 when the process was not started by it).
    public static var announcedWorldSize: Int {
        ProcessInfo.processInfo.environment[worldSizeVariable].flatMap(Int.init) ?? 1
    }

    /// Ranks `mpirun` started on this machine (1 when the process was not started by it).
    public static var announcedLocalRanks: Int {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1
    }

    /// The rank `mpirun` announced (0 when the process was not started by it).
    public static var announcedRank: Int {
        ProcessInfo.processInfo.environment[worldRankVariable].flatMap(Int.init) ?? 0
    }

    /// The group this process trains in: `SingleProcess` (no MPI call at all) unless `mpirun`
    /// started it with more than one rank, then MPI's world. Call once per process.
    public static func processGroup() throws -> any ProcessGroup {
        announcedWorldSize > 1 ? try MPIProcessGroup() : SingleProcess()
    }
}
