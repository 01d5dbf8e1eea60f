/// The speed-up a scenario's work predicts over the baseline (Amdahl's law): each phase of the
/// baseline's epoch is scaled by how much of its work remains, and the rest stays.
///
/// The model, phase by phase (primes are the scenario, plain the baseline):
/// - forward′ = forward · F′/F (forward FLOPs per image);
/// - backward′ = backward · (W′ + I′)/(W + I) (weight- plus input-gradient FLOPs), i.e. one
///   backward FLOP costs the same wherever it is spent;
/// - optimizer′ = optimizer · P′/P (trainable parameters): an SGD step touches only parameters
///   with a gradient (PyTorch's SGD skips `grad is None`, so does FreezeStudy's);
/// - data wait, EMA and validation stay: the loader does not depend on freezing, YOLOv5's
///   `ModelEMA` averages every floating-point entry, frozen or not, and validation runs the
///   whole model forward.
/// It ignores what FLOPs do not count (memory traffic, saved activations, BatchNorm and
/// activation passes, the smaller batch working set); a gap between this and the measured
/// speed-up is where those costs are.
public struct PredictedSpeedUp: Equatable, Sendable {
    /// The baseline's phases scaled by the scenario's work.
    public let predictedSeconds: PhaseSeconds
    /// Baseline training time ÷ predicted training time (validation excluded): compare with the
    /// measured images/s ratio.
    public let trainingSpeedUp: Double
    /// Baseline epoch time ÷ predicted epoch time (validation included): compare with the
    /// measured epoch-time ratio.
    public let epochSpeedUp: Double

    /// The prediction for `scenario` from the baseline's measured phases and work. Throws when a
    /// figure is NaN/±∞ or negative, or a baseline figure that divides is not positive.
    public init(baselineSeconds: PhaseSeconds, baselineWork: TrainingWork, scenarioWork: TrainingWork) throws(StatisticsError) {
        for (name, value) in baselineSeconds.named { _ = try requireNonNegative(value, at: "the baseline's \(name) seconds") }
        for (name, value) in scenarioWork.named { _ = try requireNonNegative(value, at: "the scenario's \(name)") }
        let forwardFLOPs = try requirePositive(baselineWork.forwardFLOPs, at: "the baseline's forward FLOPs")
        _ = try requireNonNegative(baselineWork.weightGradientFLOPs, at: "the baseline's weight-gradient FLOPs")
        _ = try requireNonNegative(baselineWork.inputGradientFLOPs, at: "the baseline's input-gradient FLOPs")
        let backwardFLOPs = try requirePositive(baselineWork.backwardFLOPs, at: "the baseline's backward FLOPs")
        let parameters = try requirePositive(baselineWork.trainableParameters, at: "the baseline's trainable parameters")

        var predicted = baselineSeconds
        predicted.forward *= scenarioWork.forwardFLOPs / forwardFLOPs
        predicted.backward *= scenarioWork.backwardFLOPs / backwardFLOPs
        predicted.optimizer *= scenarioWork.trainableParameters / parameters
        // A zero predicted time would make the speed-up infinite: say so instead.
        let training = try requirePositive(predicted.training, at: "the predicted training seconds")
        predictedSeconds = predicted
        trainingSpeedUp = try requirePositive(baselineSeconds.training, at: "the baseline's training seconds") / training
        epochSpeedUp = baselineSeconds.total / predicted.total
    }
}
