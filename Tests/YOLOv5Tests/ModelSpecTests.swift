import ConfigFile
import Foundation
import TestSupport
import Testing
@testable import YOLOv5

@Suite struct ModelSpecTests {
    static let header = """
        nc: 4
        depth_multiple: 0.33
        width_multiple: 0.25
        anchors:
          - [10,13, 16,30, 33,23]
        backbone:
          [[-1, 1, Conv, [64, 6, 2, 2]],

        """

    func error(_ yaml: String) -> ConfigError? {
        do {
            let spec = try ModelSpec(yaml: yaml, file: "bad.yaml")
            _ = try YOLOv5Model(spec: spec)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func unknownModuleNamesTheRow() throws {
        let e = try #require(error(Self.header + "   [-1, 1, Transformer, [64]],\n  ]\nhead:\n  [[[1], 1, Detect, [nc, anchors]]]\n"))
        #expect(e.line == 8 && e.field == "row 1 (Transformer)" && e.reason.contains("unknown module 'Transformer'"), "\(e)")
    }

    @Test func malformedRowNamesItsLine() throws {
        let e = try #require(error(Self.header + "   [-1, 1, Conv],\n  ]\nhead:\n  [[[1], 1, Detect, [nc, anchors]]]\n"))
        #expect(e.line == 8 && e.reason.contains("[from, number, module, args]"), "\(e)")
    }

    @Test func badFromAndMissingKeysAreErrors() throws {
        let badFrom = try #require(error(Self.header + "   [5, 1, Conv, [64, 3, 2]],\n  ]\nhead:\n  [[[1], 1, Detect, [nc, anchors]]]\n"))
        #expect(badFrom.reason.contains("'from' 5"), "\(badFrom)")
        let missing = try #require(error("nc: 3\ndepth_multiple: 1\nanchors: [[1,2]]\nbackbone: []\nhead: []\n"))
        #expect(missing.reason.contains("width_multiple"), "\(missing)")
        let unknownKey = try #require(error("nc: 3\nwidth: 2\n"))
        #expect(unknownKey.line == 2 && unknownKey.reason.contains("unknown key 'width'"), "\(unknownKey)")
        let syntax = try #require(error("nc: [3\n"))
        #expect(syntax.reason.contains("not valid YAML"), "\(syntax)")
    }

    @Test func impossibleModuleArgumentsAreErrorsNotCrashes() throws {
        let zeroKernel = try #require(error(Self.header.replacingOccurrences(of: "[64, 6, 2, 2]", with: "[64, 0, 2, 2]")
            + "  ]\nhead:\n  [[[0], 1, Detect, [nc, anchors]]]\n"))
        #expect(zeroKernel.reason.contains("kernel must be positive"), "\(zeroKernel)")
        let negativePadding = try #require(error(Self.header.replacingOccurrences(of: "[64, 6, 2, 2]", with: "[64, 6, 2, -1]")
            + "  ]\nhead:\n  [[[0], 1, Detect, [nc, anchors]]]\n"))
        #expect(negativePadding.reason.contains("padding must not be negative"), "\(negativePadding)")
        let noChannels = try #require(error(Self.header.replacingOccurrences(of: "[64, 6, 2, 2]", with: "[0, 6, 2, 2]")
            + "  ]\nhead:\n  [[[0], 1, Detect, [nc, anchors]]]\n"))
        #expect(noChannels.reason.contains("positive output channel count"), "\(noChannels)")
    }

    @Test func yoloV5RoundingRules() {
        #expect(ModelBuilder.makeDivisible(64 * 0.25) == 16)
        #expect(ModelBuilder.makeDivisible(1024 * 0.75) == 768)
        #expect(ModelBuilder.makeDivisible(100 * 0.33) == 40, "channels round up to a multiple of 8")
        #expect(ModelBuilder.scaledRepeats(9, 0.33) == 3 && ModelBuilder.scaledRepeats(3, 0.67) == 2)
        #expect(ModelBuilder.scaledRepeats(1, 0.33) == 1 && ModelBuilder.scaledRepeats(3, 0.1) == 1)
        #expect(ModelBuilder.scaledRepeats(5, 0.5) == 2, "Python's round: 2.5 → 2 (half to even)")
    }

    @Test func activationsFromTheYAML() throws {
        let v3 = try projectModel("yolov5s-v3-bcsp")
        #expect(v3.activation == .hardswish && v3.cspActivation == .leakyReLU(0.1))
        let own = try ModelSpec(contentsOf: Fixtures.url("yolov5s-v3-bcsp.yaml"))
        #expect(own.activation == nil && own.cspActivation == nil, "YOLOv5's file as it is: v7 builds it with SiLU")
    }
}
