import Foundation
import VOCData

/// Everything that shapes the synthetic pretraining's weights, written out as `key: value` lines.
/// Its SHA-256 names the configuration in a committed checkpoint's manifest; with the tool version
/// it also names the cache file. Files enter by the digest of their lines (so a checkout with
/// other line endings names the same configuration), not by path.
struct PretrainingConfiguration: Equatable {
    /// The lines, in a fixed order.
    let entries: [Entry]

    struct Entry: Equatable {
        var key: String
        var value: String
    }

    /// The pretraining `Pretraining.weights(for: settings, …)` runs for `study`.
    init(study: StudyFile, settings: StudySettings) {
        let e = study.embedded
        func linesDigest(_ path: String) -> String {
            guard let text = try? String(contentsOf: study.resolve(path), encoding: .utf8) else { return "missing \(path)" }
            return SHA256Digest.hex(text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: "\n"))
        }
        entries = [
            Entry(key: "model_sha256", value: linesDigest(settings.model)),
            Entry(key: "hyp_sha256", value: linesDigest(e.pretrainHyp)),
            Entry(key: "source_data", value: e.syntheticConfiguration(e.sourceClasses.task).fingerprint),
            Entry(key: "epochs", value: "\(e.pretrainEpochs)"),
            Entry(key: "image_size", value: "\(e.pretrainImageSize)"),
            Entry(key: "batch_size", value: "\(e.pretrainBatchSize)"),
            Entry(key: "nominal_batch_size", value: "\(e.pretrainNominalBatchSize)"),
            Entry(key: "seed", value: "\(e.seed)"),
            Entry(key: "schedule", value: settings.schedule.rawValue),
        ]
    }

    /// The canonical text: one `key: value` line per entry.
    var text: String { entries.map { "\($0.key): \($0.value)\n" }.joined() }

    /// `sha256:` and the SHA-256 of `text`.
    var digest: String { "sha256:" + SHA256Digest.hex(text) }
}
