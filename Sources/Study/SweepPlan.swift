import Foundation
import Results

/// Which runs a sweep trains.
extension Sweep {
    /// A run to train, and why.
    struct PlannedRun {
        let key: RunKey
        let scenario: ScenarioDefinition
        /// Train from the start even if its part holds it.
        let restart: Bool
    }

    /// The runs to train: every selected scenario × seed whose part does not hold it complete
    /// (all of them with `--force`), and the runs whose part cannot be read (reported, not
    /// trained: the part is not replaced). A part of another configuration and a complete run
    /// recorded with another freeze spec are errors that train nothing.
    func plan() throws -> (runs: [PlannedRun], unreadable: [(key: RunKey, reason: String)]) {
        var runs: [PlannedRun] = []
        var unreadable: [(key: RunKey, reason: String)] = []
        let identity = setup.identity
        for scenario in scenarios {
            for seed in setup.study.seeds {
                let key = RunKey(scenario: scenario.name, seed: seed)
                let part = setup.folder.part(key)
                guard FileManager.default.fileExists(atPath: part.path) else {
                    runs.append(PlannedRun(key: key, scenario: scenario, restart: options.force))
                    continue
                }
                let recorded: StudyResults
                do {
                    recorded = try ResultsStore(url: part).readStudy()
                } catch {
                    unreadable.append((key, "\(error)"))
                    continue
                }
                guard recorded.identity.configurationDigest == identity.configurationDigest else {
                    throw setup.differentConfiguration(file: part.path, recordedName: recorded.identity.name,
                                                       recordedDigest: recorded.identity.configurationDigest,
                                                       recordedConfig: recorded.scenarios.first?.info.configJSON)
                }
                let status = recorded.scenario(scenario.name)?.run(seed: seed)?.status
                if !options.force, let info = recorded.scenario(scenario.name)?.info {
                    let changes = setup.changes(from: info, to: scenario)
                    guard changes.isEmpty else {
                        throw StudyError("\(key) is \(status?.rawValue ?? "recorded") in \(part.path) with "
                                         + changes.map { "\($0.name) '\($0.recorded)'" }.joined(separator: ", ") + ", but the study now says "
                                         + changes.map { "'\($0.now)'" }.joined(separator: ", ") + "; its seeds would not compare — "
                                         + "give the new scenario another name, or --force to train its runs again")
                    }
                }
                if status == .complete && !options.force { continue }
                runs.append(PlannedRun(key: key, scenario: scenario, restart: options.force))
            }
        }
        let skipped = scenarios.count * setup.study.seeds.count - runs.count - unreadable.count
        if skipped > 0 { log("\(skipped) run\(skipped == 1 ? " is" : "s are") complete in \(setup.folder.partsFolder.path); skipped (--force trains them again)") }
        return (runs, unreadable)
    }
}
