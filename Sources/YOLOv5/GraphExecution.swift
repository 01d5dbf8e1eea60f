import NeuralCore

/// Which nodes record for backward and which need an input gradient, derived from which
/// parameters train (darknet's `stopbackward`, computed rather than configured).
struct BackwardPlan {
    /// Node i has a trainable parameter at or upstream of it.
    let trainsAtOrAbove: [Bool]
    /// Some input of node i has something trainable upstream.
    let needsInputGradient: [Bool]
}

extension YOLOv5Model {
    /// Computes the backward plan from the parameters' current `isTrainable` flags.
    func makeBackwardPlan() -> BackwardPlan {
        var trains = [Bool](repeating: false, count: nodes.count)
        var needsInput = [Bool](repeating: false, count: nodes.count)
        for node in nodes {
            let own = nodeParameters[node.index].contains { $0.isTrainable }
            needsInput[node.index] = node.from.contains { $0 >= 0 && trains[$0] }
            trains[node.index] = own || needsInput[node.index]
        }
        return BackwardPlan(trainsAtOrAbove: trains, needsInputGradient: needsInput)
    }

    /// Runs the graph on images [N, 3, H, W] (H, W multiples of the largest stride).
    ///
    /// `training` selects BatchNorm's batch statistics (PyTorch `model.train()`);
    /// `recordsForBackward` asks every node that has something trainable at or upstream of it
    /// to keep what backward reads. Nodes upstream of the first trainable one record nothing.
    public func forward(_ images: Tensor, training: Bool, recordsForBackward: Bool) -> [Tensor] {
        forward(images, ForwardMode(training: training, recordsForBackward: recordsForBackward))
    }

    func forward(_ images: Tensor, _ mode: ForwardMode) -> [Tensor] {
        images.requireNCHW("YOLOv5Model.forward")
        precondition(images.c == 3, "YOLOv5Model.forward: expected 3 channels, got \(images.shape)")
        let plan = mode.recordsForBackward ? makeBackwardPlan() : nil
        self.planForBackward = plan
        // Each node's outputs until their last reader has run: one tensor, one per level for Detect.
        var outputs = [[Tensor]?](repeating: nil, count: nodes.count)
        var concatenations = [[Tensor]?](repeating: nil, count: nodes.count)  // parts of a Concat read in place
        let inPlace = concatenationsReadInPlace
        for node in nodes {
            let nodeMode = ForwardMode(training: mode.training,
                                       recordsForBackward: plan?.trainsAtOrAbove[node.index] ?? false)
            // Only Detect, the last node, has several outputs, and nothing reads them.
            let inputs = node.from.map { $0 < 0 ? images : outputs[$0]?[0] }
            switch node.operation {
            case .concat where inPlace[node.index] != nil:
                concatenations[node.index] = inputs.map { $0! }  // its reader takes the parts
            case .concat(let concat):
                outputs[node.index] = [KernelProfile.timeNode(node.index, node.moduleName, backward: false) {
                    concat.forward(inputs.map { $0! }, nodeMode)
                }]
            case .layer(let layer):
                outputs[node.index] = [KernelProfile.timeNode(node.index, node.moduleName, backward: false) {
                    if let reader = layer as? ConcatenationReader, let parts = concatenations[node.from[0]] {
                        return reader.forward(concatenating: parts, nodeMode)
                    }
                    return layer.forward(inputs[0]!, nodeMode)
                }]
                if node.from[0] >= 0 { concatenations[node.from[0]] = nil }
            case .detect(let detect):
                outputs[node.index] = KernelProfile.timeNode(node.index, node.moduleName, backward: false) {
                    detect.forward(inputs.map { $0! }, nodeMode)
                }
            }
            // Free every output whose last reader was this node.
            for f in node.from where f >= 0 && lastReader[f] == node.index { outputs[f] = nil }
        }
        return outputs[nodes.count - 1]!  // the last node's, Detect's: one per level
    }

    /// Adds dL/dθ into every trainable parameter's gradient, given dL/d(raw outputs) per level.
    /// Must follow a forward with `recordsForBackward`.
    public func backward(_ dOutputs: [Tensor]) {
        guard let plan = planForBackward else { preconditionFailure("YOLOv5Model.backward without a recorded forward") }
        planForBackward = nil
        // dL/d(outputs) per node: given for the last node's, which are the model's outputs;
        // for every other node, its one output's, summed over its readers.
        var gradients = [[Tensor]?](repeating: nil, count: nodes.count)
        gradients[nodes.count - 1] = dOutputs
        func accumulate(_ g: Tensor?, into f: Int) {
            guard let g, f >= 0 else { return }
            if let existing = gradients[f]?[0] { existing.add(g) } else { gradients[f] = [g] }
        }
        let inPlace = concatenationsReadInPlace
        for node in nodes.reversed() where plan.trainsAtOrAbove[node.index] {
            guard let dy = gradients[node.index] else { continue }
            gradients[node.index] = nil
            let needsInput = plan.needsInputGradient[node.index]
            KernelProfile.timeNode(node.index, node.moduleName, backward: true) {
                switch node.operation {
                case .layer(let layer as ConcatenationReader) where node.from[0] >= 0 && inPlace[node.from[0]] == node.index:
                    // The parts' gradients go straight to the Concat's inputs.
                    let concatenation = nodes[node.from[0]]
                    let needs = concatenation.from.map { $0 >= 0 && plan.trainsAtOrAbove[$0] }
                    let parts = layer.backward(concatenated: dy[0], needsPartGradients: needs)
                    for (f, part) in zip(concatenation.from, parts) { accumulate(part, into: f) }
                case .layer(let layer):
                    accumulate(layer.backward(dy[0], needsInputGradient: needsInput), into: node.from[0])
                case .concat(let concat):
                    let parts = concat.backward(dy[0])
                    for (f, part) in zip(node.from, parts) where f >= 0 && plan.trainsAtOrAbove[f] { accumulate(part, into: f) }
                case .detect(let detect):
                    // Per level: an input gradient only where something upstream of that level's input trains.
                    let parts = detect.backward(dy, needsInputGradient: node.from.map { plan.trainsAtOrAbove[$0] })
                    for (f, part) in zip(node.from, parts) { accumulate(part, into: f) }
                }
            }
        }
    }
}

/// A layer that can read a channel concatenation part by part (its first operations are 1×1
/// convolutions), so that a Concat node feeding it is never built.
protocol ConcatenationReader: Layer {
    /// The output for the concatenation of `parts` along channels.
    func forward(concatenating parts: [Tensor], _ mode: ForwardMode) -> Tensor
    /// dL/d(part) for the parts that ask for it; adds parameter gradients.
    func backward(concatenated dy: Tensor, needsPartGradients: [Bool]) -> [Tensor?]
}

extension YOLOv5Model {
    /// Concat node → its only reader, for every Concat whose only reader takes parts
    /// (YOLOv5's head: each Concat feeds one C3).
    var concatenationsReadInPlace: [Int: Int] {
        var result: [Int: Int] = [:]
        for node in nodes {
            guard case .concat = node.operation else { continue }
            let readers = nodes.filter { $0.from.contains(node.index) }
            guard readers.count == 1, let reader = readers.first, reader.from == [node.index],
                  case .layer(let layer) = reader.operation, layer is ConcatenationReader else { continue }
            result[node.index] = reader.index
        }
        return result
    }
}
