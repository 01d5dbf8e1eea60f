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
}

/// The model YAML as YOLOv5's `parse_model` builds it (models/yolo.py): depth and width
/// multiples, `make_divisible(c·gw, 8)`, `from` lists, the modules of `ModuleBuilder.table`
/// and Detect. A pure function of the spec, the class count and the random generator.
enum ModelBuilder {
    struct Built {
        let nodes: [GraphNode]
        let detect: Detect
        let detectFrom: [Int]
    }

    /// YOLOv5 `make_divisible(x, 8)`: rounds channel counts **up** to a multiple of 8.
    static func makeDivisible(_ x: Double, _ divisor: Int = 8) -> Int {
        Int((x / Double(divisor)).rounded(.up)) * divisor
    }

    /// Repeats after depth scaling: max(round(n·gd), 1) when n > 1 (Python's round, half to even).
    static func scaledRepeats(_ n: Int, _ gd: Double) -> Int {
        n > 1 ? max(Int((Double(n) * gd).rounded(.toNearestOrEven)), 1) : n
    }

    /// The layer graph of a spec: per row, the inputs resolved, then the row's module built by
    /// its `ModuleBuilder`; Detect, the last row, reads several earlier rows.
    static func build<R: RandomNumberGenerator>(_ spec: ModelSpec, classCount nc: Int, using rng: inout R) throws -> Built {
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
            let inputChannels = from.map { $0 < 0 ? 3 : channels[$0] }
            if row.module == "Detect" {
                guard i == spec.rows.count - 1 else { throw fail("Detect must be the last row") }
                guard row.fromIsList, from.allSatisfy({ $0 >= 0 }) else { throw fail("Detect needs a list of input layers") }
                guard from.count == spec.anchors.count else {
                    throw fail("Detect reads \(from.count) layers but anchors has \(spec.anchors.count) levels")
                }
                let detect = Detect(classCount: nc, anchors: spec.anchors, inputChannels: inputChannels, using: &rng)
                return Built(nodes: nodes, detect: detect, detectFrom: from)
            }
            let found = ModuleBuilder<R>.named(row.module)
            guard from.count == 1 || found?.readsSeveralInputs == true else {
                throw fail("\(row.module) takes one input, 'from' lists \(from.count)")
            }
            guard let builder = found else {
                let known = ModuleBuilder<R>.table.map { $0.name } + ["Detect"]
                throw fail("unknown module '\(row.module)' (known: \(known.joined(separator: ", ")))")
            }
            let n = scaledRepeats(row.number, spec.depthMultiple)
            let prepared = try builder.prepare(ModuleRow(spec: spec, index: i, row: row, from: from, inputChannels: inputChannels,
                                                         repeats: n, outputsPerAnchor: spec.anchors[0].count / 2 * (nc + 5)))
            guard builder.repeatsInside || n == 1 else { throw fail("stacking \(row.module) \(n) times is not supported") }
            nodes.append(GraphNode(index: i, from: from, operation: prepared.make(&rng), outputChannels: prepared.outputChannels,
                                   module: row.module, repeats: n))
            channels.append(prepared.outputChannels)
        }
        throw ConfigError(file: spec.source, line: spec.rows.last?.line, field: "head", reason: "the last row must be Detect")
    }
}
