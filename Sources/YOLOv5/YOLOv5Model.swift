import Foundation
import NeuralCore

/// A YOLOv5 detection model built from a model YAML (`DetectionModel` in models/yolo.py):
/// the layer graph, its PyTorch names, forward and backward, and freezing.
///
/// `forward` returns the raw Detect outputs, one [N, na·no, ny, nx] tensor per level, and keeps
/// a node's output only until its last reader has run (YOLOv5's `save` list). `backward`
/// walks the graph in reverse, stopping where nothing upstream trains.
public final class YOLOv5Model {
    public let spec: ModelSpec
    public let classCount: Int
    /// The graph's nodes, one per YAML row; the last is Detect.
    let nodes: [GraphNode]
    /// The last node's Detect, whose anchors and strides the loss and the decoder read.
    public let detect: Detect
    /// Where each node's output is last read (-1: never, as the model's outputs, Detect's).
    let lastReader: [Int]
    /// What the last recorded forward decided about backward, per node.
    var planForBackward: BackwardPlan?
    /// Each node's parameters, for deciding per forward where backward stops.
    let nodeParameters: [[Parameter]]

    /// Builds the model with PyTorch's default initialisation, YOLOv5's Detect bias prior, and
    /// the BatchNorm running statistics a freshly built PyTorch model has (see `markAsFreshlyBuilt`).
    public init<R: RandomNumberGenerator>(spec: ModelSpec, classCount: Int? = nil, using rng: inout R) throws {
        self.spec = spec
        self.classCount = classCount ?? spec.classCount
        nodes = try ModelBuilder.build(spec, classCount: self.classCount, using: &rng)
        guard case .detect(let head) = nodes.last?.operation else { preconditionFailure("ModelBuilder ends every graph with Detect") }
        detect = head
        var last = [Int](repeating: -1, count: nodes.count)
        for node in nodes { for f in node.from where f >= 0 { last[f] = max(last[f], node.index) } }
        lastReader = last
        nodeParameters = nodes.map { $0.module.namedParameters().map(\.1) }
        detect.configure(strides: computeStrides(), initializeBiases: true)
        markAsFreshlyBuilt()
    }

    /// A model with a fixed seed (tests, `freeze-study layers`).
    public convenience init(spec: ModelSpec, classCount: Int? = nil, seed: UInt64 = 0) throws {
        var rng = SeededGenerator(seed: seed)
        try self.init(spec: spec, classCount: classCount, using: &rng)
    }

    /// Strides from a forward pass of a zero image: input size / output rows per level. YOLOv5
    /// probes at 256²; 128² gives the same strides (up to 64) for a sixteenth of the work.
    private func computeStrides() -> [Float] {
        let size = 128
        let outputs = forward(Tensor(shape: [1, 3, size, size]), ForwardMode.inference)
        return outputs.map { Float(size) / Float($0.h) }
    }

    /// PyTorch's build runs that stride forward in training mode while BN momentum is still 0.1,
    /// on a zero image whose activations are all 0: every BN ends with running_mean 0 and
    /// running_var 0.9 (fixtures README, "surprises" 2). A fresh FreezeStudy model matches.
    private func markAsFreshlyBuilt() {
        for bn in batchNorms { bn.runningVariance.fill(0.9) }
    }

    // MARK: Names

    /// Parameters named and ordered as PyTorch's `named_parameters()`.
    public func namedParameters() -> [(String, Parameter)] {
        nodes.flatMap { $0.module.namedParameters(prefix: $0.prefix) }
    }

    /// Parameters and buffers in `state_dict()` order (without `num_batches_tracked`).
    public func stateDict() -> [(String, Tensor)] {
        nodes.flatMap { $0.module.stateEntries(prefix: $0.prefix) }
    }

    /// Every BatchNorm2d, in graph order, with its PyTorch name (without a trailing dot).
    public var namedBatchNorms: [(String, BatchNorm2d)] {
        func collect(_ module: any Module, _ prefix: String) -> [(String, BatchNorm2d)] {
            var found: [(String, BatchNorm2d)] = []
            if let bn = module as? BatchNorm2d { found.append((String(prefix.dropLast()), bn)) }
            for (name, child) in module.children { found += collect(child, prefix + name + ".") }
            return found
        }
        return nodes.flatMap { collect($0.module, $0.prefix) }
    }

    var batchNorms: [BatchNorm2d] { namedBatchNorms.map(\.1) }

    /// The graph's nodes, Detect included: 25 for every YOLOv5 config here.
    public var layerCount: Int { nodes.count }

    /// Total number of parameter elements.
    public var parameterCount: Int { namedParameters().map(\.1.count).reduce(0, +) }
}
