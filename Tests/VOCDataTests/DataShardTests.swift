import Testing
@testable import VOCData

/// Ranks' shares of an epoch, as PyTorch's `DistributedSampler(drop_last=False)`: padded with the
/// order's first indices to a multiple of the ranks, then every K-th from the rank.
struct DataShardTests {
    @Test func ranksTakeEveryKthOfThePaddedOrder() {
        let order = [7, 3, 9, 0, 5, 1, 8, 2, 6, 4]
        // torch: indices += indices[:2] → [7,3,9,0,5,1,8,2,6,4,7,3]; rank r takes indices[r::4].
        #expect((0..<4).map { DataShard(rank: $0, count: 4).take(order) } == [[7, 5, 6], [3, 1, 4], [9, 8, 7], [0, 2, 3]])
        #expect(DataShard.whole.take(order) == order)
        #expect(DataShard(rank: 1, count: 3).samples(of: 10) == 4)
        // More ranks than samples: the order repeats until every rank has one.
        #expect((0..<5).map { DataShard(rank: $0, count: 5).take([4, 2]) } == [[4], [2], [4], [2], [4]])
    }

    @Test func theRanksOfAnEpochCoverItAndShareTheShuffle() {
        let plans = (0..<3).map { BatchPlan.square(count: 11, batchSize: 2, size: 64, shuffle: true, seed: 5, epoch: 2,
                                                    shard: DataShard(rank: $0, count: 3)) }
        let whole = BatchPlan.square(count: 11, batchSize: 6, size: 64, shuffle: true, seed: 5, epoch: 2)
        #expect(plans.map { $0.batches.count } == [2, 2, 2], "4 samples each, in batches of 2")
        #expect(Set(plans.flatMap { $0.batches.joined() }) == Set(0..<11))
        let order = Array(whole.batches.joined())
        #expect(plans.map { Array($0.batches.joined()) } == (0..<3).map { DataShard(rank: $0, count: 3).take(order) })
    }
}
