import Foundation
import VOCData

/// The embedded default's synthetic datasets, generated on first use into a cache folder named
/// by their configuration's fingerprint, and reused afterwards.
struct EmbeddedData {
    let cacheDirectory: URL

    /// The synthetic `task` dataset for `embedded`, generating it if the cache lacks it.
    func dataset(_ task: SyntheticTask, _ embedded: EmbeddedDefaults, log: (String) -> Void) throws -> URL {
        let configuration = embedded.syntheticConfiguration(task)
        let folder = cacheDirectory.appendingPathComponent("synthetic").appendingPathComponent(configuration.fingerprint)
        let marker = folder.appendingPathComponent(".complete")
        if FileManager.default.fileExists(atPath: marker.path) { return folder }
        log("generating the synthetic \(task.rawValue) dataset (\(configuration.images) images) in \(folder.path)")
        try? FileManager.default.removeItem(at: folder)  // a half-written folder from an interrupted run
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let summary = try SyntheticVOC.generate(configuration, to: folder)
        try Data("\(summary)\n".utf8).write(to: marker)
        return folder
    }
}
