import ConfigFile
import Foundation

/// A YOLOv5 hyperparameter file (`data/hyps/hyp.*.yaml`), every key as written.
///
/// Loading refuses unknown keys and reports missing ones by name; `anchors` and `copy_paste`
/// are optional, as in YOLOv5's own files. `label_smoothing` is train.py's command-line option,
/// accepted here too.
public struct Hyperparameters: Equatable, Sendable {
    public var lr0 = 0.0, lrf = 0.0, momentum = 0.0, weightDecay = 0.0
    public var warmupEpochs = 0.0, warmupMomentum = 0.0, warmupBiasLR = 0.0
    public var box = 0.0, cls = 0.0, clsPositiveWeight = 0.0, obj = 0.0, objPositiveWeight = 0.0
    /// `iou_t`: read but unused by v7's loss.
    public var iouThreshold = 0.0
    public var anchorThreshold = 0.0
    /// `anchors`: anchors per level for AutoAnchor placeholders (unused: FreezeStudy keeps the
    /// model's anchors).
    public var anchors: Double?
    public var focalGamma = 0.0
    public var hsvH = 0.0, hsvS = 0.0, hsvV = 0.0
    public var degrees = 0.0, translate = 0.0, scale = 0.0, shear = 0.0, perspective = 0.0
    public var flipUD = 0.0, flipLR = 0.0, mosaic = 0.0, mixup = 0.0
    public var copyPaste: Double?
    public var labelSmoothing = 0.0
    /// Where the values came from.
    public var source: String

    /// YAML key → property, each name written once.
    static let required: [(String, WritableKeyPath<Hyperparameters, Double>)] = [
        ("lr0", \.lr0), ("lrf", \.lrf), ("momentum", \.momentum), ("weight_decay", \.weightDecay),
        ("warmup_epochs", \.warmupEpochs), ("warmup_momentum", \.warmupMomentum), ("warmup_bias_lr", \.warmupBiasLR),
        ("box", \.box), ("cls", \.cls), ("cls_pw", \.clsPositiveWeight), ("obj", \.obj), ("obj_pw", \.objPositiveWeight),
        ("iou_t", \.iouThreshold), ("anchor_t", \.anchorThreshold), ("fl_gamma", \.focalGamma),
        ("hsv_h", \.hsvH), ("hsv_s", \.hsvS), ("hsv_v", \.hsvV), ("degrees", \.degrees), ("translate", \.translate),
        ("scale", \.scale), ("shear", \.shear), ("perspective", \.perspective), ("flipud", \.flipUD),
        ("fliplr", \.flipLR), ("mosaic", \.mosaic), ("mixup", \.mixup),
    ]
    static let optional: [(String, WritableKeyPath<Hyperparameters, Double?>)] = [
        ("anchors", \.anchors), ("copy_paste", \.copyPaste),
    ]

    /// Reads a hyp file.
    public init(contentsOf url: URL) throws {
        try self.init(node: ConfigNode.load(url))
    }

    /// Parses hyp YAML text; `file` names it in errors.
    public init(yaml: String, file: String) throws {
        try self.init(node: ConfigNode.parse(yaml, file: file))
    }

    init(node: ConfigNode) throws {
        let allowed = Set(Self.required.map(\.0) + Self.optional.map(\.0) + ["label_smoothing"])
        let fields = try node.fields(allowed: allowed)
        let missing = Self.required.map(\.0).filter { fields[$0] == nil }
        guard missing.isEmpty else {
            throw node.error("missing hyperparameter\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))")
        }
        self.init(source: node.file)
        for (key, path) in Self.required { self[keyPath: path] = try fields[key]!.double() }
        for (key, path) in Self.optional { self[keyPath: path] = try fields[key].map { try $0.double() } }
        labelSmoothing = try fields["label_smoothing"].map { try $0.double() } ?? 0
        for (key, value) in [("lr0", lr0), ("momentum", momentum), ("anchor_t", anchorThreshold)] where value <= 0 {
            throw fields[key]!.error("must be positive")
        }
        for (key, path) in Self.required where self[keyPath: path] < 0 {
            throw fields[key]!.error("must not be negative")
        }
        // Augmentation draws scale from U(1 − scale, 1 + scale) and translation from
        // U(0.5 ± translate); probabilities are probabilities.
        for (key, value) in [("scale", scale), ("translate", translate)] where value >= 1 {
            throw fields[key]!.error("must be below 1 (found \(value))")
        }
        for (key, value) in [("flipud", flipUD), ("fliplr", flipLR), ("mosaic", mosaic), ("mixup", mixup), ("hsv_h", hsvH),
                             ("hsv_s", hsvS), ("hsv_v", hsvV)] where value > 1 {
            throw fields[key]!.error("must be at most 1 (found \(value))")
        }
    }

    private init(source: String) { self.source = source }

    /// Every value by its YAML key (for recording the configuration).
    public var values: [(String, Double)] {
        Self.required.map { ($0.0, self[keyPath: $0.1]) } + Self.optional.compactMap { key, path in self[keyPath: path].map { (key, $0) } }
            + [("label_smoothing", labelSmoothing)]
    }
}
