import ConfigFile

/// One row of the model YAML as a module builder reads it: resolved inputs and their channels,
/// the depth-scaled repeats, and argument readers whose errors name the file, line and row.
struct ModuleRow {
    let spec: ModelSpec
    let index: Int
    let row: LayerRow
    /// Absolute input indices (-1 only for row 0, the image) and their channel counts.
    let from: [Int], inputChannels: [Int]
    /// `number` after depth scaling (`n` in `parse_model`).
    let repeats: Int
    /// The model's class count (`nc`).
    let classCount: Int

    /// na·(nc + 5): a channel argument equal to it is not width-scaled (`if c2 != no`).
    var outputsPerAnchor: Int { spec.anchors[0].count / 2 * (classCount + 5) }

    var args: [Argument] { row.args }
    /// Channels of the first input (`c1` in `parse_model`).
    var c1: Int { inputChannels[0] }
    var activation: Activation { spec.activation ?? .silu }
    var cspActivation: Activation { spec.cspActivation ?? .silu }

    func fail(_ reason: String) -> ConfigError {
        ConfigError(file: spec.source, line: row.line, field: "row \(index) (\(row.module))", reason: reason)
    }

    /// The first argument, output channels, scaled by the width multiple: `make_divisible(c2·gw, 8)`.
    func outChannels() throws -> Int {
        guard let c = args.first, case .int(let raw) = c, raw > 0 else {
            throw fail("the first argument must be a positive output channel count")
        }
        return raw == outputsPerAnchor ? raw : ModelBuilder.makeDivisible(Double(raw) * spec.widthMultiple)
    }

    func positive(_ value: Int, _ what: String) throws -> Int {
        guard value > 0 else { throw fail("\(what) must be positive, found \(value)") }
        return value
    }

    /// Argument 4 when given (`autopad` otherwise, signalled by nil).
    func padding(_ k: Int) throws -> Int? {
        guard args.count > 3 else { return nil }
        let p = try intArg(3, default: k / 2)
        guard p >= 0 else { throw fail("padding must not be negative, found \(p)") }
        return p
    }

    func intArg(_ index: Int, default value: Int) throws -> Int {
        guard index < args.count else { return value }
        switch args[index] {
        case .int(let v): return v
        case .none: return value
        default: throw fail("argument \(index + 1) must be an integer, found \(args[index])")
        }
    }

    func boolArg(_ index: Int, default value: Bool) throws -> Bool {
        guard index < args.count else { return value }
        guard case .bool(let v) = args[index] else { throw fail("argument \(index + 1) must be True or False, found \(args[index])") }
        return v
    }
}
