/// YOLOv5's 4-image mosaic (`load_mosaic`, v7): four images meet at a random centre of a 2s × 2s
/// grey canvas, each cropped to the canvas, with their boxes shifted along.
public enum Mosaic {
    /// Builds the canvas from four (image, pixel boxes) tiles in quadrant order top-left, top-right,
    /// bottom-left, bottom-right, meeting at `(xc, yc)`. Boxes are clipped to `[0, 2s]`.
    public static func build(tiles: [(image: RGBImage, labels: [LabeledBox])], size s: Int, xc: Int, yc: Int)
        -> (image: RGBImage, labels: [LabeledBox]) {
        precondition(tiles.count == 4, "Mosaic: 4 tiles, got \(tiles.count)")
        var canvas = RGBImage(width: 2 * s, height: 2 * s, fill: paddingGrey)
        var labels: [LabeledBox] = []
        for (i, tile) in tiles.enumerated() {
            let (w, h) = (tile.image.width, tile.image.height)
            // The tile's top-left corner on the canvas (load_mosaic's padw, padh); `paste` crops to
            // the canvas exactly as the (x1a, y1a, x2a, y2a) / (x1b, y1b, x2b, y2b) slices do.
            let x = (i == 0 || i == 2) ? xc - w : xc
            let y = (i == 0 || i == 1) ? yc - h : yc
            Letterbox.paste(tile.image, into: &canvas, x: x, y: y)
            for label in tile.labels {
                labels.append(LabeledBox(classIndex: label.classIndex,
                                         box: label.box.scaled(1, 1, dx: Float(x), dy: Float(y))
                                             .clipped(width: Float(2 * s), height: Float(2 * s))))
            }
        }
        return (canvas, labels)
    }

    /// Draws the mosaic centre `int(U(s/2, 3s/2))` for both axes (y first, as v7's `yc, xc = …`).
    public static func randomCentre<R: RandomNumberGenerator>(size s: Int, using rng: inout R) -> (xc: Int, yc: Int) {
        let lo = Double(s) / 2, hi = 3 * Double(s) / 2
        let yc = Int(Double.random(in: lo..<hi, using: &rng))
        let xc = Int(Double.random(in: lo..<hi, using: &rng))
        return (xc, yc)
    }
}
