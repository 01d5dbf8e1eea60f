/// The part of every epoch one rank of a data-parallel run trains on, as PyTorch's
/// `DistributedSampler(shuffle=True, drop_last=False)` with `set_epoch(epoch)`: the epoch's
/// shuffled order is padded with its own first indices to a multiple of `count`, and rank r
/// takes positions r, r + count, r + 2·count, …
public struct DataShard: Equatable, Sendable {
    /// This rank, 0 ..< count.
    public var rank: Int
    /// Ranks sharing the epoch.
    public var count: Int

    /// The whole epoch (one process).
    public static let whole = DataShard(rank: 0, count: 1)

    /// Rank `rank` of `count`.
    public init(rank: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(rank), "DataShard: rank \(rank) of \(count)")
        self.rank = rank
        self.count = count
    }

    /// Samples each rank gets per epoch out of `total` (`DistributedSampler.num_samples`).
    public func samples(of total: Int) -> Int { (total + count - 1) / count }

    /// This rank's indices of `order` (an epoch's order over all samples).
    public func take(_ order: [Int]) -> [Int] {
        guard count > 1, !order.isEmpty else { return order }
        let padded = samples(of: order.count) * count
        var indices = order
        while indices.count < padded { indices += order.prefix(padded - indices.count) }
        return Swift.stride(from: rank, to: padded, by: count).map { indices[$0] }
    }
}
