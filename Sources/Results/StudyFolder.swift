import Foundation

/// Where the files of a study live, all beside its results file: for `runs/<study>/results.h5`,
///
/// ```
/// runs/<study>/results.h5                                   the merged results readers see
/// runs/<study>/results.h5.lock                              held by a sweep or merge
/// runs/<study>/parts/<scenario>/seed-<seed>.h5              one run's results (same schema)
/// runs/<study>/parts/<scenario>/seed-<seed>.h5.lock         held by the process training it
/// runs/<study>/checkpoints/<scenario>/seed-<seed>.safetensors
/// runs/<study>/logs/<scenario>/seed-<seed>.log              its output (and `.status`: its last progress line)
/// ```
///
/// A results file with another name (`runs/from-coco.h5`) gets a folder of its stem
/// (`runs/from-coco/parts/…`), so two studies never share parts.
public struct StudyFolder: Equatable, Sendable {
    /// The merged results file.
    public let results: URL
    /// The folder holding parts, checkpoints and logs.
    public let folder: URL

    /// The layout around `results`.
    public init(results: URL) {
        self.results = results.standardizedFileURL
        let parent = self.results.deletingLastPathComponent()
        folder = self.results.lastPathComponent == "results.h5" ? parent
            : parent.appendingPathComponent(self.results.deletingPathExtension().lastPathComponent)
    }

    /// The study's lock file, held by a sweep or a merge for its whole life.
    public var lock: URL { URL(fileURLWithPath: results.path + ".lock") }

    /// The folder of the parts.
    public var partsFolder: URL { folder.appendingPathComponent("parts") }

    /// The part file of run `key`.
    public func part(_ key: RunKey) -> URL {
        partsFolder.appendingPathComponent(key.scenario).appendingPathComponent("seed-\(key.seed).h5")
    }

    /// The lock file of run `key`'s part, held by the process training it.
    public func partLock(_ key: RunKey) -> URL { URL(fileURLWithPath: part(key).path + ".lock") }

    /// The checkpoint run `key` resumes from.
    public func checkpoint(_ key: RunKey) -> URL {
        folder.appendingPathComponent("checkpoints").appendingPathComponent(key.scenario).appendingPathComponent("seed-\(key.seed).safetensors")
    }

    /// The log of run `key` (its process's output when a sweep started it).
    public func log(_ key: RunKey) -> URL {
        folder.appendingPathComponent("logs").appendingPathComponent(key.scenario).appendingPathComponent("seed-\(key.seed).log")
    }

    /// The last progress line of run `key`, rewritten as it trains (read by the sweep's display).
    public func progress(_ key: RunKey) -> URL {
        folder.appendingPathComponent("logs").appendingPathComponent(key.scenario).appendingPathComponent("seed-\(key.seed).status")
    }

    /// Every part file on disk with the run its path names, by run.
    /// Files that do not follow the naming (`seed-<integer>.h5`) are left out.
    public func existingParts() -> [(key: RunKey, url: URL)] {
        let manager = FileManager.default
        guard let scenarios = try? manager.contentsOfDirectory(atPath: partsFolder.path) else { return [] }
        var parts: [(key: RunKey, url: URL)] = []
        for scenario in scenarios where !scenario.hasPrefix(".") {
            let folder = partsFolder.appendingPathComponent(scenario)
            guard let files = try? manager.contentsOfDirectory(atPath: folder.path) else { continue }
            for file in files where file.hasPrefix("seed-") && file.hasSuffix(".h5") {
                guard let seed = Int(file.dropFirst("seed-".count).dropLast(".h5".count)) else { continue }
                parts.append((RunKey(scenario: scenario, seed: seed), folder.appendingPathComponent(file)))
            }
        }
        return parts.sorted { $0.key < $1.key }
    }
}
