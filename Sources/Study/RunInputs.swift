import Foundation
import Results

/// A run's dataset, resolved to a folder or file, with how the report names it.
struct PreparedData: Sendable {
    let url: URL
    let description: String
}

/// A run's starting weights, resolved to a file (nil: from scratch), with how the report names them.
struct PreparedWeights: Sendable {
    let url: URL?
    let description: String
}

/// Everything one run needs, resolved: what it trains (the scenario with the run's seed in its
/// settings, the model, hyp, data and starting weights) and where it writes (its part and its
/// checkpoint). A run is given this small value, not the sweep or command that made it.
struct RunInputs: Sendable {
    let key: RunKey
    /// The scenario; its settings carry the run's seed.
    let scenario: ScenarioDefinition
    /// The scenario's position in the study.
    let order: Int
    let studyName: String
    let identity: StudyIdentity
    let model: URL, hyp: URL
    let data: PreparedData
    let weights: PreparedWeights
    /// The embedded defaults, recorded when the run uses the synthetic data or pretrained weights.
    let embedded: EmbeddedDefaults?
    /// The run's part file, checkpoint and last progress line.
    let part: URL, checkpoint: URL, progress: URL
    /// How the run is started (command, threads, world size), recorded with it.
    let run: RunInfo
    /// Train again from the start even when the part holds the run (complete or not).
    let restart: Bool
}

extension StudySetup {
    /// The inputs of run `key` of `scenario`, with its data and weights prepared.
    func runInputs(_ key: RunKey, scenario: ScenarioDefinition, data: PreparedData, weights: PreparedWeights, run: RunInfo,
                   restart: Bool) -> RunInputs {
        let settings = settings(scenario, seed: key.seed)
        var definition = scenario
        definition.settings = settings
        let usesEmbedded = settings.data == .synthetic || settings.weights == .pretrained
        return RunInputs(key: key, scenario: definition, order: order(of: scenario), studyName: study.name, identity: identity,
                         model: study.resolve(settings.model), hyp: study.resolve(settings.hyp), data: data, weights: weights,
                         embedded: usesEmbedded ? study.embedded : nil, part: folder.part(key), checkpoint: folder.checkpoint(key),
                         progress: folder.progress(key), run: run, restart: restart)
    }
}
