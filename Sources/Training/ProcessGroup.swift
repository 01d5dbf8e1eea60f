import NeuralCore

/// The processes (ranks) that train one run together, data-parallel as YOLOv5's DDP: the
/// trainer asks it for its rank, the world size, rank 0's starting weights and the mean of
/// the gradients. A single process uses `SingleProcess`, which makes no calls at all; the
/// `Distributed` module implements it over MPI.
public protocol ProcessGroup: AnyObject {
    /// This process's index, 0 ..< `size`; rank 0 validates, records and checkpoints.
    var rank: Int { get }
    /// Processes training the run (YOLOv5's WORLD_SIZE).
    var size: Int { get }
    /// Overwrites `tensor` on every rank with rank 0's (DDP's broadcast of the starting weights).
    func broadcast(_ tensor: Tensor)
    /// Replaces `tensor` on every rank with the element-wise mean over ranks, the same bits on
    /// every rank (DDP's gradient all-reduce; `tensor` is one large bucket).
    func allreduceMean(_ tensor: Tensor)
    /// Every rank's `values`, rank after rank ([size · values.count]); small bookkeeping only.
    func allgather(_ values: [Double]) -> [Double]
}

extension ProcessGroup {
    /// Whether any rank says `flag` (a stop one rank saw must stop every rank at the same iteration).
    public func anyRank(_ flag: Bool) -> Bool {
        size == 1 ? flag : allgather([flag ? 1 : 0]).contains(1)
    }

    /// Whether this rank is the one that validates, records and checkpoints.
    public var isRoot: Bool { rank == 0 }
}

/// One process training alone: every operation is the identity, nothing is communicated.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func broadcast(_ tensor: Tensor) {}
    public func allreduceMean(_ tensor: Tensor) {}
    public func allgather(_ values: [Double]) -> [Double] { values }
}
