import ConfigFile
import Foundation
import Training
import VOCData
import YOLOv5

/// Settings every scenario shares unless it overrides them (a study file's top level).
public struct StudySettings: Equatable, Sendable {
    /// Model YAML.
    public var model: String
    /// `synthetic` (the embedded synthetic VOC) or a VOCdevkit folder, YOLO layout or data YAML.
    public var data: String
    /// `pretrained` (the embedded synthetic source pretraining), `none` (from scratch), or a
    /// `.pt` / `.safetensors` file.
    public var weights: String
    public var imageSize: Int
    public var batchSize: Int
    public var epochs: Int
    /// Hyperparameter file (YOLOv5 format).
    public var hyp: String
    public var seed: Int
    /// What frozen layers' BatchNorm does.
    public var bn: BatchNormPolicy
    /// `linear` (v7) or `cosine`.
    public var schedule: LearningRateSchedule
    /// Gradients accumulate to this many images per step (train.py's nbs = 64).
    public var nominalBatchSize: Int
    /// Validation batch size (YOLOv5 v7 uses twice the training batch).
    public var validationBatchSize: Int?
    /// Background threads preparing training batches.
    public var workers: Int
    /// `ram` keeps decoded images in memory (`--cache`); `none` decodes every time.
    public var cache: ImageCacheMode
}

/// One scenario: a name, a freeze spec, and overrides of the shared settings.
public struct ScenarioDefinition: Equatable, Sendable {
    public var name: String
    public var freeze: FreezeSpec
    public var settings: StudySettings
    /// Line in the study file (for messages).
    public var line: Int?

    public init(name: String, freeze: FreezeSpec, settings: StudySettings, line: Int?) {
        self.name = name
        self.freeze = freeze
        self.settings = settings
        self.line = line
    }
}

/// A study file (`Experiments/freeze-study.yaml`): shared settings, the embedded defaults, and
/// the scenarios. Relative paths are relative to the study file's folder.
public struct StudyFile: Sendable {
    public var name: String
    public var source: URL
    public var shared: StudySettings
    public var embedded: EmbeddedDefaults
    public var scenarios: [ScenarioDefinition]

    static let settingKeys: Set<String> = [
        "model", "data", "weights", "image_size", "batch_size", "epochs", "hyp", "seed", "bn", "schedule",
        "nominal_batch_size", "val_batch_size", "workers", "cache",
    ]
    static let topKeys: Set<String> = settingKeys.union(["name", "synthetic", "pretraining", "scenarios", "description"])
    static let scenarioKeys: Set<String> = settingKeys.union(["name", "freeze"])

    /// Reads and checks a study file.
    public init(contentsOf url: URL) throws {
        let root = try ConfigNode.load(url)
        let fields = try root.fields(allowed: Self.topKeys)
        source = url
        guard let nameNode = fields["name"] else { throw root.error("missing key 'name' (the study's name)") }
        name = try nameNode.string()
        guard name.range(of: #"^[A-Za-z0-9._-]+$"#, options: .regularExpression) != nil else {
            throw nameNode.error("a study name uses letters, digits, '.', '_' and '-' only (it names files)")
        }
        let defaults = StudySettings(model: "models/yolov5n.yaml", data: "synthetic", weights: "pretrained", imageSize: 320,
                                     batchSize: 16, epochs: 10, hyp: "hyps/hyp.finetune.yaml", seed: 0, bn: .update,
                                     schedule: .linear, nominalBatchSize: 64, validationBatchSize: nil, workers: 1, cache: .ram)
        shared = try Self.settings(fields, base: defaults)
        embedded = try Self.embedded(synthetic: fields["synthetic"], pretraining: fields["pretraining"])
        guard let list = fields["scenarios"] else { throw root.error("missing key 'scenarios' (a list of name + freeze)") }
        var seen: [String: Int] = [:]
        let base = shared
        scenarios = try list.sequence().map { node in
            let scenarioFields = try node.fields(allowed: Self.scenarioKeys)
            guard let nameNode = scenarioFields["name"] else { throw node.error("a scenario needs a 'name'") }
            let scenarioName = try nameNode.string()
            guard scenarioName.range(of: #"^[A-Za-z0-9._-]+$"#, options: .regularExpression) != nil else {
                throw nameNode.error("a scenario name uses letters, digits, '.', '_' and '-' only")
            }
            if let first = seen[scenarioName] {
                throw nameNode.error("scenario '\(scenarioName)' is defined twice (first on line \(first))")
            }
            seen[scenarioName] = nameNode.line ?? 0
            guard let freezeNode = scenarioFields["freeze"] else { throw node.error("scenario '\(scenarioName)' needs a 'freeze' spec") }
            return ScenarioDefinition(name: scenarioName, freeze: try Self.freeze(freezeNode),
                                      settings: try Self.settings(scenarioFields, base: base), line: node.line)
        }
        guard !scenarios.isEmpty else { throw list.error("the study has no scenarios") }
    }

    /// A freeze spec from YAML: an integer count, a list of layer indices, or a string.
    static func freeze(_ node: ConfigNode) throws -> FreezeSpec {
        do {
            if node.isSequence {
                let items = try node.sequence()
                if items.isEmpty { return .nothing }
                if let layers = try? items.map({ try $0.int() }) { return FreezeSpec(layers: layers) }
                return FreezeSpec(patterns: try items.map { try $0.string() })
            }
            return try FreezeSpec(parsing: node.string())
        } catch let error as FreezeSpecError {
            throw node.error(error.description)
        }
    }

    static func settings(_ fields: [String: ConfigNode], base: StudySettings) throws -> StudySettings {
        var s = base
        func positive(_ key: String) throws -> Int? {
            guard let node = fields[key] else { return nil }
            let value = try node.int()
            guard value > 0 else { throw node.error("must be positive") }
            return value
        }
        if let v = fields["model"] { s.model = try v.string() }
        if let v = fields["data"] { s.data = try v.string() }
        if let v = fields["weights"] { s.weights = try v.string() }
        if let v = fields["hyp"] { s.hyp = try v.string() }
        if let v = try positive("image_size") {
            guard v % 32 == 0 else { throw fields["image_size"]!.error("must be a multiple of 32 (the model's largest stride)") }
            s.imageSize = v
        }
        if let v = try positive("batch_size") { s.batchSize = v }
        if let v = try positive("epochs") { s.epochs = v }
        if let v = try positive("nominal_batch_size") { s.nominalBatchSize = v }
        if let v = try positive("val_batch_size") { s.validationBatchSize = v }
        if let v = fields["seed"] { s.seed = try v.int() }
        if let v = fields["workers"] {
            s.workers = try v.int()
            guard s.workers >= 0 else { throw v.error("must be 0 or more") }
        }
        if let v = fields["bn"] {
            guard let policy = BatchNormPolicy(rawValue: try v.string()) else { throw v.error("must be 'update' or 'frozen'") }
            s.bn = policy
        }
        if let v = fields["schedule"] {
            guard let schedule = LearningRateSchedule(rawValue: try v.string()) else { throw v.error("must be 'linear' or 'cosine'") }
            s.schedule = schedule
        }
        if let v = fields["cache"] {
            guard let cache = ImageCacheMode(rawValue: try v.string()) else { throw v.error("must be 'ram' or 'none'") }
            s.cache = cache
        }
        return s
    }

    /// A path from the study file, resolved against the study file's folder.
    public func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : source.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
    }
}
