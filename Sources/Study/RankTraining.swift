import Foundation
import Results
import Training
import VOCData

/// A rank other than 0 of a data-parallel run: it builds the same job, restores the same
/// checkpoint when rank 0 resumes, and trains its share of every epoch. It writes nothing:
/// rank 0 records, checkpoints and validates (YOLOv5's `RANK in {-1, 0}`).
struct RankTraining {
    let inputs: RunInputs
    let group: any ProcessGroup

    /// What rank 0 decided after reading the run's part.
    enum Decision: Double {
        case nothingToDo = 0, start = 1, resume = 2
    }

    /// Rank 0 announces its decision (every rank takes part in the same collective).
    static func tell(_ group: any ProcessGroup, _ decision: Decision) {
        guard group.size > 1 else { return }
        _ = group.allgather([decision.rawValue])
    }

    /// A run resumes only on as many ranks as it started with: the ranks' shares of every
    /// epoch, and so the data order, depend on it.
    static func checkWorldSize(_ store: ResultsStore, _ key: RunKey, part: URL, ranks: Int) throws {
        let recorded = try store.read(key).info.worldSize
        guard recorded == ranks else {
            throw StudyError("\(key) was started on \(recorded) rank\(recorded == 1 ? "" : "s") and cannot resume on \(ranks) "
                             + "(\(part.path), world_size): each rank's share of every epoch depends on the number of ranks; "
                             + "resume it with `mpirun -np \(recorded)`" + (recorded == 1 ? " or without mpirun" : "")
                             + ", or train it again with --restart")
        }
    }

    func run() throws {
        let settings = inputs.scenario.settings
        let job = try TrainingJob(settings: settings, freeze: inputs.scenario.freeze, model: inputs.model, data: inputs.data.url,
                                  weights: inputs.weights.url, hyp: inputs.hyp, shard: DataShard(rank: group.rank, count: group.size),
                                  log: { _ in })
        let decision = Decision(rawValue: group.allgather([0])[0]) ?? .nothingToDo
        guard decision != .nothingToDo else { return }
        if decision == .resume { try TrainingCheckpoint.restore(inputs.checkpoint, into: job.trainer) }
        job.trainer.processGroup = group
        job.trainer.synchronizeStartingWeights()
        try job.trainer.run(from: decision == .resume ? job.trainer.position.epoch : 0)
    }
}
