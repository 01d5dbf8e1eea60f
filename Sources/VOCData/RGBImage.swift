/// An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC: `pixels[(y·width + x)·3 + c]`).
///
/// The loader's working format: JPEG decodes into it, letterbox, mosaic and the augmentations
/// transform it, and the batch converts it to Float32 CHW. YOLOv5 works in BGR and turns the
/// result into RGB at the end; FreezeStudy is RGB throughout, which gives the same tensor.
public struct RGBImage: Equatable, Sendable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// `height · width · 3` bytes, R G B per pixel.
    public var pixels: [UInt8]

    /// An image wrapping `pixels`, which must hold `height · width · 3` bytes.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes for \(width)×\(height)×3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image of one colour (YOLOv5's padding grey is `RGBImage(width:height:fill: 114)`).
    public init(width: Int, height: Int, fill: UInt8) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: fill, count: width * height * 3))
    }

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        get {
            let i = (y * width + x) * 3
            return (pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            let i = (y * width + x) * 3
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }
}

/// YOLOv5's padding and border colour (114, 114, 114), used by letterbox, mosaic and the affine warp.
public let paddingGrey: UInt8 = 114
