import NeuralCore

/// What loading a state dict into a model did, entry by entry.
public struct StateLoadReport: Sendable {
    /// Entries copied (name and shape matched).
    public var loaded: [String] = []
    /// Model entries left at their initialisation, with the reason.
    public var kept: [(name: String, reason: String)] = []
    /// Source entries the model has no use for.
    public var unused: [String] = []
}

extension YOLOv5Model {
    /// Copies every entry whose name exists in the model with the same shape, like YOLOv5's
    /// `intersect_dicts` + `load_state_dict(strict=False)`. Entries whose shapes differ (the
    /// Detect outputs when the class count differs) keep their initialisation and are listed.
    @discardableResult
    public func load(stateDict source: [String: Tensor], excluding excluded: [String] = []) -> StateLoadReport {
        var report = StateLoadReport()
        var used = Set<String>()
        for (name, target) in stateDict() {
            guard let tensor = source[name] else {
                report.kept.append((name, "not in the checkpoint"))
                continue
            }
            used.insert(name)
            if let pattern = excluded.first(where: { name.contains($0) }) {
                report.kept.append((name, "excluded by '\(pattern)'"))
            } else if tensor.shape != target.shape {
                report.kept.append((name, "shape \(tensor.shape) in the checkpoint, \(target.shape) here"))
            } else {
                target.assign(tensor)
                report.loaded.append(name)
            }
        }
        report.unused = source.keys.filter { !used.contains($0) && !$0.hasSuffix("num_batches_tracked") }.sorted()
        return report
    }
}
