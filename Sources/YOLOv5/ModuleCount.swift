import NeuralCore

/// Modules YOLOv5 registers in a block that hold no parameters or buffers and so are not
/// children here (max pools, an activation fused into a BatchNorm, the lists around them).
protocol StatelessSubmodules {
    /// How many of them `model.modules()` lists for this block.
    var statelessModuleCount: Int { get }
}

extension SPP: StatelessSubmodules {
    /// `m`, an nn.ModuleList with one MaxPool2d per kernel.
    var statelessModuleCount: Int { 1 + pools.count }
}

extension SPPF: StatelessSubmodules {
    /// `m`, one MaxPool2d that PyTorch applies three times.
    var statelessModuleCount: Int { 1 }
}

extension BottleneckCSP: StatelessSubmodules {
    /// `act`, fused into `bn` here.
    var statelessModuleCount: Int { 1 }
}

extension YOLOv5Model {
    /// What YOLOv5's model summary calls "layers": `len(list(model.modules()))`, the unique
    /// modules, counted over the built tree.
    public var moduleCount: Int {
        let layers = nodes.flatMap { node -> [any Layer] in
            guard case .layer(let layer) = node.operation else { return [] }
            return layer.descendants()
        }
        let concats = nodes.filter { node in
            if case .concat = node.operation { return true }
            return false
        }.count
        let blocks = layers.map { 1 + (($0 as? StatelessSubmodules)?.statelessModuleCount ?? 0) }.reduce(0, +)
        // Every Conv block shares one activation module (`Conv.default_act`): counted once.
        let sharedActivation = layers.contains { $0 is Conv } ? 1 : 0
        let detectModules = 2 + detect.levels  // Detect, its nn.ModuleList `m`, a Conv2d per level
        let model = 2  // DetectionModel and its nn.Sequential `model`
        return model + blocks + concats + sharedActivation + detectModules
    }
}
