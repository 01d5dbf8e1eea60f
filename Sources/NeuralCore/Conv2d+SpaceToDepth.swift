/// A stride-2 convolution with an even kernel k and even padding p is space-to-depth (YOLOv5's
/// Focus slicing: [N, C, H, W] → [N, 4C, H/2, W/2]) followed by a stride-1 convolution with
/// kernel k/2 and padding p/2, whose weights are ours rearranged:
/// W'[o, b·C + c, i, j] = W[o, c, 2i + rb, 2j + cb], (rb, cb) the row and column parity of block b.
///
/// YOLOv5's first layer since v6.0, `Conv(3, 16, 6, 2, 2)`, is one (it replaced Focus, which is
/// the same thing); its stride-1 form is a 3×3 convolution that runs by Winograd, instead of a
/// 6×6 im2col that copies every input pixel nine times.
extension Conv2d {
    /// Whether this convolution runs as space-to-depth + a stride-1 convolution for `x`.
    func spaceToDepthApplies(to x: Tensor) -> Bool {
        algorithm == .automatic && stride == 2 && kernelHeight == kernelWidth && kernelHeight % 2 == 0
            && padding % 2 == 0 && x.h % 2 == 0 && x.w % 2 == 0
    }

    /// The stride-1 convolution, weights rearranged from ours.
    private func phaseConvolution() -> Conv2d {
        let phased = Conv2d(inChannels: 4 * inChannels, outChannels: outChannels, kernelSize: kernelHeight / 2,
                            padding: padding / 2, weight: Tensor(uninitializedShape: [outChannels, 4 * inChannels, kernelHeight / 2, kernelWidth / 2]))
        forEachTap { source, target in phased.weight.value.data[target] = weight.value.data[source] }
        return phased
    }

    /// Calls `body(index in W, index in W')` for every weight.
    private func forEachTap(_ body: (Int, Int) -> Void) {
        let (c, k, half) = (inChannels, kernelHeight, kernelHeight / 2)
        for o in 0..<outChannels {
            for block in 0..<4 {
                let (rowParity, columnParity) = SpaceToDepth.offsets(block)
                for ci in 0..<c {
                    for i in 0..<half {
                        for j in 0..<half {
                            let source = ((o * c + ci) * k + 2 * i + rowParity) * k + 2 * j + columnParity
                            let target = ((o * 4 * c + block * c + ci) * half + i) * half + j
                            body(source, target)
                        }
                    }
                }
            }
        }
    }

    func spaceToDepthForward(_ x: Tensor) -> Tensor {
        phaseConvolution().forward(SpaceToDepth().forward(x, .inference), .inference)
    }

    /// The phases are computed again from x (a cheap copy) rather than kept from forward.
    func spaceToDepthBackward(_ x: Tensor, _ dy: Tensor, weightGradient dWeight: Tensor?, needsInputGradient: Bool) -> Tensor? {
        let phased = phaseConvolution()
        phased.weight.isTrainable = dWeight != nil
        let slicing = SpaceToDepth()
        phased.forwardRecordingOnly(slicing.forward(x, .train))
        let dPhases = phased.backward(dy, needsInputGradient: needsInputGradient)
        if let dWeight, let dPhased = phased.weight.grad {
            forEachTap { source, target in dWeight.data[source] += dPhased.data[target] }
        }
        return dPhases.map { slicing.backward($0, needsInputGradient: true)! }
    }
}
