import ConfigFile
import Foundation
import Training
import VOCData
import YOLOv5

/// A study file (`Experiments/freeze-study.yaml`): shared settings, the seeds, the embedded
/// defaults, and the scenarios. Relative paths are relative to the study file's folder.
public struct StudyFile: Sendable {
    public var name: String
    public var source: URL
    /// The settings every scenario starts from (`seed` is the first of `seeds`).
    public var shared: StudySettings
    /// The seeds every scenario runs with (`seeds: 3` is 0, 1, 2; `seeds: [0, 7]`; `seed: S` is one).
    public var seeds: [Int]
    public var embedded: EmbeddedDefaults
    public var scenarios: [ScenarioDefinition]

    static let topKeys: Set<String> = SettingsTable.keys.union(["name", "seed", "seeds", "synthetic", "pretraining", "scenarios", "description"])
    static let scenarioKeys: Set<String> = SettingsTable.keys.union(["name", "freeze"])

    /// Reads and checks a study file.
    public init(contentsOf url: URL) throws {
        let root = try ConfigNode.load(url)
        let fields = try root.fields(allowed: Self.topKeys)
        seeds = try Self.seeds(seed: fields["seed"], seeds: fields["seeds"])
        source = url
        guard let nameNode = fields["name"] else { throw root.error("missing key 'name' (the study's name)") }
        name = try nameNode.string()
        guard name.range(of: #"^[A-Za-z0-9._-]+$"#, options: .regularExpression) != nil else {
            throw nameNode.error("a study name uses letters, digits, '.', '_' and '-' only (it names files)")
        }
        shared = try SettingsTable.read(fields, over: .defaults)
        shared.seed = seeds[0]
        embedded = try Self.embedded(synthetic: fields["synthetic"], pretraining: fields["pretraining"])
        guard let list = fields["scenarios"] else { throw root.error("missing key 'scenarios' (a list of name + freeze)") }
        var seen: [String: Int] = [:]
        let base = shared
        scenarios = try list.sequence().map { node in
            if let perScenario = (try? node.mapping())?.first(where: { $0.key == "seed" || $0.key == "seeds" }) {
                throw perScenario.value.error("seeds are the study's, not a scenario's: every scenario runs with the same seeds, "
                                              + "so that scenarios compare paired; set 'seeds' at the top of the study file")
            }
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
            var scenario = ScenarioDefinition(name: scenarioName, freeze: try Self.freeze(freezeNode),
                                              settings: try SettingsTable.read(scenarioFields, over: base), line: node.line)
            scenario.keyLines = fields.merging(scenarioFields) { $1 }.compactMapValues(\.line)
            return scenario
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

    /// The study's seeds from `seed: S` or `seeds: N` / `seeds: [a, b, …]` (one of the two; default 0).
    /// The most seeds `seeds: N` may ask for.
    static let maximumSeedCount = 1000

    static func seeds(seed: ConfigNode?, seeds: ConfigNode?) throws -> [Int] {
        if let seed, let seeds {
            throw seeds.error("give either 'seed' (line \(seed.line.map(String.init) ?? "?")) or 'seeds', not both")
        }
        if let seed {
            let value = try seed.int()
            guard value >= 0 else { throw seed.error("a seed is 0 or more (it names the run's files)") }
            return [value]
        }
        guard let seeds else { return [0] }
        if !seeds.isSequence {
            let count = try seeds.int()
            guard count > 0 else { throw seeds.error("the number of seeds must be positive") }
            // Every seed is a training run of every scenario; a count in the millions is a typo.
            guard count <= Self.maximumSeedCount else {
                throw seeds.error("\(count) seeds would be \(count) training runs per scenario; at most \(Self.maximumSeedCount)")
            }
            return Array(0..<count)
        }
        var list: [Int] = []
        for item in try seeds.sequence() {
            let value = try item.int()
            guard value >= 0 else { throw item.error("a seed is 0 or more (it names the run's files)") }
            guard !list.contains(value) else { throw item.error("seed \(value) is listed twice") }
            list.append(value)
        }
        guard !list.isEmpty else { throw seeds.error("the list of seeds is empty") }
        return list
    }

    /// A path from the study file, resolved against the study file's folder.
    public func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : source.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
    }
}
