import ConfigFile
import Foundation
import NeuralCore

/// The model YAML as YOLOv5's `parse_model` builds it (models/yolo.py): depth and width
/// multiples, `make_divisible(c·gw, 8)`, `from` lists and the modules of `ModuleBuilder.table`,
/// ending with Detect. A pure function of the spec, the class count and the random generator.
enum ModelBuilder {
    /// YOLOv5 `make_divisible(x, 8)`: rounds channel counts **up** to a multiple of 8.
    static func makeDivisible(_ x: Double, _ divisor: Int = 8) -> Int {
        Int((x / Double(divisor)).rounded(.up)) * divisor
    }

    /// Repeats after depth scaling: max(round(n·gd), 1) when n > 1 (Python's round, half to even).
    static func scaledRepeats(_ n: Int, _ gd: Double) -> Int {
        n > 1 ? max(Int((Double(n) * gd).rounded(.toNearestOrEven)), 1) : n
    }

    /// The layer graph of a spec: per row, the inputs resolved, then the row's module built by
    /// its `ModuleBuilder`. The last row, and only it, is Detect, which reads several earlier rows.
    static func build<R: RandomNumberGenerator>(_ spec: ModelSpec, classCount nc: Int, using rng: inout R) throws -> [GraphNode] {
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
            // Detect's outputs are the model's: no later row may read them.
            guard row.module != "Detect" || i == spec.rows.count - 1 else { throw fail("Detect must be the last row") }
            let found = ModuleBuilder<R>.named(row.module)
            guard from.count == 1 || found?.readsSeveralInputs == true else {
                throw fail("\(row.module) takes one input, 'from' lists \(from.count)")
            }
            guard let builder = found else {
                let known = ModuleBuilder<R>.table.map { $0.name }
                throw fail("unknown module '\(row.module)' (known: \(known.joined(separator: ", ")))")
            }
            let n = scaledRepeats(row.number, spec.depthMultiple)
            let prepared = try builder.prepare(ModuleRow(spec: spec, index: i, row: row, from: from,
                                                         inputChannels: from.map { $0 < 0 ? 3 : channels[$0] },
                                                         repeats: n, classCount: nc))
            guard builder.repeatsInside || n == 1 else { throw fail("stacking \(row.module) \(n) times is not supported") }
            nodes.append(GraphNode(index: i, from: from, operation: prepared.make(&rng), outputChannels: prepared.outputChannels,
                                   moduleName: row.module, repeats: n))
            channels.append(prepared.outputChannels)
        }
        guard case .detect = nodes.last?.operation else {
            throw ConfigError(file: spec.source, line: spec.rows.last?.line, field: "head", reason: "the last row must be Detect")
        }
        return nodes
    }
}
