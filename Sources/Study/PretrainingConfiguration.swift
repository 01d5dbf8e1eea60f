import Foundation
import Training
import VOCData
import YOLOv5

/// Everything that shapes the synthetic pretraining's weights, written out as `key: value` lines.
/// Its SHA-256 names the configuration in a committed checkpoint's manifest; with the tool version
/// it also names the cache file. The model and hyp files enter by the SHA-256 of what they say
/// once parsed (the layer rows, the hyperparameter values), so comments, formatting and line
/// endings do not change it; an unreadable file enters by its path (and fails later, when read).
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
        func modelDigest(_ path: String) -> String {
            guard let spec = try? ModelSpec(contentsOf: study.resolve(path)) else { return "unreadable \(path)" }
            let head = ["nc \(spec.classCount)", "depth_multiple \(spec.depthMultiple)", "width_multiple \(spec.widthMultiple)",
                        "anchors \(spec.anchors)", "activation \(String(describing: spec.activation))",
                        "csp_activation \(String(describing: spec.cspActivation))", "backbone \(spec.backboneCount)"]
            let rows = spec.rows.map { "\($0.from) \($0.number) \($0.module) \($0.args)" }
            return SHA256Digest.hex((head + rows).joined(separator: "\n"))
        }
        func hypDigest(_ path: String) -> String {
            guard let hyp = try? Hyperparameters(contentsOf: study.resolve(path)) else { return "unreadable \(path)" }
            return SHA256Digest.hex(hyp.values.sorted { $0.0 < $1.0 }.map { "\($0.0) \($0.1)" }.joined(separator: "\n"))
        }
        entries = [
            Entry(key: "model_sha256", value: modelDigest(settings.model)),
            Entry(key: "hyp_sha256", value: hypDigest(e.pretrainHyp)),
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
