import Foundation
import NeuralCore

/// YOLOv5 `Detect(nc, anchors, ch)` (models/yolo.py): one 1×1 Conv2d with bias per level,
/// ch_i → na·(nc + 5).
///
/// Raw outputs stay in the convolution's layout [N, na·no, ny, nx]: channel a·no + k holds
/// anchor a, field k (0-3 box, 4 objectness, 5+ classes). PyTorch's training output
/// (bs, na, ny, nx, no) is a view + permute of exactly this. The graph's last node: one input
/// and one output per level, the model's outputs.
public final class Detect: Module {
    public let classCount: Int
    public let anchorsPerLevel: Int
    /// Outputs per anchor: nc + 5.
    public var outputsPerAnchor: Int { classCount + 5 }
    /// The per-level convolutions (`m.0`, `m.1`, `m.2`).
    public let convolutions: [Conv2d]
    /// `m`, the nn.ModuleList holding them.
    let m: ModuleList
    /// Anchors in grid units (pixels / stride), [levels, na, 2]: PyTorch's `anchors` buffer.
    public let anchors: Tensor
    /// Strides of the levels (8, 16, 32 for P3-P5), set by the builder.
    public internal(set) var strides: [Float]
    /// Anchors in pixels as given by the model YAML, [levels][na·2].
    let anchorPixels: [[Double]]

    init<R: RandomNumberGenerator>(classCount: Int, anchors anchorPixels: [[Double]], inputChannels: [Int], using rng: inout R) {
        self.classCount = classCount
        self.anchorPixels = anchorPixels
        anchorsPerLevel = anchorPixels[0].count / 2
        let outputs = anchorsPerLevel * (classCount + 5)
        convolutions = inputChannels.map {
            Conv2d(inChannels: $0, outChannels: outputs, kernelSize: 1, bias: true, using: &rng)
        }
        m = ModuleList(convolutions)
        anchors = Tensor(shape: [anchorPixels.count, anchorsPerLevel, 2])
        strides = []
    }

    public var levels: Int { convolutions.count }

    /// `m`, whose convolutions PyTorch names `m.{i}.weight`, `m.{i}.bias`.
    public var children: [(String, any Module)] { [("m", m)] }

    /// `anchors`, Detect's own buffer (in `state_dict()` before its children's entries).
    public var ownBuffers: [(String, Tensor)] { [("anchors", anchors)] }

    /// Sets strides, stores the anchors in grid units (reversing their order first if it
    /// disagrees with the strides, as `check_anchor_order` does), and adds YOLOv5's bias
    /// prior (`_initialize_biases`, v7 constants).
    func configure(strides: [Float], initializeBiases: Bool) {
        self.strides = strides
        var levelsPixels = anchorPixels
        let areas = levelsPixels.map { level in stride(from: 0, to: level.count, by: 2).map { level[$0] * level[$0 + 1] }.reduce(0, +) }
        if let first = areas.first, let last = areas.last, let s0 = strides.first, let s1 = strides.last,
           (last - first).sign != (Double(s1 - s0)).sign, last != first {
            levelsPixels.reverse()
        }
        for (level, values) in levelsPixels.enumerated() {
            for i in 0..<values.count { anchors.data[level * values.count + i] = Float(values[i] / Double(strides[level])) }
        }
        guard initializeBiases else { return }
        let no = outputsPerAnchor
        for (level, conv) in convolutions.enumerated() {
            let bias = conv.bias!.value.data
            let s = Double(strides[level])
            for a in 0..<anchorsPerLevel {
                // obj: 8 objects per 640 image; cls: 0.6 / (nc − 0.99999) (v7 `_initialize_biases`).
                bias[a * no + 4] += Float(log(8 / pow(640 / s, 2)))
                for c in 0..<classCount { bias[a * no + 5 + c] += Float(log(0.6 / (Double(classCount) - 0.99999))) }
            }
        }
    }

    /// Raw outputs [N, na·no, ny, nx] per level.
    public func forward(_ inputs: [Tensor], _ mode: ForwardMode) -> [Tensor] {
        precondition(inputs.count == convolutions.count, "Detect.forward: \(inputs.count) inputs for \(convolutions.count) levels")
        return zip(convolutions, inputs).map { $0.forward($1, mode) }
    }

    /// Adds parameter gradients; returns dL/d(input) for the levels that ask for it.
    public func backward(_ dOutputs: [Tensor], needsInputGradient: [Bool]) -> [Tensor?] {
        precondition(dOutputs.count == convolutions.count && needsInputGradient.count == convolutions.count,
                     "Detect.backward: \(dOutputs.count) gradients for \(convolutions.count) levels")
        return convolutions.indices.map { convolutions[$0].backward(dOutputs[$0], needsInputGradient: needsInputGradient[$0]) }
    }
}
