import ConfigFile
import Foundation
import NeuralCore

/// A node of the layer graph: row i of the model YAML as a built module.
struct GraphNode {
    enum Operation {
        case layer(any Layer)
        case concat(Concat)
    }

    let index: Int
    /// Absolute indices of the inputs; -1 only for node 0, meaning the image.
    let from: [Int]
    let operation: Operation
    let outputChannels: Int
    /// The YAML module name (`Conv`, `C3`, `nn.Upsample`, …) and its resolved repeats.
    let module: String
    let repeats: Int
    /// Modules this node adds to `model.modules()` (YOLOv5's summary "layers").
    let moduleCount: Int
}

/// The model YAML as YOLOv5's `parse_model` builds it (models/yolo.py): depth and width
/// multiples, `make_divisible(c·gw, 8)`, `from` lists, and modules Conv, Bottleneck, C3,
/// BottleneckCSP, SPP, SPPF, Focus, nn.Upsample, Concat and Detect. A pure function of the
/// spec, the class count and the random generator.
enum ModelBuilder {
    struct Built {
        let nodes: [GraphNode]
        let detect: Detect
        let detectFrom: [Int]
        let detectModuleCount: Int
    }

    /// YOLOv5 `make_divisible(x, 8)`: rounds channel counts **up** to a multiple of 8.
    static func makeDivisible(_ x: Double, _ divisor: Int = 8) -> Int {
        Int((x / Double(divisor)).rounded(.up)) * divisor
    }

    /// Repeats after depth scaling: max(round(n·gd), 1) when n > 1 (Python's round, half to even).
    static func scaledRepeats(_ n: Int, _ gd: Double) -> Int {
        n > 1 ? max(Int((Double(n) * gd).rounded(.toNearestOrEven)), 1) : n
    }

    static func build<R: RandomNumberGenerator>(_ spec: ModelSpec, classCount nc: Int, using rng: inout R) throws -> Built {
        let activation = spec.activation ?? .silu
        let cspActivation = spec.cspActivation ?? .silu
        let outputsPerAnchor = spec.anchors[0].count / 2 * (nc + 5)
        var channels: [Int] = []  // output channels per node
        var nodes: [GraphNode] = []

        for (i, row) in spec.rows.enumerated() {
            func fail(_ reason: String) -> ConfigError {
                ConfigError(file: spec.source, line: row.line, field: "row \(i) (\(row.module))", reason: reason)
            }
            let from = try row.from.map { f -> Int in
                let absolute = f < 0 ? i + f : f
                guard (i == 0 && f == -1) || (absolute >= 0 && absolute < i) else {
                    throw fail("'from' \(f) does not name an earlier layer")
                }
                return absolute
            }
            func inputChannels(_ f: Int) -> Int { f < 0 ? 3 : channels[f] }
            let n = scaledRepeats(row.number, spec.depthMultiple)
            let args = row.args

            if row.module == "Detect" {
                guard i == spec.rows.count - 1 else { throw fail("Detect must be the last row") }
                guard row.fromIsList, from.allSatisfy({ $0 >= 0 }) else { throw fail("Detect needs a list of input layers") }
                guard from.count == spec.anchors.count else {
                    throw fail("Detect reads \(from.count) layers but anchors has \(spec.anchors.count) levels")
                }
                let detect = Detect(classCount: nc, anchors: spec.anchors, inputChannels: from.map(inputChannels), using: &rng)
                return Built(nodes: nodes, detect: detect, detectFrom: from, detectModuleCount: 2 + from.count)
            }
            guard from.count == 1 || row.module == "Concat" else { throw fail("\(row.module) takes one input, 'from' lists \(from.count)") }

            let c1 = inputChannels(from[0])
            func outChannels() throws -> Int {
                guard let c = args.first, case .int(let raw) = c, raw > 0 else {
                    throw fail("the first argument must be a positive output channel count")
                }
                return raw == outputsPerAnchor ? raw : makeDivisible(Double(raw) * spec.widthMultiple)
            }
            func positive(_ value: Int, _ what: String) throws -> Int {
                guard value > 0 else { throw fail("\(what) must be positive, found \(value)") }
                return value
            }
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

            var c2 = c1
            var moduleCount: Int
            let makeOne: (inout R) throws -> GraphNode.Operation
            var blockRepeats = n  // modules stacked n times (none of YOLOv5's YAMLs does this)
            switch row.module {
            case "Conv":
                c2 = try outChannels()
                let (k, s) = (try positive(intArg(1, default: 1), "kernel"), try positive(intArg(2, default: 1), "stride"))
                let p = try padding(k)
                guard args.count <= 4 else { throw fail("groups, dilation and act arguments are not supported") }
                moduleCount = 3
                makeOne = { [c2] rng in .layer(Conv(c1, c2, k: k, s: s, p: p, activation: activation, using: &rng)) }
            case "Focus":
                c2 = try outChannels()
                let (k, s) = (try positive(intArg(1, default: 1), "kernel"), try positive(intArg(2, default: 1), "stride"))
                let p = try padding(k)
                moduleCount = 4
                makeOne = { [c2] rng in .layer(Focus(c1, c2, k: k, s: s, p: p, activation: activation, using: &rng)) }
            case "Bottleneck":
                c2 = try outChannels()
                let shortcut = try boolArg(1, default: true)
                moduleCount = 7
                makeOne = { [c2] rng in .layer(Bottleneck(c1, c2, shortcut: shortcut, e: 0.5, activation: activation, using: &rng)) }
            case "C3":
                c2 = try outChannels()
                let shortcut = try boolArg(1, default: true)
                moduleCount = 1 + 9 + 1 + 7 * n
                blockRepeats = 1
                makeOne = { [c2] rng in .layer(C3(c1, c2, n: n, shortcut: shortcut, activation: activation, using: &rng)) }
            case "BottleneckCSP":
                c2 = try outChannels()
                let shortcut = try boolArg(1, default: true)
                moduleCount = 1 + 6 + 2 + 1 + 1 + 1 + 7 * n
                blockRepeats = 1
                makeOne = { [c2] rng in
                    .layer(BottleneckCSP(c1, c2, n: n, shortcut: shortcut, activation: activation,
                                         innerActivation: cspActivation, using: &rng))
                }
            case "SPP":
                c2 = try outChannels()
                var kernels = [5, 9, 13]
                if args.count > 1 {
                    guard case .list(let list) = args[1] else { throw fail("SPP kernels must be a list") }
                    kernels = try list.map { guard case .int(let k) = $0, k > 0, k % 2 == 1 else { throw fail("SPP kernels must be odd integers") }; return k }
                }
                moduleCount = 1 + 6 + 1 + kernels.count
                makeOne = { [c2, kernels] rng in .layer(SPP(c1, c2, kernels: kernels, activation: activation, using: &rng)) }
            case "SPPF":
                c2 = try outChannels()
                let k = try positive(intArg(1, default: 5), "kernel")
                guard k % 2 == 1 else { throw fail("the SPPF kernel must be odd, found \(k)") }
                moduleCount = 8
                makeOne = { [c2] rng in .layer(SPPF(c1, c2, kernel: k, activation: activation, using: &rng)) }
            case "nn.Upsample", "Upsample":
                let factor = try positive(intArg(1, default: 2), "scale factor")
                if args.count > 2, args[2] != .string("nearest") { throw fail("only mode 'nearest' is supported, found \(args[2])") }
                moduleCount = 1
                makeOne = { _ in .layer(Upsample(factor: factor)) }
            case "Concat":
                if let dimension = args.first, dimension != .int(1) { throw fail("Concat is supported along channels (1) only") }
                c2 = from.map(inputChannels).reduce(0, +)
                moduleCount = 1
                makeOne = { _ in .concat(Concat()) }
            default:
                throw fail("unknown module '\(row.module)' (known: Conv, Focus, Bottleneck, C3, BottleneckCSP, SPP, SPPF, nn.Upsample, Concat, Detect)")
            }
            guard blockRepeats == 1 else { throw fail("stacking \(row.module) \(blockRepeats) times is not supported") }
            let operation = try makeOne(&rng)
            if case .concat = operation {} else if from.count != 1 { throw fail("\(row.module) takes one input") }
            nodes.append(GraphNode(index: i, from: from, operation: operation, outputChannels: c2,
                                   module: row.module, repeats: n, moduleCount: moduleCount))
            channels.append(c2)
        }
        throw ConfigError(file: spec.source, line: spec.rows.last?.line, field: "head", reason: "the last row must be Detect")
    }
}
