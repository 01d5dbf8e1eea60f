/// Where training stands: the next iteration to run. `(e, 0)` is the start of epoch e; an
/// iteration equal to the epoch's batch count means its batches are done but not its validation.
public struct TrainingPosition: Equatable, Sendable, Codable, CustomStringConvertible {
    public var epoch: Int
    public var iteration: Int

    public init(epoch: Int, iteration: Int = 0) {
        self.epoch = epoch
        self.iteration = iteration
    }

    /// Whether this is an epoch boundary (nothing of `epoch` has run yet).
    public var isEpochStart: Bool { iteration == 0 }

    public var description: String { "epoch \(epoch), iteration \(iteration)" }
}

/// How `Trainer.run` ended.
public enum TrainingOutcome: Equatable, Sendable {
    /// Every epoch ran.
    case completed
    /// A stop was requested; `at` is the next iteration to run. The trainer's state (see
    /// `TrainingCheckpoint.save`) resumes there with the same results as an uninterrupted run.
    case stopped(at: TrainingPosition)
}
