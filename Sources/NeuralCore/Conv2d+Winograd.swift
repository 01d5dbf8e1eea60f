/// The Winograd passes of `Conv2d` (3×3, stride 1, padding 1; see `WinogradConvolution`).
extension Conv2d {
    func winogradForward(_ x: Tensor, tile: WinogradTile) -> Tensor {
        let winograd = WinogradConvolution(x, outputChannels: outChannels, tile: tile)
        let y = Tensor(uninitializedShape: [x.n, outChannels, x.h, x.w])
        winograd.forward(winograd.transformedWeights(weight.value), into: y)
        return y
    }

    func winogradBackward(_ x: Tensor, _ dy: Tensor, tile: WinogradTile, weightGradient dWeight: Tensor?, needsInputGradient: Bool) -> Tensor? {
        let winograd = WinogradConvolution(x, outputChannels: outChannels, tile: tile)
        let dx = needsInputGradient ? Tensor(uninitializedShape: x.shape) : nil
        winograd.backward(dy, weights: dx == nil ? nil : winograd.transformedWeights(weight.value), weightGradient: dWeight, inputGradient: dx)
        return dx
    }
}
