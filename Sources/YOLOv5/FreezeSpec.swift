import Foundation

/// Which parameters a scenario freezes, as YOLOv5 users write it (DESIGN.md):
/// a count `10` (= layers 0…9, like `train.py --freeze 10`), a range `0-9`, a list `[0, 1, 2]`
/// of layer indices, or name patterns (`model.2.cv1.`) matched as substrings of the
/// PyTorch-style parameter name, exactly as train.py does.
public struct FreezeSpec: Equatable, Sendable, CustomStringConvertible {
    /// Substrings; a parameter is frozen iff its name contains one of them.
    public let patterns: [String]
    /// The layer indices, when the spec was a count, range or list (nil for name patterns).
    public let layers: [Int]?
    /// The spec as the user wrote it (shown in listings and reports).
    public let text: String

    /// Nothing frozen (the `none` scenario; `--freeze 0`).
    public static let nothing = FreezeSpec(patterns: [], text: "none")

    /// `train.py --freeze N`: `model.0.` … `model.{N−1}.`.
    /// The trailing dot matters: "model.1" alone would also freeze "model.10.…" to "model.19.…".
    public init(firstLayers count: Int) {
        patterns = (0..<count).map { "model.\($0)." }
        layers = Array(0..<count)
        text = "\(count)"
    }

    /// Exactly the given layer indices.
    public init(layers: [Int], text: String? = nil) {
        patterns = layers.map { "model.\($0)." }
        self.layers = layers
        self.text = text ?? "[" + layers.map(String.init).joined(separator: ", ") + "]"
    }

    /// Name patterns (substrings).
    public init(patterns: [String], text: String? = nil) {
        self.patterns = patterns
        layers = nil
        self.text = text ?? patterns.joined(separator: ", ")
    }

    /// Parses a spec as typed on the command line or written as a YAML scalar:
    /// `none`, `10`, `0-9`, `[0, 1, 2]` or `0,1,2`, or name patterns `model.2.cv1.,model.3.`.
    public init(parsing raw: String) throws {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let inner = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        let items = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }.filter { !$0.isEmpty }
        if ["none", "", "0"].contains(text.lowercased()) || (text.hasPrefix("[") && items.isEmpty) {
            self = .nothing
            return
        }
        if items.count == 1, !text.hasPrefix("["), let count = Int(items[0]) {
            guard count > 0 else { throw FreezeSpecError(spec: raw, reason: "a layer count must be positive") }
            guard count <= Self.maximumLayers else { throw FreezeSpecError(spec: raw, reason: Self.tooMany) }
            self.init(firstLayers: count)
            return
        }
        if items.count == 1, let range = Self.parseRange(items[0]) {
            guard range.lowerBound >= 0 else { throw FreezeSpecError(spec: raw, reason: "layer indices cannot be negative") }
            guard range.upperBound < Self.maximumLayers else { throw FreezeSpecError(spec: raw, reason: Self.tooMany) }
            self.init(layers: Array(range), text: text)
            return
        }
        if items.allSatisfy({ Int($0) != nil }) {
            let layers = items.compactMap { Int($0) }
            guard layers.allSatisfy({ $0 >= 0 }) else { throw FreezeSpecError(spec: raw, reason: "layer indices cannot be negative") }
            self.init(layers: layers, text: text)
            return
        }
        for item in items where Int(item) != nil || Self.parseRange(item) != nil {
            throw FreezeSpecError(spec: raw, reason: "'\(item)' mixes layer numbers with name patterns; write one kind")
        }
        guard items.allSatisfy({ $0.range(of: #"^[A-Za-z0-9_.]+$"#, options: .regularExpression) != nil }) else {
            throw FreezeSpecError(spec: raw, reason: "not a count, range (0-9), list ([0, 1]) or name patterns (model.2.cv1.)")
        }
        self.init(patterns: items, text: text)
    }

    /// Layer counts and indices above this are refused before a pattern is made for each
    /// (`freeze: 2147483648` would otherwise build two billion patterns); YOLOv5's largest models
    /// have 34 layers.
    static let maximumLayers = 1000
    private static let tooMany = "no model has that many layers (at most \(maximumLayers) are accepted)"

    private static func parseRange(_ item: String) -> ClosedRange<Int>? {
        let parts = item.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a <= b else { return nil }
        return a...b
    }

    /// Whether train.py's rule freezes this parameter: its name contains a pattern.
    public func freezes(_ parameterName: String) -> Bool {
        patterns.contains { parameterName.contains($0) }
    }

    public var description: String { text }
}

/// A freeze spec that cannot be parsed or that matches nothing.
public struct FreezeSpecError: Error, CustomStringConvertible, Equatable {
    public let spec: String
    public let reason: String
    public var description: String { "freeze spec '\(spec)': \(reason)" }

    /// An error about `spec`.
    public init(spec: String, reason: String) {
        self.spec = spec
        self.reason = reason
    }
}

/// What frozen layers' BatchNorm does (DESIGN.md `bn:`). Once a layer unfreezes, its BatchNorm
/// trains like any other (batch statistics, running statistics updated).
public enum BatchNormPolicy: String, Sendable, CaseIterable {
    /// YOLOv5's behaviour: the model trains in train() mode, so frozen BN statistics keep
    /// updating with every batch (γ and β are frozen with the layer).
    case update
    /// Frozen layers' BN runs in eval mode: normalises with the running statistics and never
    /// updates them (Ultralytics ≥ 8.1, Keras, MMDetection `norm_eval`).
    case frozen
    /// Detectron2's FrozenBatchNorm2d: statistics and affine fixed, and a frozen Conv block's
    /// BatchNorm folded into its convolution for the forward pass. Bare BatchNorms (the CSP
    /// blocks' `bn` after a concatenation) keep their statistics fixed like `frozen`.
    case frozenBN = "frozen-bn"

    /// What the policy does, in one sentence (recorded with the results and shown in the report).
    public var meaning: String {
        switch self {
        case .update:
            return "YOLOv5: frozen layers' BatchNorm normalises with batch statistics and its running statistics keep moving; γ and β are frozen with the layer"
        case .frozen:
            return "frozen layers' BatchNorm normalises with its running statistics and never updates them (Ultralytics ≥ 8.1, Keras, MMDetection norm_eval); γ and β frozen"
        case .frozenBN:
            return "Detectron2 FrozenBatchNorm2d: frozen layers' statistics and affine fixed, and each frozen Conv block's BatchNorm folded into its convolution for the forward pass"
        }
    }

    /// Whether a frozen layer's BatchNorm keeps its running statistics fixed.
    public var keepsFrozenStatisticsFixed: Bool { self != .update }
}

/// Parameter counts after freezing.
public struct FreezeSummary: Equatable, Sendable {
    public var trainableTensors = 0, frozenTensors = 0
    public var trainableParameters = 0, frozenParameters = 0
}

extension YOLOv5Model {
    /// Makes every parameter trainable, then freezes those `spec` matches (train.py's loop),
    /// and sets frozen layers' BatchNorm per `batchNorm`. A layer index must exist (a layer
    /// without parameters, like Upsample, is fine); a name pattern must match a parameter; and a
    /// spec other than `none` must freeze something.
    @discardableResult
    public func applyFreeze(_ spec: FreezeSpec, batchNorm: BatchNormPolicy = .update) throws -> FreezeSummary {
        let parameters = namedParameters()
        if let layers = spec.layers {
            for layer in layers where layer >= nodes.count {
                throw FreezeSpecError(spec: spec.text, reason: "layer \(layer) does not exist (this model has layers 0-\(nodes.count - 1))")
            }
        } else {
            for pattern in spec.patterns where !parameters.contains(where: { $0.0.contains(pattern) }) {
                throw FreezeSpecError(spec: spec.text, reason: "'\(pattern)' matches no parameter of this model")
            }
        }
        if !spec.patterns.isEmpty, !parameters.contains(where: { spec.freezes($0.0) }) {
            throw FreezeSpecError(spec: spec.text, reason: "freezes no parameter (the layers listed have none)")
        }
        var summary = FreezeSummary()
        for (name, parameter) in parameters {
            parameter.isTrainable = !spec.freezes(name)
            if parameter.isTrainable {
                summary.trainableTensors += 1
                summary.trainableParameters += parameter.count
            } else {
                summary.frozenTensors += 1
                summary.frozenParameters += parameter.count
            }
        }
        for (name, bn) in namedBatchNorms {
            let frozen = spec.freezes(name + ".weight") && spec.freezes(name + ".bias")
            bn.keepsStatisticsFixed = batchNorm.keepsFrozenStatisticsFixed && frozen
        }
        return summary
    }

    /// Current trainable/frozen counts.
    public var freezeSummary: FreezeSummary {
        var summary = FreezeSummary()
        for (_, p) in namedParameters() {
            if p.isTrainable { summary.trainableTensors += 1; summary.trainableParameters += p.count } else { summary.frozenTensors += 1; summary.frozenParameters += p.count }
        }
        return summary
    }
}
