import NeuralCore

/// How one module name of a model YAML becomes a graph node: the module branches of YOLOv5's
/// `parse_model`, one entry per name.
struct ModuleBuilder<R: RandomNumberGenerator> {
    /// A row whose arguments passed their checks: output channels and how to make the layer
    /// with the model's generator.
    struct Prepared {
        let outputChannels: Int
        let make: (inout R) -> GraphNode.Operation
    }

    /// Concat and Detect read several inputs; every other module reads one.
    var readsSeveralInputs = false
    /// C3 and BottleneckCSP repeat their bottleneck `number` times inside; any other module
    /// would be stacked `number` times, which no YOLOv5 YAML does and is not supported.
    var repeatsInside = false
    /// Checks the row's arguments.
    let prepare: (ModuleRow) throws -> Prepared

    /// Every module name a model YAML may use, in the order errors list them.
    static var table: [(name: String, builder: ModuleBuilder)] {
        [("Conv", conv), ("Focus", focus), ("Bottleneck", bottleneck), ("C3", c3), ("BottleneckCSP", bottleneckCSP),
         ("SPP", spp), ("SPPF", sppf), ("nn.Upsample", upsample), ("Upsample", upsample), ("Concat", concat),
         ("Detect", detect)]
    }

    static func named(_ name: String) -> ModuleBuilder? { table.first { $0.name == name }?.builder }

    /// `Conv(c2, k, s, p)`.
    static var conv: ModuleBuilder {
        ModuleBuilder { row in
            let c2 = try row.outChannels()
            let (k, s) = (try row.positive(row.intArg(1, default: 1), "kernel"), try row.positive(row.intArg(2, default: 1), "stride"))
            let p = try row.padding(k)
            guard row.args.count <= 4 else { throw row.fail("groups, dilation and act arguments are not supported") }
            let (c1, activation) = (row.c1, row.activation)
            return Prepared(outputChannels: c2) { rng in .layer(Conv(c1, c2, k: k, s: s, p: p, activation: activation, using: &rng)) }
        }
    }

    /// `Focus(c2, k, s, p)`.
    static var focus: ModuleBuilder {
        ModuleBuilder { row in
            let c2 = try row.outChannels()
            let (k, s) = (try row.positive(row.intArg(1, default: 1), "kernel"), try row.positive(row.intArg(2, default: 1), "stride"))
            let p = try row.padding(k)
            let (c1, activation) = (row.c1, row.activation)
            return Prepared(outputChannels: c2) { rng in .layer(Focus(c1, c2, k: k, s: s, p: p, activation: activation, using: &rng)) }
        }
    }

    /// `Bottleneck(c2, shortcut)`.
    static var bottleneck: ModuleBuilder {
        ModuleBuilder { row in
            let c2 = try row.outChannels()
            let shortcut = try row.boolArg(1, default: true)
            let (c1, activation) = (row.c1, row.activation)
            return Prepared(outputChannels: c2) { rng in
                .layer(Bottleneck(c1, c2, shortcut: shortcut, e: 0.5, activation: activation, using: &rng))
            }
        }
    }

    /// `C3(c2, shortcut)` with `number` bottlenecks.
    static var c3: ModuleBuilder {
        ModuleBuilder(repeatsInside: true) { row in
            let c2 = try row.outChannels()
            let shortcut = try row.boolArg(1, default: true)
            let (c1, n, activation) = (row.c1, row.repeats, row.activation)
            return Prepared(outputChannels: c2) { rng in
                .layer(C3(c1, c2, n: n, shortcut: shortcut, activation: activation, using: &rng))
            }
        }
    }

    /// `BottleneckCSP(c2, shortcut)` with `number` bottlenecks.
    static var bottleneckCSP: ModuleBuilder {
        ModuleBuilder(repeatsInside: true) { row in
            let c2 = try row.outChannels()
            let shortcut = try row.boolArg(1, default: true)
            let (c1, n, activation, inner) = (row.c1, row.repeats, row.activation, row.cspActivation)
            return Prepared(outputChannels: c2) { rng in
                .layer(BottleneckCSP(c1, c2, n: n, shortcut: shortcut, activation: activation, innerActivation: inner, using: &rng))
            }
        }
    }

    /// `SPP(c2, [k…])`, kernels 5, 9, 13 by default.
    static var spp: ModuleBuilder {
        ModuleBuilder { row in
            let c2 = try row.outChannels()
            var kernels = [5, 9, 13]
            if row.args.count > 1 {
                guard case .list(let list) = row.args[1] else { throw row.fail("SPP kernels must be a list") }
                kernels = try list.map {
                    guard case .int(let k) = $0, k > 0, k % 2 == 1 else { throw row.fail("SPP kernels must be odd integers") }
                    return k
                }
            }
            let (c1, activation) = (row.c1, row.activation)
            return Prepared(outputChannels: c2) { [kernels] rng in
                .layer(SPP(c1, c2, kernels: kernels, activation: activation, using: &rng))
            }
        }
    }

    /// `SPPF(c2, k)`, k 5 by default.
    static var sppf: ModuleBuilder {
        ModuleBuilder { row in
            let c2 = try row.outChannels()
            let k = try row.positive(row.intArg(1, default: 5), "kernel")
            guard k % 2 == 1 else { throw row.fail("the SPPF kernel must be odd, found \(k)") }
            let (c1, activation) = (row.c1, row.activation)
            return Prepared(outputChannels: c2) { rng in .layer(SPPF(c1, c2, kernel: k, activation: activation, using: &rng)) }
        }
    }

    /// `nn.Upsample(None, factor, 'nearest')`.
    static var upsample: ModuleBuilder {
        ModuleBuilder { row in
            let factor = try row.positive(row.intArg(1, default: 2), "scale factor")
            if row.args.count > 2, row.args[2] != .string("nearest") {
                throw row.fail("only mode 'nearest' is supported, found \(row.args[2])")
            }
            return Prepared(outputChannels: row.c1) { _ in .layer(Upsample(factor: factor)) }
        }
    }

    /// `Concat(1)`: output channels are the sum of the inputs'.
    static var concat: ModuleBuilder {
        ModuleBuilder(readsSeveralInputs: true) { row in
            if let dimension = row.args.first, dimension != .int(1) { throw row.fail("Concat is supported along channels (1) only") }
            return Prepared(outputChannels: row.inputChannels.reduce(0, +)) { _ in .concat(Concat()) }
        }
    }

    /// `Detect(nc, anchors)`: one earlier row per anchor level, each through a 1×1 convolution
    /// to na·(nc + 5) channels; the class count is the model's, the anchors the spec's.
    static var detect: ModuleBuilder {
        ModuleBuilder(readsSeveralInputs: true) { row in
            guard row.row.fromIsList, row.from.allSatisfy({ $0 >= 0 }) else { throw row.fail("Detect needs a list of input layers") }
            guard row.from.count == row.spec.anchors.count else {
                throw row.fail("Detect reads \(row.from.count) layers but anchors has \(row.spec.anchors.count) levels")
            }
            let (nc, anchors, inputChannels) = (row.classCount, row.spec.anchors, row.inputChannels)
            return Prepared(outputChannels: row.outputsPerAnchor) { rng in
                .detect(Detect(classCount: nc, anchors: anchors, inputChannels: inputChannels, using: &rng))
            }
        }
    }
}
