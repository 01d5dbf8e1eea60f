import Foundation
import Training
import YOLOv5

/// The fine-tuning settings as command-line flags (`freeze-study run` and `run-task`): parsed
/// into the same values the study file's keys give, and written back for the run's process.
public enum ScheduleFlags {
    /// `SELECTION=FACTOR`, e.g. `0-9=0.1` or `model.24.=2`; a lone number selects that layer.
    public static func multiplier(_ text: String, allowsZero: Bool) throws -> ParameterMultiplier {
        guard let equals = text.lastIndex(of: "="), let factor = Double(text[text.index(after: equals)...]), factor.isFinite else {
            throw StudyError("'\(text)': expected SELECTION=FACTOR, e.g. 0-9=0.1")
        }
        guard factor > 0 || (allowsZero && factor == 0) else {
            throw StudyError("'\(text)': " + (allowsZero ? "a factor is 0 or more" : "a factor is positive (a layer that must not learn is frozen)"))
        }
        do {
            return ParameterMultiplier(selection: try selection(String(text[..<equals])), factor: factor)
        } catch let error as FreezeSpecError {
            throw StudyError("'\(text)': selection \(error)")
        }
    }

    /// A selection of `lr_mult`/`decay_mult`: like a freeze spec, except that a lone number is
    /// that layer (not a count of layers, as `freeze: 10` is).
    static func selection(_ key: String) throws -> FreezeSpec {
        let selection = try Int(key.trimmingCharacters(in: .whitespaces)).map { FreezeSpec(layers: [$0], text: key) } ?? FreezeSpec(parsing: key)
        guard !selection.patterns.isEmpty else { throw FreezeSpecError(spec: key, reason: "selects nothing") }
        return selection
    }

    /// The flags that give a run's process these settings' schedule (only what differs from the defaults).
    public static func arguments(for settings: StudySettings) -> [String] {
        var arguments: [String] = []
        if let epoch = settings.unfreezeAt { arguments += ["--unfreeze-at", String(epoch)] }
        if settings.unfreeze != .all { arguments += ["--unfreeze", settings.unfreeze.rawValue] }
        if settings.unfreezeStep != 1 { arguments += ["--unfreeze-step", String(settings.unfreezeStep)] }
        if settings.unfreezeLayers != 1 { arguments += ["--unfreeze-layers", String(settings.unfreezeLayers)] }
        for m in settings.learningRateMultipliers { arguments += ["--lr-mult", "\(m.selection.text)=\(m.factor)"] }
        for m in settings.weightDecayMultipliers { arguments += ["--decay-mult", "\(m.selection.text)=\(m.factor)"] }
        return arguments
    }
}
