import NeuralCore

/// A node of the layer graph: row i of the model YAML as a built module.
struct GraphNode {
    /// How the node computes; what it owns is `module`, the same for every kind.
    enum Operation {
        /// One input, one output (Conv, C3, SPPF, nn.Upsample, …).
        case layer(any Layer)
        /// Several inputs joined along channels into one output.
        case concat(Concat)
        /// One input and one output per level: the graph's last node, whose outputs are the model's.
        case detect(Detect)
    }

    let index: Int
    /// Absolute indices of the inputs; -1 only for node 0, meaning the image.
    let from: [Int]
    let operation: Operation
    /// Channels of the output (of each level's output for Detect).
    let outputChannels: Int
    /// The YAML module name (`Conv`, `C3`, `nn.Upsample`, `Detect`, …) and its resolved repeats.
    let moduleName: String
    let repeats: Int

    /// The node as PyTorch's module `model.{index}`: its parameters, buffers and submodules.
    var module: any Module {
        switch operation {
        case .layer(let layer): layer
        case .concat(let concat): concat
        case .detect(let detect): detect
        }
    }

    /// `model.{index}.`, the start of every name under this node.
    var prefix: String { "model.\(index)." }
}
