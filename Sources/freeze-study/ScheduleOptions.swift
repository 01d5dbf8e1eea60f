import ArgumentParser
import Study
import Training

extension UnfreezeMode: ExpressibleByArgument {}

/// The fine-tuning schedule of an ad-hoc scenario (`run`, `run-task`): the study file's keys
/// `unfreeze_at`, `unfreeze`, `unfreeze_step`, `unfreeze_layers`, `lr_mult`, `decay_mult`.
struct ScheduleOptions: ParsableArguments {
    @Option(help: "Epoch (from 0) at which the frozen layers start to train, joining their optimizer groups without momentum history.")
    var unfreezeAt: Int?

    @Option(help: "How they unfreeze: all (at once) or gradual (from the head down).")
    var unfreeze: UnfreezeMode?

    @Option(help: "Gradual unfreezing: epochs between steps.")
    var unfreezeStep: Int?

    @Option(help: "Gradual unfreezing: layers per step.")
    var unfreezeLayers: Int?

    @Option(help: "Learning-rate factor for a layer range or name pattern, SELECTION=FACTOR (e.g. 0-9=0.1); repeatable.")
    var lrMult: [String] = []

    @Option(help: "Weight-decay factor for a layer range or name pattern, SELECTION=FACTOR; repeatable.")
    var decayMult: [String] = []

    /// Whether any schedule flag was given.
    var isSet: Bool {
        unfreezeAt != nil || unfreeze != nil || unfreezeStep != nil || unfreezeLayers != nil || !lrMult.isEmpty || !decayMult.isEmpty
    }

    func validate() throws {
        for (name, value) in [("--unfreeze-at", unfreezeAt), ("--unfreeze-step", unfreezeStep), ("--unfreeze-layers", unfreezeLayers)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
        }
        for text in lrMult { _ = try ScheduleFlags.multiplier(text, allowsZero: false) }
        for text in decayMult { _ = try ScheduleFlags.multiplier(text, allowsZero: true) }
    }

    /// `settings` with the flags given applied.
    func apply(to settings: inout StudySettings) throws {
        if let unfreezeAt { settings.unfreezeAt = unfreezeAt }
        if let unfreeze { settings.unfreeze = unfreeze }
        if let unfreezeStep { settings.unfreezeStep = unfreezeStep }
        if let unfreezeLayers { settings.unfreezeLayers = unfreezeLayers }
        if !lrMult.isEmpty { settings.learningRateMultipliers = try lrMult.map { try ScheduleFlags.multiplier($0, allowsZero: false) } }
        if !decayMult.isEmpty { settings.weightDecayMultipliers = try decayMult.map { try ScheduleFlags.multiplier($0, allowsZero: true) } }
    }
}
