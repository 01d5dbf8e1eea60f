import Foundation

/// Pretrained checkpoints committed with the study files (`Experiments/pretrained/`), the way the
/// guide starts from a downloaded yolov5m.pt: each `NAME.safetensors` has a `NAME.manifest.yaml`
/// naming its SHA-256 and the configuration digest it was trained from.
struct CommittedPretraining {
    /// The folder of committed checkpoints (`pretrained/` beside the study file).
    let folder: URL

    static let manifestSuffix = ".manifest.yaml"

    /// The committed checkpoint made from `configuration`, after checking its SHA-256 against its
    /// manifest; nil if none was made from it. Throws if a manifest cannot be read, or if the
    /// matching checkpoint is missing or its digest differs from its manifest's (a damaged file,
    /// or a Git LFS pointer): silently pretraining instead would hide that.
    func checkpoint(for configuration: PretrainingConfiguration) throws -> (url: URL, manifest: PretrainedManifest)? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let wanted = configuration.digest
        for name in names.sorted() where name.hasSuffix(Self.manifestSuffix) {
            let manifestURL = folder.appendingPathComponent(name)
            let manifest = try PretrainedManifest(contentsOf: manifestURL)
            guard manifest.configurationDigest == wanted else { continue }
            let url = folder.appendingPathComponent(manifest.file)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw StudyError("\(manifestURL.path): field 'file': \(manifest.file) is missing beside the manifest; "
                                 + "restore it, or remove the manifest to pretrain instead")
            }
            let actual = try SHA256Digest.hex(contentsOf: url)
            guard actual == manifest.sha256 else {
                throw StudyError("\(url.path) has SHA-256 \(actual), but its manifest \(manifestURL.path) says \(manifest.sha256) "
                                 + "(field 'sha256'): the file is damaged or is not the one the manifest describes (a Git LFS "
                                 + "pointer?); restore it, or remove both files to pretrain instead")
            }
            return (url, manifest)
        }
        return nil
    }

    /// The file names a checkpoint made from `configuration` gets: the model's name and the
    /// configuration digest's first 12 hex digits.
    static func fileNames(model: String, configuration: PretrainingConfiguration) -> (checkpoint: String, manifest: String) {
        let stem = URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent
        let base = "\(stem)-source-\(configuration.digest.dropFirst("sha256:".count).prefix(12))"
        return (base + ".safetensors", base + manifestSuffix)
    }
}
