import Foundation
import Results
import Training

/// What the runs of a study share, made once before they start: the synthetic datasets and the
/// starting weights, both cached by a hash of their configuration. Making them can take minutes
/// (pretraining), so a sweep does it before starting any run; a run's own process finds them in
/// the cache. Processes that prepare at the same time take turns through a lock in the cache.
struct SharedInputs {
    let study: StudyFile
    let cacheDirectory: URL
    let log: (String) -> Void

    /// The dataset of `settings`, generating the synthetic one if the cache lacks it.
    func prepareData(_ settings: StudySettings) throws -> PreparedData {
        switch settings.data {
        case .path(let path):
            return PreparedData(url: study.resolve(path), description: path)
        case .synthetic:
            let url = try whileHoldingTheCache { try EmbeddedData(cacheDirectory: cacheDirectory).dataset(.voc, study.embedded, log: log) }
            let e = study.embedded
            return PreparedData(url: url, description: "synthetic VOC (\(e.vocImages) images at \(e.vocImageSize) px, seed \(e.seed))")
        }
    }

    /// The starting weights of `settings`, pretraining the embedded ones on the synthetic source
    /// task if the cache lacks them (minutes).
    func prepareStartingWeights(_ settings: StudySettings) throws -> PreparedWeights {
        switch settings.weights {
        case .scratch:
            return PreparedWeights(url: nil, description: "none (from scratch)")
        case .file(let path):
            return PreparedWeights(url: study.resolve(path), description: path)
        case .pretrained:
            let url = try whileHoldingTheCache {
                try Pretraining(study: study, cacheDirectory: cacheDirectory).weights(for: settings, sourceData: {
                    try EmbeddedData(cacheDirectory: cacheDirectory).dataset(study.embedded.sourceClasses.task, study.embedded, log: log)
                }, log: log)
            }
            ComputeEnvironment.releaseMemory()  // the pretraining's buffers are not the run's memory
            let e = study.embedded
            return PreparedWeights(url: url, description: "pretrained on the synthetic source task (\(e.sourceImages) images, "
                                   + "\(e.pretrainEpochs) epochs at \(e.pretrainImageSize) px, \(e.pretrainHyp))")
        }
    }

    /// Runs `body` holding the cache's lock, so that two processes never generate one cache entry.
    private func whileHoldingTheCache<T>(_ body: () throws -> T) throws -> T {
        let lockFile = cacheDirectory.appendingPathComponent(".prepare.lock")
        let lock: FileLock
        do {
            lock = try FileLock.acquireWaiting(lockFile, purpose: "preparing the cache \(cacheDirectory.path)") { holder in
                log("waiting for \(holder?.description ?? "another process"), which is preparing the cache \(cacheDirectory.path)")
            }
        } catch {
            throw StudyError("\(error)")
        }
        defer { lock.release() }
        return try body()
    }
}
