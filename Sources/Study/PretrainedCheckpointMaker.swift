import Checkpoints
import Foundation

/// `freeze-study pretrain`: makes the study's pretrained checkpoint once, for committing: the EMA
/// weights of the (cached, or now trained) pretraining in `pretrained/NAME.safetensors` beside
/// the study file, with `NAME.manifest.yaml` naming its SHA-256, the configuration digest and the
/// command.
public enum PretrainedCheckpointMaker {
    /// The format tag in a committed checkpoint's metadata.
    public static let format = "freezestudy-pretrained-1"
    /// The project keeps committed checkpoints at most this large.
    public static let committableBytes = 10_000_000

    /// Makes or finds the committed checkpoint of `studyURL`'s pretraining; returns the checkpoint
    /// and its manifest. `command` is recorded in the manifest as the way to make it again.
    @discardableResult
    public static func make(study studyURL: URL, cacheDirectory: URL, validatesEveryEpoch: Bool, command: String,
                            log: (String) -> Void) throws -> (checkpoint: URL, manifest: URL) {
        let study = try StudyFile(contentsOf: studyURL)
        let settings = study.shared
        let pretraining = Pretraining(study: study, cacheDirectory: cacheDirectory, validatesEveryEpoch: validatesEveryEpoch)
        let configuration = PretrainingConfiguration(study: study, settings: settings)
        let names = CommittedPretraining.fileNames(model: settings.model, configuration: configuration)
        let folder = pretraining.committedFolder
        if let committed = try CommittedPretraining(folder: folder).checkpoint(for: configuration) {
            log("\(committed.url.path) is already committed for configuration \(configuration.digest) (SHA-256 checked); nothing to do")
            return (committed.url, folder.appendingPathComponent(names.manifest))
        }
        let e = study.embedded
        let trained = try pretraining.weights(for: settings, sourceData: {
            try EmbeddedData(cacheDirectory: cacheDirectory).dataset(e.sourceClasses.task, e, log: log)
        }, log: log)

        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let checkpoint = folder.appendingPathComponent(names.checkpoint)
        let file = try SafeTensors.open(trained)
        // The EMA weights only (what train.py's checkpoints start fine-tuning from): no raw model, no momentum.
        let tensors = try file.names.filter { $0.hasPrefix("ema/") }.map { name in
            guard let tensor = file.tensor(name) else { throw StudyError("\(trained.path): tensor '\(name)' cannot be read") }
            return (name, tensor)
        }
        guard !tensors.isEmpty else { throw StudyError("\(trained.path) has no ema/ tensors to commit") }
        try SafeTensors.write(tensors: tensors, metadata: ["format": format, "configuration_digest": configuration.digest],
                              to: checkpoint)
        let manifest = PretrainedManifest(file: names.checkpoint, sha256: try SHA256Digest.hex(contentsOf: checkpoint),
                                          configuration: configuration, command: command, toolVersion: FreezeStudyVersion.current,
                                          sourceValidation: Pretraining.sourceValidation(of: trained))
        let manifestURL = folder.appendingPathComponent(names.manifest)
        do {
            try Data(manifest.yaml.utf8).write(to: manifestURL, options: .atomic)
        } catch {
            throw StudyError("cannot write \(manifestURL.path): \(error.localizedDescription)")
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: checkpoint.path)[.size] as? Int) ?? 0
        log("wrote \(checkpoint.path) (\(bytes / 1000) kB, SHA-256 \(manifest.sha256)) and \(manifestURL.path)")
        if bytes > committableBytes {
            log("note: \(checkpoint.lastPathComponent) is over \(committableBytes / 1_000_000) MB, more than the project commits")
        }
        return (checkpoint, manifestURL)
    }
}
