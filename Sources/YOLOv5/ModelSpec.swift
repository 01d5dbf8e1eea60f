import ConfigFile
import Foundation

/// A model configuration in YOLOv5's YAML format (models/yolov5s.yaml and friends).
///
/// Rows `[from, number, module, args]` of `backbone` followed by `head` form one list; row i is
/// `model.i`. Arguments stay symbolic here (`nc`, `anchors`, `None`); `ModelBuilder` resolves
/// them the way YOLOv5's `parse_model` does.
public struct ModelSpec: Sendable {
    /// Number of classes in the file (the builder may override it, like `Model(cfg, nc=20)`).
    public var classCount: Int
    /// `depth_multiple` (gd).
    public var depthMultiple: Double
    /// `width_multiple` (gw).
    public var widthMultiple: Double
    /// Anchors in pixels, one list of (w, h) pairs per detection level.
    public var anchors: [[Double]]
    /// `activation` (YOLOv5 v6+): the Conv blocks' activation; nil means SiLU.
    public var activation: Activation?
    /// FreezeStudy's `csp_activation`: the activation inside BottleneckCSP (LeakyReLU(0.1) in
    /// the v3.x–v5.0 code); nil means SiLU, as YOLOv5 v6+ builds it.
    public var cspActivation: Activation?
    /// The rows, backbone first.
    public var rows: [LayerRow]
    /// Where the spec came from (errors name it).
    public var source: String

    /// Number of backbone rows (the rest are head rows).
    public var backboneCount: Int
}

/// One row `[from, number, module, args]`.
public struct LayerRow: Sendable {
    /// Input layers: -1 is the previous row; absolute indices otherwise (negative ones count back).
    public var from: [Int]
    /// Whether `from` was written as a list (Concat, Detect) rather than a single index.
    public var fromIsList: Bool
    /// Repeats before depth scaling.
    public var number: Int
    /// Module name as written (`Conv`, `C3`, `nn.Upsample`, …).
    public var module: String
    /// Arguments as written.
    public var args: [Argument]
    /// Line in the file.
    public var line: Int?
}

/// A row argument as written in the YAML.
public indirect enum Argument: Equatable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// A bare or quoted word: `nc`, `anchors`, `nearest`.
    case string(String)
    case none
    case list([Argument])

    public var description: String {
        switch self {
        case .int(let v): return "\(v)"
        case .double(let v): return "\(v)"
        case .bool(let v): return v ? "True" : "False"
        case .string(let s): return s
        case .none: return "None"
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// The activations a Conv block can use.
public enum Activation: Equatable, Sendable {
    case silu
    case hardswish
    case leakyReLU(Double)

    /// Parses YOLOv5's `activation:` text (`nn.SiLU()`, `nn.Hardswish()`, `nn.LeakyReLU(0.1)`).
    public init?(yoloText text: String) {
        let compact = text.replacingOccurrences(of: " ", with: "")
        switch compact {
        case "nn.SiLU()", "SiLU": self = .silu
        case "nn.Hardswish()", "Hardswish": self = .hardswish
        default:
            guard compact.hasPrefix("nn.LeakyReLU(") && compact.hasSuffix(")") else { return nil }
            let inner = compact.dropFirst("nn.LeakyReLU(".count).dropLast()
            let slope = inner.split(separator: ",").first.map(String.init) ?? ""
            guard let value = slope.isEmpty ? 0.01 : Double(slope.replacingOccurrences(of: "negative_slope=", with: "")) else { return nil }
            self = .leakyReLU(value)
        }
    }
}
