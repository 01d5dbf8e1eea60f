import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

@Suite struct TrainingFLOPsTests {
    /// Three Conv blocks and a one-level Detect at 32 px, every convolution counted by hand
    /// (2 FLOPs per multiply-add, K·OH·OW·C·k² multiply-adds per pass):
    ///   0: Conv 3→8, 3×3 s2, 32→16 px:   8·16·16·3·9 = 55,296 → 110,592
    ///   1: Conv 8→16, 3×3 s2, 16→8 px:   16·8·8·8·9  = 73,728 → 147,456
    ///   2: Conv 16→16, 1×1, 8 px:        16·8·8·16   = 16,384 →  32,768
    ///   3: Detect 16→3·(2+5) = 21, 1×1:  21·8·8·16   = 21,504 →  43,008
    static let yaml = """
        nc: 2
        depth_multiple: 1.0
        width_multiple: 1.0
        anchors:
          - [10,13, 16,30, 33,23]
        backbone:
          [[-1, 1, Conv, [8, 3, 2]],
           [-1, 1, Conv, [16, 3, 2]],
          ]
        head:
          [[-1, 1, Conv, [16, 1, 1]],
           [[2], 1, Detect, [nc, anchors]],
          ]
        """
    static let perLayer: [Double] = [110_592, 147_456, 32_768, 43_008]

    func tinyModel(freezing count: Int) throws -> YOLOv5Model {
        let model = try YOLOv5Model(spec: ModelSpec(yaml: Self.yaml), seed: 3)
        try model.applyFreeze(count == 0 ? .nothing : FreezeSpec(firstLayers: count))
        return model
    }

    @Test func everyPassOfATinyModelIsCountedByHand() throws {
        let flops = try tinyModel(freezing: 0).trainingFLOPs(imageSize: 32)
        let all = Self.perLayer.reduce(0, +)
        #expect(flops.forward == all)
        #expect(flops.weightGradient == all, "every weight trains")
        #expect(flops.inputGradient == all - Self.perLayer[0], "no gradient for the image")
        #expect(flops.total == 3 * all - Self.perLayer[0])
    }

    /// Freezing layer i removes its weight gradient, and the input gradient of the first
    /// convolution after the frozen prefix (nothing upstream of it trains); forward stays.
    @Test(arguments: 0...3)
    func freezingRemovesExactlyItsTerms(_ frozen: Int) throws {
        let flops = try tinyModel(freezing: frozen).trainingFLOPs(imageSize: 32)
        let layers = Self.perLayer
        #expect(flops.forward == layers.reduce(0, +), "a frozen prefix still runs forward")
        #expect(flops.weightGradient == layers[frozen...].reduce(0, +), "weight gradients of layers \(frozen)... only")
        // Input gradients: every layer after the first trainable one.
        #expect(flops.inputGradient == layers[(frozen + 1)...].reduce(0, +), "input gradients of layers \(frozen + 1)... only")
    }

    @Test func theModelsOwnGradientsAndStatisticsAreLeftAlone() throws {
        let model = try tinyModel(freezing: 1)
        let before = model.stateDict().map(\.1.values)
        _ = try model.trainingFLOPs(imageSize: 32)
        #expect(model.stateDict().map(\.1.values) == before)
        #expect(model.namedParameters().allSatisfy { $0.1.grad == nil })
        #expect(KernelProfile.current == nil, "the profile is removed afterwards")
    }

    /// yolov5n at 160 px (nc 20): printed for the cost accounting; freezing never changes forward.
    @Test func yolov5nFiguresUnderTheGuidesFreezes() throws {
        var previous: TrainingFLOPs?
        for count in [0, 10, 24] {
            let model = try YOLOv5Model(spec: projectModel("yolov5n"), classCount: 20)
            try model.applyFreeze(count == 0 ? .nothing : FreezeSpec(firstLayers: count))
            let flops = try model.trainingFLOPs(imageSize: 160)
            print("yolov5n 160 px freeze \(count): \(flops)")
            if let previous {
                #expect(flops.forward == previous.forward && flops.backward < previous.backward)
            }
            previous = flops
        }
    }
}
