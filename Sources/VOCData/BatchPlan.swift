import Foundation
import NeuralCore

/// Which samples form each batch of an epoch and at what size (YOLOv5's sampler plus rect shapes).
struct BatchPlan {
    /// Dataset indices of every batch, in order; the last batch may be short.
    var batches: [[Int]]
    /// Input (height, width) of every batch.
    var shapes: [(height: Int, width: Int)]

    /// Square batches of `size`, in a per-epoch seeded shuffle or in dataset order.
    /// With a `shard`, only that rank's part of the shuffled order (the same shuffle on every rank).
    static func square(count: Int, batchSize: Int, size: Int, shuffle: Bool, seed: UInt64, epoch: Int,
                       shard: DataShard = .whole) -> BatchPlan {
        var order = Array(0..<count)
        if shuffle {
            var rng = SampleSeeds.generator(seed: seed, epoch: epoch, index: -1)
            SampleSeeds.shuffle(&order, using: &rng)
        }
        order = shard.take(order)
        let batches = stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, order.count)]) }
        return BatchPlan(batches: batches, shapes: Array(repeating: (size, size), count: batches.count))
    }

    /// v7 rect batches: samples sorted by aspect ratio h/w (stably), cut into consecutive batches,
    /// each of shape `stride · ceil(rel · size / stride + pad)` with rel = [max ar, 1] if every ar < 1,
    /// [1, 1/min ar] if every ar > 1, else [1, 1].
    static func rect(samples: [DatasetSample], batchSize: Int, size: Int, stride: Int, pad: Float) -> BatchPlan {
        let ratios = samples.map { Double($0.height) / Double($0.width) }
        let order = ratios.indices.sorted { ratios[$0] != ratios[$1] ? ratios[$0] < ratios[$1] : $0 < $1 }
        var batches: [[Int]] = [], shapes: [(Int, Int)] = []
        for start in Swift.stride(from: 0, to: order.count, by: batchSize) {
            let batch = Array(order[start..<min(start + batchSize, order.count)])
            let ar = batch.map { ratios[$0] }
            var rel = (h: 1.0, w: 1.0)
            if ar.max()! < 1 { rel = (ar.max()!, 1) } else if ar.min()! > 1 { rel = (1, 1 / ar.min()!) }
            func pixels(_ r: Double) -> Int {
                Int((r * Double(size) / Double(stride) + Double(pad)).rounded(.up)) * stride
            }
            batches.append(batch)
            shapes.append((pixels(rel.h), pixels(rel.w)))
        }
        return BatchPlan(batches: batches, shapes: shapes)
    }
}

/// Per-sample random generators derived from (seed, epoch, index), so the result of a sample does
/// not depend on which thread prepares it or when.
public enum SampleSeeds {
    /// SplitMix64's finaliser.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The generator of sample `index` in `epoch` (index −1 is the epoch's shuffle).
    public static func generator(seed: UInt64, epoch: Int, index: Int) -> SeededGenerator {
        SeededGenerator(seed: mix(mix(mix(seed) ^ UInt64(bitPattern: Int64(epoch))) ^ UInt64(bitPattern: Int64(index))))
    }

    /// A Fisher–Yates shuffle written out, so the order depends only on the generator.
    public static func shuffle<T>(_ array: inout [T], using rng: inout SeededGenerator) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(below(UInt64(i + 1), using: &rng))
            array.swapAt(i, j)
        }
    }

    /// A uniform integer in 0..<n (Lemire's multiply-shift with rejection).
    public static func below(_ n: UInt64, using rng: inout SeededGenerator) -> UInt64 {
        precondition(n > 0, "SampleSeeds.below: empty range")
        while true {
            let r = rng.next().multipliedFullWidth(by: n)
            if r.low >= (0 &- n) % n { return r.high }
        }
    }
}
