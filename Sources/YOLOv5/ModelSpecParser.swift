import ConfigFile
import Foundation

extension ModelSpec {
    /// Keys of a model YAML. `ch` is accepted and ignored (input channels are always 3 here);
    /// `csp_activation` is FreezeStudy's own key.
    static let knownKeys: Set<String> = [
        "nc", "depth_multiple", "width_multiple", "anchors", "backbone", "head", "activation", "ch",
        "csp_activation",
    ]

    /// Reads a model YAML file.
    public init(contentsOf url: URL) throws {
        try self.init(node: ConfigNode.load(url))
    }

    /// Parses model YAML text; `file` names it in errors.
    public init(yaml: String, file: String = "<model yaml>") throws {
        try self.init(node: ConfigNode.parse(yaml, file: file))
    }

    init(node root: ConfigNode) throws {
        let fields = try root.fields(allowed: Self.knownKeys)
        func required(_ key: String) throws -> ConfigNode {
            guard let value = fields[key] else { throw root.error("missing key '\(key)'") }
            return value
        }
        source = root.file
        classCount = try required("nc").int()
        depthMultiple = try required("depth_multiple").double()
        widthMultiple = try required("width_multiple").double()
        guard classCount > 0 else { throw try required("nc").error("nc must be positive") }
        guard depthMultiple > 0, widthMultiple > 0 else { throw root.error("depth_multiple and width_multiple must be positive") }
        anchors = try Self.parseAnchors(required("anchors"))
        activation = try fields["activation"].map(Self.parseActivation)
        cspActivation = try fields["csp_activation"].map(Self.parseActivation)
        let backbone = try required("backbone").sequence().map(Self.parseRow)
        let head = try required("head").sequence().map(Self.parseRow)
        rows = backbone + head
        backboneCount = backbone.count
        guard !rows.isEmpty else { throw root.error("the model has no rows") }
    }

    static func parseActivation(_ node: ConfigNode) throws -> Activation {
        guard let value = Activation(yoloText: try node.string()) else {
            throw node.error("unknown activation '\(node.scalarText ?? "")' (nn.SiLU(), nn.Hardswish() or nn.LeakyReLU(slope))")
        }
        return value
    }

    /// `anchors` as a list of per-level lists of pixel values, or a count per level (AutoAnchor
    /// placeholders, which FreezeStudy does not compute).
    static func parseAnchors(_ node: ConfigNode) throws -> [[Double]] {
        guard node.isSequence else {
            throw node.error("anchors as a count per level need AutoAnchor, which FreezeStudy does not run; list them in pixels")
        }
        let levels = try node.sequence().map { level -> [Double] in
            let values = try level.sequence().map { try $0.double() }
            guard !values.isEmpty, values.count % 2 == 0 else {
                throw level.error("each level needs pairs of width, height (found \(values.count) numbers)")
            }
            return values
        }
        guard !levels.isEmpty else { throw node.error("no anchor levels") }
        guard Set(levels.map(\.count)).count == 1 else { throw node.error("every level needs the same number of anchors") }
        return levels
    }

    static func parseRow(_ node: ConfigNode) throws -> LayerRow {
        let items = try node.sequence()
        guard items.count == 4 else {
            throw node.error("a row is [from, number, module, args]; found \(items.count) items")
        }
        let fromIsList = items[0].isSequence
        let from = try fromIsList ? items[0].sequence().map { try $0.int() } : [items[0].int()]
        guard !from.isEmpty else { throw items[0].error("'from' is empty") }
        let number = try items[1].int()
        guard number >= 1 else { throw items[1].error("number must be at least 1") }
        let module = try items[2].string()
        let args = try items[3].sequence().map(parseArgument)
        return LayerRow(from: from, fromIsList: fromIsList, number: number, module: module, args: args, line: node.line)
    }

    static func parseArgument(_ node: ConfigNode) throws -> Argument {
        if node.isSequence { return .list(try node.sequence().map(parseArgument)) }
        guard let text = node.scalarText else { throw node.error("an argument must be a value or a list") }
        if node.isQuoted { return .string(text) }
        if let value = Int(text) { return .int(value) }
        if let value = Double(text) { return .double(value) }
        switch text {
        case "True", "true": return .bool(true)
        case "False", "false": return .bool(false)
        case "None", "null", "~": return .none
        default: return .string(text)
        }
    }
}
