import NeuralCore

extension YOLOv5Model {
    /// Every Conv block of the graph (Detect's convolutions have no BatchNorm), in graph order.
    var convBlocks: [Conv] {
        nodes.flatMap { $0.module.descendants().compactMap { $0 as? Conv } }
    }

    /// Folds the BatchNorm of every Conv block that is frozen as a whole (convolution weight, γ
    /// and β) into its convolution, so that its forward is one convolution with bias and the
    /// activation, with the running statistics fixed: Detectron2's FrozenBatchNorm2d, the
    /// mechanism behind `bn: frozen-bn`. Call after `applyFreeze`; returns how many it folded.
    @discardableResult
    public func foldFrozenBatchNorms() -> Int {
        var count = 0
        for block in convBlocks
        where !block.conv.weight.isTrainable && !block.bn.weight.isTrainable && !block.bn.bias.isTrainable {
            block.foldBatchNorm()
            count += 1
        }
        return count
    }

    /// How many Conv blocks run folded now.
    public var foldedBatchNormCount: Int { convBlocks.filter(\.isBatchNormFolded).count }

    /// Undoes `foldFrozenBatchNorms` (before unfreezing a folded block).
    public func unfoldBatchNorms() {
        for block in convBlocks { block.unfoldBatchNorm() }
    }
}
