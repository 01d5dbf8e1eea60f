import Foundation
import NeuralCore
import Training
import VOCData
import YOLOv5

/// What `freeze-study sweep` (and `run`) are asked to do.
public struct SweepOptions: Sendable {
    public var study: URL
    /// HDF5 results file (default `runs/<study name>/results.h5`).
    public var results: URL?
    /// Run only these scenarios.
    public var only: [String] = []
    /// Run again scenarios that are complete.
    public var force = false
    /// Where the synthetic datasets and pretrained weights are cached.
    public var cacheDirectory = URL(fileURLWithPath: "cache")
    /// Report folder (default `reports/<study name>`); nil with `writesReport` false skips it.
    public var report: URL?
    public var writesReport = true
    /// Ad-hoc scenarios added to the study file's (`freeze-study run`).
    public var extraScenarios: [ScenarioDefinition] = []
    /// Starting weights for every scenario instead of the study file's (`--weights`): a YOLOv5
    /// `.pt`, a FreezeStudy `.safetensors`, `pretrained` or `none`.
    public var weights: String?
    /// The command line, recorded with each scenario.
    public var command = ""

    public init(study: URL) { self.study = study }
}

/// A study error that is the user's to fix.
public struct StudyError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Runs a study: prepares the embedded default if it is used, then each scenario that is not
/// complete in the results file (resuming a killed one from its last checkpoint), then the report.
public final class Sweep {
    public let options: SweepOptions
    public let study: StudyFile
    public let scenarios: [ScenarioDefinition]
    let log: (String) -> Void = { Progress.say($0) }

    public init(options: SweepOptions) throws {
        self.options = options
        var study = try StudyFile(contentsOf: options.study)
        // --weights is relative to the working folder, as typed; the study file's paths stay
        // relative to the study file.
        let weights = options.weights.map {
            ["pretrained", "none"].contains($0) || $0.hasPrefix("/") ? $0 : URL(fileURLWithPath: $0).standardizedFileURL.path
        }
        if let weights { study.shared.weights = weights }
        self.study = study
        var all = study.scenarios
        for extra in options.extraScenarios {
            if let existing = all.firstIndex(where: { $0.name == extra.name }) {
                guard all[existing].freeze == extra.freeze else {
                    throw StudyError("scenario '\(extra.name)' exists in \(options.study.path) with freeze "
                                     + "'\(all[existing].freeze.text)', not '\(extra.freeze.text)'; choose another --name")
                }
            } else {
                all.append(extra)
            }
        }
        if let weights { for i in all.indices { all[i].settings.weights = weights } }
        let unknown = options.only.filter { name in !all.contains { $0.name == name } }
        guard unknown.isEmpty else {
            throw StudyError("no scenario named \(unknown.map { "'\($0)'" }.joined(separator: ", ")) in \(options.study.path) "
                             + "(scenarios: \(all.map(\.name).joined(separator: ", ")))")
        }
        scenarios = options.only.isEmpty ? all : all.filter { options.only.contains($0.name) }
    }

    /// The results file in use.
    public var resultsURL: URL { options.results ?? URL(fileURLWithPath: "runs/\(study.name)/results.h5") }

    /// Runs everything; returns the report folder (nil if no report was written).
    @discardableResult
    public func run() throws -> URL? {
        let started = Date()
        try checkFreezeSpecs()
        try makeFolder(resultsURL.deletingLastPathComponent())
        let store = ResultsStore(url: resultsURL)
        try open(store)
        for scenario in scenarios {
            if try store.scenarioStatus(scenario.name) == .complete && !options.force {
                let recorded = try store.read(scenario.name).info
                guard recorded.freezePatterns == scenario.freeze.patterns && recorded.bn == scenario.settings.bn.rawValue else {
                    throw StudyError("scenario '\(scenario.name)' is complete in \(resultsURL.path) with freeze '\(recorded.freeze)' "
                                     + "(bn \(recorded.bn)), but the study now says '\(scenario.freeze.text)' (bn \(scenario.settings.bn.rawValue)); "
                                     + "give the new spec another name, or --force to train this one again")
                }
                log("\(scenario.name): complete in \(resultsURL.path); skipped (--force runs it again)")
                continue
            }
            try ScenarioRun(sweep: self, scenario: scenario, store: store).run()
            emptyTensorCache()
            ProcessStatistics.releaseFreedMemory()
        }
        log(String(format: "sweep finished in %@", Progress.duration(Date().timeIntervalSince(started))))
        guard options.writesReport else { return nil }
        let folder = options.report ?? URL(fileURLWithPath: "reports/\(study.name)")
        let written = try ReportWriter.write(results: store.readStudy(), to: folder, reproduceCommand: options.command)
        log("report: \(folder.path) (\(written.count) files)")
        return folder
    }

    /// The study's identity: its name and a digest of the shared configuration (not the list of
    /// scenarios, so that adding one keeps the results file).
    var identity: StudyIdentity {
        let s = study.shared, e = study.embedded
        let fileText = { (path: String) in (try? String(contentsOf: self.study.resolve(path), encoding: .utf8)) ?? path }
        let description = [study.name, s.model, fileText(s.model), s.data, s.weights, "\(s.imageSize)", "\(s.batchSize)",
                           "\(s.epochs)", s.hyp, fileText(s.hyp), "\(s.seed)", s.bn.rawValue, s.schedule.rawValue, "\(s.nominalBatchSize)",
                           "\(e)"].joined(separator: "\u{1F}")
        return StudyIdentity(name: study.name, configurationDigest: "fnv1a64:" + stableHash(description),
                             toolVersion: FreezeStudyVersion.current, machine: .current(blas: "OpenBLAS \(BLAS.coreName)"))
    }

    /// Every scenario's freeze spec against its model, before anything trains: a spec that
    /// matches nothing stops the sweep at once rather than after the scenarios before it.
    func checkFreezeSpecs() throws {
        var models: [String: YOLOv5Model] = [:]
        for scenario in scenarios {
            let path = study.resolve(scenario.settings.model).path
            do {
                let model = try models[path] ?? YOLOv5Model(spec: ModelSpec(contentsOf: URL(fileURLWithPath: path)), seed: 0)
                models[path] = model
                try model.applyFreeze(scenario.freeze)
            } catch let error as FreezeSpecError {
                throw StudyError("\(study.source.path)\(scenario.line.map { ":\($0)" } ?? ""): scenario '\(scenario.name)': \(error)")
            }
        }
    }

    private func open(_ store: ResultsStore) throws {
        do {
            try store.createOrOpen(study: identity)
        } catch ResultsStoreError.differentStudy(let file, let recordedName, let recordedDigest, _, let requestedDigest) {
            var lines = ["\(file) holds results of another configuration of study '\(recordedName)' "
                         + "(digest \(recordedDigest); this one is \(requestedDigest)); nothing was changed."]
            if let recorded = try? store.readStudy().scenarios.first {
                let config = ResolvedConfig(json: recorded.info.configJSON)
                let s = study.shared
                let now: [(String, String)] = [("model", s.model), ("data", s.data), ("weights", s.weights), ("image_size", "\(s.imageSize)"),
                                               ("batch_size", "\(s.batchSize)"), ("epochs", "\(s.epochs)"), ("hyp", s.hyp), ("seed", "\(s.seed)")]
                let changed = now.filter { config.text($0.0) != nil && config.text($0.0) != $0.1 }
                lines += changed.map { "  \($0.0): \(config.text($0.0)!) in the file, \($0.1) now" }
                if changed.isEmpty { lines.append("  (the difference is in the model or hyp file contents, or the embedded data settings)") }
            } else {
                lines.append("  (it has no scenario recorded yet to compare settings with)")
            }
            lines.append("Write beside it with --results PATH, or move that file away to start over.")
            throw StudyError(lines.joined(separator: "\n"))
        }
    }

    func makeFolder(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw StudyError("cannot create the folder \(url.path): \(error.localizedDescription)")
        }
        guard FileManager.default.isWritableFile(atPath: url.path) else { throw StudyError("the folder \(url.path) is not writable") }
    }

    /// The data folder of a scenario, generating the synthetic one if needed.
    func dataURL(_ settings: StudySettings) throws -> (url: URL, description: String) {
        guard settings.data == "synthetic" else { return (study.resolve(settings.data), settings.data) }
        let url = try EmbeddedData(cacheDirectory: options.cacheDirectory).dataset(.voc, study.embedded, log: log)
        return (url, "synthetic VOC (\(study.embedded.vocImages) images at \(study.embedded.vocImageSize) px, seed \(study.embedded.seed))")
    }

    /// The starting weights of a scenario, pretraining the embedded ones if needed (nil: scratch).
    func weightsURL(_ settings: StudySettings) throws -> (url: URL?, description: String) {
        switch settings.weights {
        case "none": return (nil, "none (from scratch)")
        case "pretrained":
            let source = try EmbeddedData(cacheDirectory: options.cacheDirectory).dataset(study.embedded.sourceClasses.task, study.embedded, log: log)
            let url = try Pretraining(study: study, cacheDirectory: options.cacheDirectory).weights(for: settings, sourceData: source, log: log)
            emptyTensorCache()  // the pretraining's buffers are not the scenario's memory
            ProcessStatistics.releaseFreedMemory()
            let e = study.embedded
            return (url, "pretrained on the synthetic source task (\(e.sourceImages) images, \(e.pretrainEpochs) epochs at "
                         + "\(e.pretrainImageSize) px, \(e.pretrainHyp))")
        default: return (study.resolve(settings.weights), settings.weights)
        }
    }
}
