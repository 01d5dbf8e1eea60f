import ConfigFile
import Foundation
import Results
import Training
import VOCData
import YOLOv5

/// One setting of a study file: its key (the same in the YAML, in `config_json` and in
/// messages), how it is read into `StudySettings`, and its value as recorded.
struct SettingField {
    /// The YAML and `config_json` key, e.g. `image_size`.
    let key: String
    /// Whether it changes what a run computes, and so belongs to the study's configuration
    /// digest (`workers` and `cache` change only how fast).
    let shapesResults: Bool
    /// Reads the node into the settings; throws an error naming the node's line.
    let read: (ConfigNode, inout StudySettings) throws -> Void
    /// The value as recorded in `config_json` (a JSON value).
    let value: (StudySettings) -> Any
    /// Added after results were first recorded: the study's configuration digest names it only
    /// when it differs from the default, so that results recorded before it keep their study.
    var digestOnlyWhenSet = false

    /// The value as one line of text, as `ResolvedConfig.text` reads it back.
    func text(_ settings: StudySettings) -> String { ResolvedConfig.describe(value(settings)) }
}

/// Every setting a study file's top level and its scenarios accept, in one table (the seeds
/// are the study's, not a scenario's: `StudyFile.seeds`).
enum SettingsTable {
    static let fields: [SettingField] = [
        SettingField(key: "model", shapesResults: true, read: { $1.model = try $0.string() }, value: { $0.model }),
        SettingField(key: "data", shapesResults: true, read: { $1.data = DataSource(try $0.string()) }, value: { $0.data.description }),
        SettingField(key: "weights", shapesResults: true, read: { $1.weights = WeightsSource(try $0.string()) }, value: { $0.weights.description }),
        SettingField(key: "image_size", shapesResults: true, read: { node, s in
            let value = try positive(node)
            guard value % 32 == 0 else { throw node.error("must be a multiple of 32 (the model's largest stride)") }
            s.imageSize = value
        }, value: { $0.imageSize }),
        SettingField(key: "batch_size", shapesResults: true, read: { $1.batchSize = try positive($0) }, value: { $0.batchSize }),
        SettingField(key: "epochs", shapesResults: true, read: { $1.epochs = try positive($0) }, value: { $0.epochs }),
        SettingField(key: "hyp", shapesResults: true, read: { $1.hyp = try $0.string() }, value: { $0.hyp }),
        SettingField(key: "bn", shapesResults: true,
                     read: { $1.bn = try choice($0, BatchNormPolicy.init(rawValue:), names(BatchNormPolicy.allCases.map(\.rawValue))) },
                     value: { $0.bn.rawValue }),
        SettingField(key: "schedule", shapesResults: true,
                     read: { $1.schedule = try choice($0, LearningRateSchedule.init(rawValue:), "'linear' or 'cosine'") },
                     value: { $0.schedule.rawValue }),
        SettingField(key: "nominal_batch_size", shapesResults: true, read: { $1.nominalBatchSize = try positive($0) },
                     value: { $0.nominalBatchSize }),
        SettingField(key: "val_batch_size", shapesResults: false, read: { $1.validationBatchSize = try positive($0) },
                     value: { $0.validationBatchSize ?? 2 * $0.batchSize }),
        SettingField(key: "workers", shapesResults: false, read: { node, s in
            s.workers = try node.int()
            guard s.workers >= 0 else { throw node.error("must be 0 or more") }
        }, value: { $0.workers }),
        SettingField(key: "cache", shapesResults: false, read: { $1.cache = try choice($0, ImageCacheMode.init(rawValue:), "'ram' or 'none'") },
                     value: { $0.cache.rawValue }),
    ] + fineTuningFields

    /// The fine-tuning schedule's settings (`FineTuningKey`).
    static let fineTuningFields: [SettingField] = [
        SettingField(key: FineTuningKey.unfreezeAt, shapesResults: true, read: { node, s in
            s.unfreezeAt = try node.scalarText.map { ["none", "never"].contains($0) } == true ? nil : positive(node)
        }, value: { $0.unfreezeAt.map { $0 as Any } ?? "never" }, digestOnlyWhenSet: true),
        SettingField(key: FineTuningKey.unfreeze, shapesResults: true,
                     read: { $1.unfreeze = try choice($0, UnfreezeMode.init(rawValue:), names(UnfreezeMode.allCases.map(\.rawValue))) },
                     value: { $0.unfreeze.rawValue }, digestOnlyWhenSet: true),
        SettingField(key: FineTuningKey.unfreezeStep, shapesResults: true, read: { $1.unfreezeStep = try positive($0) },
                     value: { $0.unfreezeStep }, digestOnlyWhenSet: true),
        SettingField(key: FineTuningKey.unfreezeLayers, shapesResults: true, read: { $1.unfreezeLayers = try positive($0) },
                     value: { $0.unfreezeLayers }, digestOnlyWhenSet: true),
        SettingField(key: FineTuningKey.learningRateMultiplier, shapesResults: true,
                     read: { $1.learningRateMultipliers = try multipliers($0, allowsZero: false) },
                     value: { recorded($0.learningRateMultipliers) }, digestOnlyWhenSet: true),
        SettingField(key: FineTuningKey.weightDecayMultiplier, shapesResults: true,
                     read: { $1.weightDecayMultipliers = try multipliers($0, allowsZero: true) },
                     value: { recorded($0.weightDecayMultipliers) }, digestOnlyWhenSet: true),
    ]

    /// `{ "0-9": 0.1, "model.24.": 2 }`: selections written like freeze specs, each with a factor.
    private static func multipliers(_ node: ConfigNode, allowsZero: Bool) throws -> [ParameterMultiplier] {
        try node.mapping().map { key, value in
            let selection: FreezeSpec
            do {
                selection = try ScheduleFlags.selection(key)
            } catch let error as FreezeSpecError {
                throw value.error("selection \(error)")
            }
            let factor = try value.double()
            guard factor > 0 || (allowsZero && factor == 0) else {
                throw value.error(allowsZero ? "a factor is 0 or more" : "a factor is positive (a layer that must not learn is frozen)")
            }
            return ParameterMultiplier(selection: selection, factor: factor)
        }
    }

    /// A list of factors as recorded: `{"0-9": 0.1}`.
    private static func recorded(_ multipliers: [ParameterMultiplier]) -> Any {
        Dictionary(multipliers.map { ($0.selection.text, $0.factor) }, uniquingKeysWith: { $1 })
    }

    private static func names(_ values: [String]) -> String {
        values.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " or '\(values.last!)'"
    }

    /// The keys of every setting.
    static var keys: Set<String> { Set(fields.map(\.key)) }

    /// `base` with every setting `fields` names read over it.
    static func read(_ fields: [String: ConfigNode], over base: StudySettings) throws -> StudySettings {
        var settings = base
        for field in Self.fields { if let node = fields[field.key] { try field.read(node, &settings) } }
        return settings
    }

    private static func positive(_ node: ConfigNode) throws -> Int {
        let value = try node.int()
        guard value > 0 else { throw node.error("must be positive") }
        return value
    }

    private static func choice<T>(_ node: ConfigNode, _ make: (String) -> T?, _ allowed: String) throws -> T {
        guard let value = make(try node.string()) else { throw node.error("must be \(allowed)") }
        return value
    }
}
