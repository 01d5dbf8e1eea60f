import Foundation

/// The EXIF orientation of a JPEG (tag 0x0112 of IFD0 in the APP1 "Exif" segment): how the stored
/// pixels must be turned to show the picture upright. Phones store a portrait photo as landscape
/// pixels with orientation 6; OpenCV's `imread` (YOLOv5's loader) and PIL's `exif_transpose`
/// apply it, so YOLO labels of such photos describe the turned picture, and so must FreezeStudy's
/// pixels. libjpeg-turbo reads no EXIF, and none of FreezeStudy's libraries does; the TIFF
/// directory walk below reads that one tag.
public enum JPEGOrientation: Int, Sendable {
    /// Stored upright.
    case up = 1
    /// Mirrored left-right.
    case mirrored = 2
    /// Shown after a half turn.
    case halfTurn = 3
    /// Mirrored top-bottom.
    case mirroredVertically = 4
    /// Mirrored along the main diagonal (PIL's TRANSPOSE).
    case transposed = 5
    /// Shown after turning the stored pixels 90° clockwise (a phone photo taken upright).
    case clockwise = 6
    /// Mirrored along the other diagonal (PIL's TRANSVERSE).
    case transversed = 7
    /// Shown after turning the stored pixels 90° counter-clockwise.
    case counterClockwise = 8

    /// Whether the upright picture's width is the stored height.
    public var swapsSides: Bool { rawValue >= 5 }

    /// The orientation a JPEG's EXIF data gives, `.up` when there is none or it cannot be read
    /// (damaged EXIF never makes an image unreadable: cv2 and PIL ignore it too).
    static func read(_ data: Data) -> JPEGOrientation {
        let bytes = [UInt8](data.prefix(1 << 17))  // EXIF sits in the first 64 KB segment after SOI
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            if marker == 0xDA || marker == 0xD9 { break }  // start of scan / end: no EXIF before the pixels
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2, i + 2 + length <= bytes.count else { break }
            if marker == 0xE1, let value = exifOrientation(bytes[(i + 4)..<(i + 2 + length)]) {
                return JPEGOrientation(rawValue: value) ?? .up
            }
            i += 2 + length
        }
        return .up
    }

    /// Tag 0x0112 of IFD0 in an APP1 payload `Exif\0\0` + TIFF (byte order `II` or `MM`).
    private static func exifOrientation(_ payload: ArraySlice<UInt8>) -> Int? {
        let p = Array(payload)
        guard p.count >= 14, p.starts(with: Array("Exif".utf8) + [0, 0]) else { return nil }
        let tiff = 6
        let little: Bool
        switch (p[tiff], p[tiff + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= p.count else { return nil }
            return little ? Int(p[at]) | Int(p[at + 1]) << 8 : Int(p[at]) << 8 | Int(p[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard let ifd = u32(tiff + 4).map({ tiff + $0 }), let count = u16(ifd) else { return nil }
        for entry in 0..<min(count, 1000) {
            let at = ifd + 2 + 12 * entry
            guard let tag = u16(at) else { return nil }
            if tag == 0x0112 { return u16(at + 8) }  // SHORT, count 1: the value is in the entry
        }
        return nil
    }

    /// `image` turned upright (the stored pixels are read in the order of the upright picture).
    func apply(_ image: RGBImage) -> RGBImage {
        guard self != .up else { return image }
        let (W, H) = (image.width, image.height)
        let (outW, outH) = swapsSides ? (H, W) : (W, H)
        var out = RGBImage(width: outW, height: outH, fill: 0)
        for y in 0..<outH {
            for x in 0..<outW {
                // The stored pixel that shows at (x, y) of the upright picture.
                let (sx, sy): (Int, Int)
                switch self {
                case .up: (sx, sy) = (x, y)
                case .mirrored: (sx, sy) = (W - 1 - x, y)
                case .halfTurn: (sx, sy) = (W - 1 - x, H - 1 - y)
                case .mirroredVertically: (sx, sy) = (x, H - 1 - y)
                case .transposed: (sx, sy) = (y, x)
                case .clockwise: (sx, sy) = (y, H - 1 - x)
                case .transversed: (sx, sy) = (W - 1 - y, H - 1 - x)
                case .counterClockwise: (sx, sy) = (W - 1 - y, x)
                }
                out[x, y] = image[sx, sy]
            }
        }
        return out
    }
}
