import Foundation
import NeuralCore
import Testing
@testable import VOCData

/// Boxes must follow the pixels through every geometric augmentation: draw a solid rectangle,
/// transform image and box together, and compare the box with the rectangle's pixels.
@Suite struct AugmentationTests {
    static let red: (UInt8, UInt8, UInt8) = (230, 30, 30)
    static func isRed(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Bool { r > 150 && g < 100 && b < 100 }

    /// Expects `box` to match the pixel extent within `tolerance` px on every side.
    static func expectMatches(_ box: BoxXYXY, _ extent: BoxXYXY?, tolerance: Float,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        guard let extent else { Issue.record("no rectangle pixels left", sourceLocation: sourceLocation); return }
        let sides = [(box.x1, extent.x1), (box.y1, extent.y1), (box.x2, extent.x2), (box.y2, extent.y2)]
        #expect(sides.allSatisfy { abs($0.0 - $0.1) <= tolerance }, "box \(box) vs pixels \(extent)", sourceLocation: sourceLocation)
    }

    @Test func letterboxMovesBoxesWithPixels() {
        let image = makeImage(width: 80, height: 40, rectangles: [(10, 5, 30, 25, Self.red)])
        let boxed = Letterbox.apply(image, width: 64, height: 64, scaleUp: true)
        #expect(boxed.image.width == 64 && boxed.image.height == 64)
        #expect(boxed.ratio == 0.8 && boxed.padX == 0 && boxed.padY == 16)
        #expect(boxed.image[0, 0] == (114, 114, 114) && boxed.image[0, 63] == (114, 114, 114), "grey padding")
        let box = BoxXYXY(x1: 10, y1: 5, x2: 30, y2: 25).scaled(boxed.ratio, boxed.ratio, dx: boxed.padX, dy: boxed.padY)
        // Bilinear edges blur by under a pixel; a wrong pad or ratio moves the box by several.
        Self.expectMatches(box, pixelExtent(boxed.image, Self.isRed), tolerance: 1)
    }

    @Test func letterboxWithoutScaleUpOnlyPads() {
        let image = makeImage(width: 30, height: 20)
        let boxed = Letterbox.apply(image, width: 64, height: 64, scaleUp: false)
        #expect(boxed.ratio == 1 && boxed.padX == 17 && boxed.padY == 22)
        // YOLOv5 splits an odd pad as round(d/2 − 0.1) before and round(d/2 + 0.1) after.
        let odd = Letterbox.apply(makeImage(width: 31, height: 20), width: 64, height: 64, scaleUp: false)
        #expect(odd.padX == 16.5)
        #expect(odd.image[16, 30] == (60, 60, 60) && odd.image[15, 30] == (114, 114, 114))
    }

    @Test func flipsMoveBoxesWithPixels() {
        var image = makeImage(width: 50, height: 40, rectangles: [(5, 8, 20, 30, Self.red)])
        var labels = [LabeledBox(classIndex: 0, box: BoxXYXY(x1: 5, y1: 8, x2: 20, y2: 30))]
        Flip.leftRight(&image, &labels)
        #expect(labels[0].box == BoxXYXY(x1: 30, y1: 8, x2: 45, y2: 30))
        Self.expectMatches(labels[0].box, pixelExtent(image, Self.isRed), tolerance: 0)
        Flip.upDown(&image, &labels)
        #expect(labels[0].box == BoxXYXY(x1: 30, y1: 10, x2: 45, y2: 32))
        Self.expectMatches(labels[0].box, pixelExtent(image, Self.isRed), tolerance: 0)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func randomPerspectiveMovesBoxesWithPixels(seed: UInt64) {
        let image = makeImage(width: 96, height: 96, rectangles: [(30, 36, 62, 60, Self.red)])
        let labels = [LabeledBox(classIndex: 3, box: BoxXYXY(x1: 30, y1: 36, x2: 62, y2: 60))]
        let settings = AugmentationSettings(hsvH: 0, hsvS: 0, hsvV: 0, degrees: 15, translate: 0.1, scale: 0.3, shear: 5,
                                            perspective: 0, flipUD: 0, flipLR: 0, mosaic: 0, mixup: 0)
        var rng = SeededGenerator(seed: seed)
        let out = RandomPerspective.apply(image, labels: labels, border: 0, settings: settings, using: &rng)
        #expect(out.image.width == 96 && out.image.height == 96)
        #expect(out.labels.count == 1 && out.labels[0].classIndex == 3)
        // The box of the four transformed corners is the rotated rectangle's extent; thresholded
        // bilinear edges and OpenCV's pixel-centre convention differ from it by about a pixel.
        Self.expectMatches(out.labels[0].box, pixelExtent(out.image, Self.isRed), tolerance: 1.5)
    }

    @Test func perspectiveWarpAlsoMovesBoxes() {
        let image = makeImage(width: 96, height: 96, rectangles: [(30, 30, 66, 60, Self.red)])
        let m = Transform2D([1, 0.05, 2, 0.02, 1, -3, 0.0008, 0.0005, 1])
        let out = AffineWarp.warp(image, m, width: 96, height: 96)
        let moved = RandomPerspective.transform([LabeledBox(classIndex: 0, box: BoxXYXY(x1: 30, y1: 30, x2: 66, y2: 60))],
                                                by: m, scale: 1, width: 96, height: 96)
        Self.expectMatches(moved[0].box, pixelExtent(out, Self.isRed), tolerance: 1.5)
    }

    @Test func boxCandidateFilterMatchesYOLOv5() {
        let original = BoxXYXY(x1: 0, y1: 0, x2: 20, y2: 20)
        #expect(RandomPerspective.isCandidate(before: original, after: BoxXYXY(x1: 0, y1: 0, x2: 10, y2: 10)))
        #expect(!RandomPerspective.isCandidate(before: original, after: BoxXYXY(x1: 0, y1: 0, x2: 2, y2: 30)), "w ≤ 2 px")
        #expect(!RandomPerspective.isCandidate(before: original, after: BoxXYXY(x1: 0, y1: 0, x2: 6, y2: 6)), "area ratio 0.09")
        #expect(!RandomPerspective.isCandidate(before: BoxXYXY(x1: 0, y1: 0, x2: 400, y2: 3.5),
                                               after: BoxXYXY(x1: 0, y1: 0, x2: 400, y2: 3.5)), "aspect 114 is refused")
        #expect(RandomPerspective.isCandidate(before: BoxXYXY(x1: 0, y1: 0, x2: 200, y2: 4),
                                              after: BoxXYXY(x1: 0, y1: 0, x2: 200, y2: 4)), "aspect 50 is kept")
    }

    @Test func mosaicPlacesTilesAndBoxesTogether() {
        let colours: [(UInt8, UInt8, UInt8)] = [(230, 30, 30), (30, 230, 30), (30, 30, 230), (230, 230, 30)]
        let tiles = colours.enumerated().map { i, c -> (image: RGBImage, labels: [LabeledBox]) in
            let (w, h) = (40 + 8 * i, 48 - 4 * i)
            return (makeImage(width: w, height: h, rectangles: [(6, 4, w - 6, h - 10, c)]),
                    [LabeledBox(classIndex: i, box: BoxXYXY(x1: 6, y1: 4, x2: Float(w - 6), y2: Float(h - 10)))])
        }
        // A centre near the top-left corner crops the first tile: boxes are cropped with the pixels.
        for (xc, yc) in [(32, 32), (20, 70), (64, 64)] {
            let out = Mosaic.build(tiles: tiles, size: 64, xc: xc, yc: yc)
            #expect(out.image.width == 128 && out.image.height == 128)
            for (i, c) in colours.enumerated() {
                let extent = pixelExtent(out.image) { r, g, b in
                    abs(Int(r) - Int(c.0)) < 20 && abs(Int(g) - Int(c.1)) < 20 && abs(Int(b) - Int(c.2)) < 20
                }
                Self.expectMatches(out.labels[i].box, extent, tolerance: 0)
            }
        }
    }

    @Test func mosaicThenPerspectiveKeepsBoxesOnPixels() {
        let tiles = (0..<4).map { _ in
            (image: makeImage(width: 64, height: 48, rectangles: [(20, 14, 44, 34, Self.red)]),
             labels: [LabeledBox(classIndex: 0, box: BoxXYXY(x1: 20, y1: 14, x2: 44, y2: 34))])
        }
        let canvas = Mosaic.build(tiles: tiles, size: 64, xc: 60, yc: 70)
        var rng = SeededGenerator(seed: 11)
        let out = RandomPerspective.apply(canvas.image, labels: canvas.labels, border: -32, settings: .scratchLow, using: &rng)
        #expect(out.image.width == 64 && out.image.height == 64)
        #expect(!out.labels.isEmpty)
        for label in out.labels {
            // The red pixels inside the box (grown by 3 px) must span the box: each copy of the rectangle
            // is at least 8 px from any other, so a neighbour cannot leak into the window.
            let window = BoxXYXY(x1: label.box.x1 - 3, y1: label.box.y1 - 3, x2: label.box.x2 + 3, y2: label.box.y2 + 3)
            var crop = out.image
            for y in 0..<crop.height { for x in 0..<crop.width where !(Float(x) >= window.x1 && Float(x) < window.x2 && Float(y) >= window.y1 && Float(y) < window.y2) { crop[x, y] = (0, 0, 0) } }
            Self.expectMatches(label.box, pixelExtent(crop, Self.isRed), tolerance: 1.5)
        }
    }
}
