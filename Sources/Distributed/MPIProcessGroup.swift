import CMPI
import Foundation
import NeuralCore
import Training

/// The ranks of `MPI_COMM_WORLD` as the trainer's `ProcessGroup` (Open MPI). Made only by
/// `Launch.processGroup()` when the process was started by `mpirun` with more than one rank;
/// MPI is finalized when the process exits.
final class MPIProcessGroup: ProcessGroup {
    let rank: Int
    let size: Int
    /// Elements per MPI call: MPI counts are C ints, and DDP caps its buckets at 25 MB.
    static let bucketElements = 25 * 1024 * 1024 / MemoryLayout<Float>.stride

    init() throws {
        var provided: Int32 = 0
        // Only the training thread calls MPI (the loader's threads never do).
        try MPIError.check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided), "MPI_Init_thread")
        var rank: Int32 = 0, size: Int32 = 0
        try MPIError.check(MPI_Comm_rank(fs_MPI_COMM_WORLD(), &rank), "MPI_Comm_rank")
        try MPIError.check(MPI_Comm_size(fs_MPI_COMM_WORLD(), &size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.size = Int(size)
        atexit { MPI_Finalize() }
    }

    func broadcast(_ tensor: Tensor) {
        withExtendedLifetime(tensor) {
            forEachBucket(tensor) { start, count in
                MPIError.require(MPI_Bcast(start, count, fs_MPI_FLOAT(), 0, fs_MPI_COMM_WORLD()), "MPI_Bcast")
            }
        }
    }

    func allreduceMean(_ tensor: Tensor) {
        withExtendedLifetime(tensor) {
            forEachBucket(tensor) { start, count in
                MPIError.require(MPI_Allreduce(fs_MPI_IN_PLACE(), start, count, fs_MPI_FLOAT(), fs_MPI_SUM(), fs_MPI_COMM_WORLD()),
                                 "MPI_Allreduce")
            }
        }
        scale(tensor, by: 1 / Float(size))
    }

    func allgather(_ values: [Double]) -> [Double] {
        var all = [Double](repeating: 0, count: values.count * size)
        values.withUnsafeBufferPointer { mine in
            all.withUnsafeMutableBufferPointer { out in
                MPIError.require(MPI_Allgather(mine.baseAddress, Int32(values.count), fs_MPI_DOUBLE(), out.baseAddress,
                                               Int32(values.count), fs_MPI_DOUBLE(), fs_MPI_COMM_WORLD()), "MPI_Allgather")
            }
        }
        return all
    }

    /// Calls `body` with consecutive slices of the tensor's elements of at most `bucketElements`.
    /// The one place outside NeuralCore that reads a tensor's storage pointer: MPI needs it.
    private func forEachBucket(_ tensor: Tensor, _ body: (UnsafeMutablePointer<Float>, Int32) -> Void) {
        var start = 0
        while start < tensor.count {
            let count = min(Self.bucketElements, tensor.count - start)
            body(tensor.data + start, Int32(count))
            start += count
        }
    }
}

/// An MPI call that failed (Open MPI's default handler aborts the job first; this is for the rest).
struct MPIError: Error, CustomStringConvertible {
    let call: String
    let code: Int32
    var description: String { "\(call) failed with MPI error \(code)" }

    static func check(_ code: Int32, _ call: String) throws {
        guard code == MPI_SUCCESS else { throw MPIError(call: call, code: code) }
    }

    /// A failed collective leaves the ranks out of step: nothing sensible can follow.
    static func require(_ code: Int32, _ call: String) {
        guard code == MPI_SUCCESS else { fatalError("\(call) failed with MPI error \(code)") }
    }
}
