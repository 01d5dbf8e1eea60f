import Foundation
import Results

extension MarkdownReport {
    /// Per scenario: its fine-tuning schedule (BatchNorm policy, unfreezing, lr/decay factors) and
    /// the proof that what had to stay fixed did — SHA-256 digests compared after every epoch —
    /// with the drift of the frozen layers' BatchNorm running variance. Empty when no run
    /// recorded a proof and no scenario has a schedule.
    func fineTuningSection() -> String {
        let rows = results.scenarios.map { scenario -> (scenario: ScenarioResults, config: ResolvedConfig, proofs: [FrozenTensorRecord]) in
            (scenario, ResolvedConfig(json: scenario.info.configJSON), scenario.runs.compactMap(\.frozenCheck))
        }
        let scheduled = rows.contains { row in
            row.scenario.info.bn.isEmpty == false && row.scenario.info.bn != "update"
                || [Self.unfreezeKey, Self.learningRateKey, Self.decayKey].contains { Self.isSet(row.config.text($0)) }
        }
        guard scheduled || rows.contains(where: { !$0.proofs.isEmpty }) else { return "" }
        var lines = ["## Fine-tuning schedules and proof that frozen is frozen", "",
                     "Per scenario: what frozen layers' BatchNorm does, when frozen layers unfreeze, and per-layer factors on the learning rate and weight decay. “Guarded” counts the tensors that had to stay bit-identical (frozen parameters while frozen; under `bn: frozen`/`frozen-bn` also the frozen layers' running statistics); each is compared by its SHA-256 digest (of its Float32 bytes) with its value before training after every epoch, summed over the scenario's runs. “BN drift” is the mean relative change of the frozen layers' BatchNorm running variance over the run (mean over BatchNorms and runs).", ""]
        typealias Row = (scenario: ScenarioResults, config: ResolvedConfig, proofs: [FrozenTensorRecord])
        let table = MarkdownTable<Row>(columns: [
            .init("Scenario", .left) { "`\($0.scenario.name)`" },
            .init("Freeze", .left) { $0.scenario.info.freeze.isEmpty ? "nothing" : "`\($0.scenario.info.freeze)`" },
            .init("bn", .left) { $0.scenario.info.bn.isEmpty ? DisplayFormat.missing : $0.scenario.info.bn },
            .init("Unfreeze", .left) { Self.unfreezeText($0.config) },
            .init("lr_mult", .left) { Self.setting($0.config.text(Self.learningRateKey)) },
            .init("decay_mult", .left) { Self.setting($0.config.text(Self.decayKey)) },
            .init("Guarded (SHA-256)") { row in
                row.proofs.isEmpty ? DisplayFormat.missing
                    : "\(row.proofs.map(\.tensors.count).reduce(0, +)) in \(row.proofs.count) run\(row.proofs.count == 1 ? "" : "s")"
            },
            .init("Changed while fixed") { row in
                let changed = row.proofs.flatMap(\.changed)
                return row.proofs.isEmpty ? DisplayFormat.missing : (changed.isEmpty ? "none ✓" : "✗ \(changed.count)")
            },
            .init("BN drift (running_var)") { row in
                let drifts = row.proofs.flatMap(\.runningVarianceDrift)
                return drifts.isEmpty ? "—" : String(format: "%.2e", drifts.reduce(0, +) / Double(drifts.count))
            },
        ])
        lines.append(table.render(rows))
        let meanings = Dictionary(rows.compactMap { row in row.config.text("bn_meaning").map { (row.scenario.info.bn, $0) } }) { a, _ in a }
        if !meanings.isEmpty {
            lines += ["", "BatchNorm policies in this study:"]
            lines += meanings.keys.sorted().map { "- `\($0)`: \(meanings[$0]!)." }
        }
        if let rule = rows.lazy.compactMap({ $0.config.text("unfreeze_rule") }).first {
            lines += ["", "Unfreezing: \(rule). PyTorch Lightning's `BackboneFinetuning` instead adds the backbone as a new parameter group at `backbone_initial_ratio_lr` × the current lr and raises it every epoch; fastai's `fine_tune` lowers the whole model's lr and restarts its one-cycle schedule. Here the scenario's own schedule and warm-up continue unchanged."]
        }
        let changedTensors = rows.flatMap { row in row.proofs.flatMap(\.changed).map { "`\(row.scenario.name)` \($0.name) (after epoch \($0.changedInEpoch ?? 0))" } }
        if !changedTensors.isEmpty {
            lines += ["", "> **✗ Tensors that changed while they had to stay fixed:** " + changedTensors.prefix(20).joined(separator: "; ") + "."]
        }
        return lines.joined(separator: "\n")
    }

    private static let unfreezeKey = "unfreeze_at", learningRateKey = "lr_mult", decayKey = "decay_mult"

    private static func isSet(_ text: String?) -> Bool { text.map { !["never", "{}", ""].contains($0) } ?? false }

    private static func setting(_ text: String?) -> String { isSet(text) ? "`\(text!)`" : "—" }

    private static func unfreezeText(_ config: ResolvedConfig) -> String {
        guard let at = config.text(unfreezeKey), isSet(at) else { return "never" }
        guard config.text("unfreeze") == "gradual" else { return "all at epoch \(at)" }
        return "gradual from epoch \(at): \(config.text("unfreeze_layers") ?? "1") layer(s) every \(config.text("unfreeze_step") ?? "1") epoch(s)"
    }
}
