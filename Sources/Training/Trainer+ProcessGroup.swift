import NeuralCore

/// The trainer's side of data-parallel training (YOLOv5 DDP): identical starting weights, one
/// gradient all-reduce per optimizer step, figures of the whole job, and a check that the
/// ranks' weights stayed bit-identical. With `SingleProcess` every call here is free.
extension Trainer {
    /// Makes every rank start from rank 0's model state (parameters, BN statistics, anchors),
    /// as DDP does when it wraps the model. The EMA is rank 0's, copied from rank 0's model.
    public func synchronizeStartingWeights() {
        guard processGroup.size > 1 else { return }
        for (_, tensor) in model.stateDict() { processGroup.broadcast(tensor) }
    }

    /// Averages the trainable parameters' gradients over the ranks: one all-reduce of the
    /// optimizer's gradient arena, which holds no frozen parameter.
    func averageGradients() {
        guard processGroup.size > 1 else { return }
        processGroup.allreduceMean(optimizer.trainableGradients)
    }

    /// Bytes one rank sends into the gradient all-reduce per optimizer step (the gradient arena;
    /// frozen parameters have no place in it). 0 for a single process.
    public var gradientBytesPerStep: Int { processGroup.size > 1 ? optimizer.trainableGradients.byteCount : 0 }

    /// The epoch's figures for the whole job: images over all ranks, the tracked peak summed,
    /// the peak resident set of each rank. Throws when the ranks' parameters differ in any bit.
    func jobFigures(images: Int, trackedPeakBytes: Int) throws -> (images: Int, trackedPeakBytes: Int, peakResidentBytesPerRank: [Int]) {
        let resident = ProcessStatistics.peakResidentBytes
        guard processGroup.size > 1 else { return (images, trackedPeakBytes, [resident]) }
        let hash = FrozenTensorCheck.fingerprint(optimizer.arena.values)
        // Doubles carry 32-bit halves exactly.
        let mine = [Double(images), Double(trackedPeakBytes), Double(resident), Double(hash >> 32), Double(hash & 0xFFFF_FFFF)]
        let all = processGroup.allgather(mine)
        let ranks = (0..<processGroup.size).map { Array(all[($0 * mine.count)..<(($0 + 1) * mine.count)]) }
        if let other = ranks.firstIndex(where: { $0[3] != mine[3] || $0[4] != mine[4] }) {
            throw TrainingError.ranksDiverged(epoch: position.epoch - 1, rank: processGroup.rank, otherRank: other)
        }
        return (ranks.map { Int($0[0]) }.reduce(0, +), ranks.map { Int($0[1]) }.reduce(0, +), ranks.map { Int($0[2]) })
    }
}
