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
        let modules = nodes.flatMap { $0.module.descendants() }
        let counted = modules.map { 1 + (($0 as? StatelessSubmodules)?.statelessModuleCount ?? 0) }.reduce(0, +)
        // Every Conv block shares one activation module (`Conv.default_act`): counted once.
        let sharedActivation = modules.contains { $0 is Conv } ? 1 : 0
        let model = 2  // DetectionModel and its nn.Sequential `model`
        return model + counted + sharedActivation
    }
}
