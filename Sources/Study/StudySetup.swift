import Foundation
import Results
import Training
import YOLOv5

/// A study error that is the user's to fix.
public struct StudyError: Error, CustomStringConvertible, LocalizedError {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// A study as one command sees it: the study file with the command line's overrides
/// (`--weights`, an ad-hoc scenario), its scenarios in study order, where its files live and
/// its identity. The sweep and each run's process build the same setup from the same flags.
struct StudySetup {
    /// The study file, with `--weights` applied.
    let study: StudyFile
    /// The study file's scenarios, then the ad-hoc ones; a scenario's index is its `order`.
    let scenarios: [ScenarioDefinition]
    let folder: StudyFolder
    let cacheDirectory: URL
    /// The study's identity: its name and a digest of the shared configuration. It covers neither
    /// the scenarios nor the seeds, so that adding either keeps the results.
    let identity: StudyIdentity

    init(study url: URL, results: URL?, weights: WeightsSource?, extraScenarios: [ScenarioDefinition], cacheDirectory: URL) throws {
        var study = try StudyFile(contentsOf: url)
        if let weights { study.shared.weights = weights }
        var all = study.scenarios
        for extra in extraScenarios {
            if let existing = all.firstIndex(where: { $0.name == extra.name }) {
                guard all[existing].freeze == extra.freeze else {
                    throw StudyError("scenario '\(extra.name)' exists in \(url.path) with freeze "
                                     + "'\(all[existing].freeze.text)', not '\(extra.freeze.text)'; choose another --name")
                }
            } else {
                all.append(extra)
            }
        }
        if let weights { for i in all.indices { all[i].settings.weights = weights } }
        self.study = study
        scenarios = all
        folder = StudyFolder(results: results ?? URL(fileURLWithPath: "runs/\(study.name)/results.h5"))
        self.cacheDirectory = cacheDirectory
        identity = Self.identity(of: study)
    }

    /// The scenarios called `names` (all when empty); an unknown name is an error listing the known ones.
    func scenarios(named names: [String]) throws -> [ScenarioDefinition] {
        let unknown = names.filter { name in !scenarios.contains { $0.name == name } }
        guard unknown.isEmpty else {
            throw StudyError("no scenario named \(unknown.map { "'\($0)'" }.joined(separator: ", ")) in \(study.source.path) "
                             + "(scenarios: \(scenarios.map(\.name).joined(separator: ", ")))")
        }
        return names.isEmpty ? scenarios : scenarios.filter { names.contains($0.name) }
    }

    /// The position of a scenario in the study (its `order` in the results).
    func order(of scenario: ScenarioDefinition) -> Int { scenarios.firstIndex { $0.name == scenario.name } ?? scenarios.count }

    /// The settings of `scenario`'s run with `seed`.
    func settings(_ scenario: ScenarioDefinition, seed: Int) -> StudySettings {
        var settings = scenario.settings
        settings.seed = seed
        return settings
    }

    /// The identity of `study`: the digest covers the shared settings that shape results, the
    /// model and hyp files' contents and the embedded defaults.
    static func identity(of study: StudyFile) -> StudyIdentity {
        let s = study.shared
        let fileText = { (path: String) in (try? String(contentsOf: study.resolve(path), encoding: .utf8)) ?? path }
        let settings = SettingsTable.fields.filter(\.shapesResults)
            .filter { !$0.digestOnlyWhenSet || $0.text(s) != $0.text(.defaults) }.map { "\($0.key)=\($0.text(s))" }
        let description = [study.name, fileText(s.model), fileText(s.hyp)] + settings + ["\(study.embedded)"]
        return StudyIdentity(name: study.name, configurationDigest: "fnv1a64:" + stableHash(description.joined(separator: "\u{1F}")),
                             toolVersion: FreezeStudyVersion.current, machine: .current(blas: ComputeEnvironment.blas))
    }

    /// Every scenario's freeze spec against its model, before anything trains: a spec that
    /// matches nothing stops the command at once rather than after the runs before it.
    func checkFreezeSpecs(_ scenarios: [ScenarioDefinition]) throws {
        var models: [String: YOLOv5Model] = [:]
        for scenario in scenarios {
            let path = study.resolve(scenario.settings.model).path
            do {
                let model = try models[path] ?? YOLOv5Model(spec: ModelSpec(contentsOf: URL(fileURLWithPath: path)), seed: 0)
                models[path] = model
                try model.applyFreeze(scenario.freeze)
                _ = try FineTuningPlan(scenario.settings.fineTuningSchedule(freeze: scenario.freeze), model: model,
                                       epochs: scenario.settings.epochs)
            } catch let error as FreezeSpecError {
                throw StudyError("\(study.source.path)\(scenario.line.map { ":\($0)" } ?? ""): scenario '\(scenario.name)': \(error)")
            } catch let error as FineTuningScheduleError {
                let line = scenario.keyLines[error.key] ?? scenario.line
                throw StudyError("\(study.source.path)\(line.map { ":\($0)" } ?? ""): scenario '\(scenario.name)': key \(error)")
            }
        }
    }

    /// What differs between a scenario as its runs recorded it and as the study defines it now:
    /// its freeze patterns, its BatchNorm policy and every setting of `SettingsTable`.
    func changes(from recorded: ScenarioInfo, to scenario: ScenarioDefinition) -> [(name: String, recorded: String, now: String)] {
        var changes: [(name: String, recorded: String, now: String)] = []
        if recorded.freezePatterns != scenario.freeze.patterns { changes.append(("freeze", recorded.freeze, scenario.freeze.text)) }
        if recorded.bn != scenario.settings.bn.rawValue { changes.append(("bn", recorded.bn, scenario.settings.bn.rawValue)) }
        let config = ResolvedConfig(json: recorded.configJSON)
        for field in SettingsTable.fields where field.key != "bn" {
            if let value = config.text(field.key), value != field.text(scenario.settings) {
                changes.append((field.key, value, field.text(scenario.settings)))
            }
        }
        return changes
    }

    /// Why `file`, recorded with configuration digest `recordedDigest` and (if it has a
    /// scenario) configuration `recordedConfig`, does not belong to this study: the settings
    /// that differ, and what to do.
    func differentConfiguration(file: String, recordedName: String, recordedDigest: String, recordedConfig: String?) -> StudyError {
        var lines = ["\(file) holds results of another configuration of study '\(recordedName)' "
                     + "(digest \(recordedDigest); this one is \(identity.configurationDigest)); nothing was changed."]
        if let recordedConfig {
            let config = ResolvedConfig(json: recordedConfig)
            let changed = SettingsTable.fields.filter(\.shapesResults).compactMap { field -> String? in
                guard let recorded = config.text(field.key), recorded != field.text(study.shared) else { return nil }
                return "  \(field.key): \(recorded) in the file, \(field.text(study.shared)) now"
            }
            lines += changed
            if changed.isEmpty { lines.append("  (the difference is in the model or hyp file contents, or the embedded data settings)") }
        } else {
            lines.append("  (it has no scenario recorded yet to compare settings with)")
        }
        lines.append("Write beside it with --results PATH, or move the study's folder \(folder.folder.path) away to start over.")
        return StudyError(lines.joined(separator: "\n"))
    }
}

/// Creates `url` and its parents, and checks it is writable.
func makeFolder(_ url: URL) throws {
    do {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
        throw StudyError("cannot create the folder \(url.path): \(error.localizedDescription)")
    }
    guard FileManager.default.isWritableFile(atPath: url.path) else { throw StudyError("the folder \(url.path) is not writable") }
}
