/// The result of letterboxing: the padded image and how original pixels map into it.
public struct Letterboxed: Sendable {
    /// The image of the requested size.
    public var image: RGBImage
    /// The resize ratio r applied to the input (`x_out = x_in · r + padX`).
    public var ratio: Float
    /// The float padding left of the resized image (YOLOv5's `dw / 2`; the integer border is
    /// `round(dw/2 − 0.1)`).
    public var padX: Float
    /// The float padding above the resized image (`dh / 2`).
    public var padY: Float
}

/// YOLOv5's `letterbox` (utils/augmentations.py) with `auto=False`: resize keeping the aspect ratio
/// to fit `width × height`, then pad with grey 114 to exactly that size.
public enum Letterbox {
    /// Letterboxes `image` into `width × height`. Without `scaleUp` the image is only shrunk (YOLOv5
    /// validation); training letterboxes with `scaleUp` true.
    public static func apply(_ image: RGBImage, width: Int, height: Int, scaleUp: Bool,
                             fill: UInt8 = paddingGrey) -> Letterboxed {
        var r = min(Double(height) / Double(image.height), Double(width) / Double(image.width))
        if !scaleUp { r = min(r, 1) }
        // Python's round() is half-to-even.
        let newW = Int((Double(image.width) * r).rounded(.toNearestOrEven))
        let newH = Int((Double(image.height) * r).rounded(.toNearestOrEven))
        let dw = Double(width - newW) / 2, dh = Double(height - newH) / 2
        let resized = (newW == image.width && newH == image.height)
            ? image : ImageResize.resize(image, width: max(newW, 1), height: max(newH, 1), method: .linear)
        let top = Int((dh - 0.1).rounded(.toNearestOrEven)), left = Int((dw - 0.1).rounded(.toNearestOrEven))
        var out = RGBImage(width: width, height: height, fill: fill)
        paste(resized, into: &out, x: left, y: top)
        return Letterboxed(image: out, ratio: Float(r), padX: Float(dw), padY: Float(dh))
    }

    /// Copies `tile` into `canvas` with its top-left corner at `(x, y)`, cropping what falls outside.
    static func paste(_ tile: RGBImage, into canvas: inout RGBImage, x: Int, y: Int) {
        let x0 = max(x, 0), x1 = min(x + tile.width, canvas.width)
        let y0 = max(y, 0), y1 = min(y + tile.height, canvas.height)
        guard x0 < x1, y0 < y1 else { return }
        let cw = canvas.width, tw = tile.width
        tile.pixels.withUnsafeBufferPointer { src in
            canvas.pixels.withUnsafeMutableBufferPointer { dst in
                for row in y0..<y1 {
                    let s = ((row - y) * tw + (x0 - x)) * 3, d = (row * cw + x0) * 3
                    (dst.baseAddress! + d).update(from: src.baseAddress! + s, count: (x1 - x0) * 3)
                }
            }
        }
    }
}
