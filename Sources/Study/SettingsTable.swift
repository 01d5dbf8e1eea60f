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
        SettingField(key: "bn", shapesResults: true, read: { $1.bn = try choice($0, BatchNormPolicy.init(rawValue:), "'update' or 'frozen'") },
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
    ]

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
