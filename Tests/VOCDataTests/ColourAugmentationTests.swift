import Foundation
import NeuralCore
import Testing
@testable import VOCData

@Suite struct ColourAugmentationTests {
    /// Values `cv2.cvtColor(…, COLOR_RGB2HSV)` gives for 8-bit pixels (H in [0, 180)).
    @Test(arguments: [
        ((255, 0, 0), (0, 255, 255)), ((0, 255, 0), (60, 255, 255)), ((0, 0, 255), (120, 255, 255)),
        ((128, 128, 128), (0, 0, 128)), ((255, 255, 0), (30, 255, 255)), ((100, 50, 25), (10, 191, 100)),
    ] as [((UInt8, UInt8, UInt8), (UInt8, UInt8, UInt8))])
    func rgbToHSVMatchesOpenCV(rgb: (UInt8, UInt8, UInt8), hsv: (UInt8, UInt8, UInt8)) {
        let out = HSVAugment.rgbToHSV(rgb.0, rgb.1, rgb.2)
        #expect(out.h == hsv.0 && out.s == hsv.1 && out.v == hsv.2, "\(rgb) → \(out)")
    }

    @Test func unitGainsKeepTheImageAndGainsActOnTheirChannel() {
        var rng = SeededGenerator(seed: 3)
        let pixels = (0..<(32 * 32 * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var image = RGBImage(width: 32, height: 32, pixels: pixels)
        HSVAugment.apply(&image, gains: (1, 1, 1))
        let diffs = zip(image.pixels, pixels).map { abs(Int($0) - Int($1)) }
        // 8-bit HSV quantises hue to 2°: saturated colours move by a few levels, as in OpenCV.
        #expect(diffs.max()! <= 8)
        #expect(Double(diffs.reduce(0, +)) / Double(diffs.count) < 1.5)

        var grey = RGBImage(width: 2, height: 2, fill: 200)
        HSVAugment.apply(&grey, gains: (1, 1, 0.5))
        #expect(grey.pixels.allSatisfy { $0 == 100 }, "value gain 0.5 halves a grey")

        var green = RGBImage(width: 1, height: 1, pixels: [0, 255, 0])
        HSVAugment.apply(&green, gains: (1.5, 1, 1))
        #expect(green.pixels == [0, 255, 255], "hue 60 × 1.5 = 90 is cyan")

        var red = RGBImage(width: 1, height: 1, pixels: [255, 0, 0])
        HSVAugment.apply(&red, gains: (1, 0, 1))
        #expect(red.pixels == [255, 255, 255], "no saturation leaves the value")
    }

    @Test func hsvGainsAreDrawnWithinTheirRange() {
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<200 {
            let g = HSVAugment.randomGains(.scratchLow, using: &rng)
            #expect(abs(g.h - 1) <= 0.015 && abs(g.s - 1) <= 0.7 && abs(g.v - 1) <= 0.4)
        }
    }

    @Test func mixupBlendsAndItsRatioIsBeta32() {
        let a = RGBImage(width: 2, height: 1, pixels: [200, 100, 0, 255, 255, 255])
        let b = RGBImage(width: 2, height: 1, pixels: [0, 100, 200, 0, 0, 0])
        #expect(MixUp.blend(a, b, ratio: 0.25).pixels == [50, 100, 150, 63, 63, 63], "uint8 truncation")
        var rng = SeededGenerator(seed: 5)
        let draws = (0..<4000).map { _ in Double(MixUp.randomRatio(using: &rng)) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)
        // Beta(32, 32): mean 0.5, variance 1/(4·65) = 0.003846; 4000 draws pin both within a few %.
        #expect(abs(mean - 0.5) < 0.005)
        #expect(abs(variance - 1.0 / 260) < 0.0005)
    }

    @Test func resizeMatchesOpenCVOnSimpleCases() {
        // Doubling a 2-pixel row with INTER_LINEAR: OpenCV gives 10, 12.5→13, 17.5→18, 20 (ties round up here).
        let row = RGBImage(width: 2, height: 1, pixels: [10, 10, 10, 20, 20, 20])
        let up = ImageResize.resize(row, width: 4, height: 1, method: .linear)
        #expect(stride(from: 0, to: 12, by: 3).map { up.pixels[$0] } == [10, 13, 18, 20])
        // INTER_AREA halving averages 2 × 2 blocks.
        let block = RGBImage(width: 2, height: 2, pixels: [0, 0, 0, 100, 100, 100, 50, 50, 50, 250, 250, 250])
        #expect(ImageResize.resize(block, width: 1, height: 1, method: .area).pixels == [100, 100, 100])
    }
}
