import YOLOv5

extension Trainer {
    /// Trains by `plan`: per-parameter learning-rate and weight-decay factors in the optimizer,
    /// and at the start of every epoch the plan's freezing and BatchNorm state for that epoch
    /// (applied now for the epoch the trainer stands at). A parameter that unfreezes has no
    /// momentum buffer, so its first step is PyTorch SGD's first step.
    public func use(_ plan: FineTuningPlan) {
        precondition(plan.names == optimizer.members.map(\.name), "Trainer.use: the plan was made for another model")
        fineTuning = plan
        optimizer.setMultipliers(learningRate: plan.learningRateMultipliers, weightDecay: plan.weightDecayMultipliers)
        plan.apply(epoch: position.epoch, to: model)
    }

    /// Puts the model in the state the plan gives `epoch` (nothing without a plan).
    func prepareEpoch(_ epoch: Int) {
        fineTuning?.apply(epoch: epoch, to: model)
    }
}
