import CTurboJPEG
import Foundation

/// A JPEG that cannot be read, naming the file and the reason libjpeg-turbo gave.
public struct JPEGError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or `<memory>`).
    public var file: String
    /// Why it cannot be read or written.
    public var reason: String
    /// Whether the file is not a JPEG at all or is of a kind FreezeStudy refuses (vs. damaged).
    public var unsupported: Bool

    /// An error about `file`.
    public init(file: String, reason: String, unsupported: Bool = false) {
        self.file = file
        self.reason = reason
        self.unsupported = unsupported
    }

    public var description: String { "\(file): \(reason)" }
}

/// What a JPEG header says, read without decoding the pixels.
public struct JPEGHeader: Equatable, Sendable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// libjpeg-turbo's colour space (`TJCS_YCbCr`, `TJCS_GRAY`, `TJCS_CMYK`, `TJCS_YCCK`, `TJCS_RGB`).
    public var colorspace: Int32
    /// libjpeg-turbo's chroma subsampling (`TJSAMP_*`).
    public var subsampling: Int32
    /// The EXIF orientation (`.up` without one).
    public var orientation: JPEGOrientation = .up
    /// Whether the pixels are CMYK or YCCK (converted to RGB by `JPEG.decode`).
    public var isCMYK: Bool { colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) }
    /// The size of the upright picture: `width × height`, swapped when the EXIF orientation turns
    /// it a quarter (the size `JPEG.decode` returns, and YOLOv5's `exif_size`).
    public var uprightSize: (width: Int, height: Int) { orientation.swapsSides ? (height, width) : (width, height) }
}

/// JPEG decoding and encoding through libjpeg-turbo's TurboJPEG API (never a hand-written codec).
///
/// Decoding accepts baseline and progressive files, turns grayscale into three equal channels
/// and converts CMYK/YCCK (Adobe's inverted convention) to RGB. Any libjpeg warning — a truncated
/// file, corrupt entropy data — is an error, so a damaged image is skipped rather than trained on.
public enum JPEG {
    /// Chroma subsampling of an encoded file.
    public enum Subsampling: Sendable {
        case s444, s422, s420, gray
        var turbo: Int32 {
            switch self {
            case .s444: Int32(TJSAMP_444.rawValue)
            case .s422: Int32(TJSAMP_422.rawValue)
            case .s420: Int32(TJSAMP_420.rawValue)
            case .gray: Int32(TJSAMP_GRAY.rawValue)
            }
        }
    }

    /// Pixel layouts `encode(pixels:…)` accepts.
    public enum PixelFormat: Sendable {
        /// 3 bytes per pixel, R G B.
        case rgb
        /// 1 byte per pixel.
        case gray
        /// 4 bytes per pixel, Adobe's inverted C M Y K (written as a YCCK JPEG).
        case cmyk
        var turbo: Int32 {
            switch self {
            case .rgb: Int32(TJPF_RGB.rawValue)
            case .gray: Int32(TJPF_GRAY.rawValue)
            case .cmyk: Int32(TJPF_CMYK.rawValue)
            }
        }
    }

    /// The largest image read, in pixels: twice PIL's `Image.MAX_IMAGE_PIXELS` (89,478,485), above
    /// which PIL raises `DecompressionBombError` and YOLOv5's `verify_image_label` skips the image.
    public static let maximumPixels = 2 * 89_478_485

    /// Decodes the JPEG file at `url`.
    public static func decode(contentsOf url: URL) throws -> RGBImage {
        try decode(readFile(url), source: url.path)
    }

    /// Decodes JPEG bytes into the upright picture (the EXIF orientation applied, as OpenCV's
    /// `imread` does for YOLOv5); `source` names them in errors.
    public static func decode(_ data: Data, source: String = "<memory>") throws -> RGBImage {
        let stored = try decodeStored(data, source: source)
        return JPEGOrientation.read(data).apply(stored)
    }

    /// Decodes JPEG bytes as stored, ignoring any EXIF orientation.
    static func decodeStored(_ data: Data, source: String) throws -> RGBImage {
        guard let handle = tjInitDecompress() else { throw JPEGError(file: source, reason: "tjInitDecompress failed") }
        defer { tjDestroy(handle) }
        let header = try readHeader(data, handle: handle, source: source)
        let (w, h) = (header.width, header.height)
        let flags = TJFLAG_STOPONWARNING
        if header.isCMYK {
            var cmyk = [UInt8](repeating: 0, count: w * h * 4)
            try decompress(data, handle: handle, into: &cmyk, width: w, height: h, pitch: w * 4,
                           format: Int32(TJPF_CMYK.rawValue), flags: flags, source: source)
            return cmykToRGB(cmyk, width: w, height: h)
        }
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        try decompress(data, handle: handle, into: &pixels, width: w, height: h, pitch: w * 3,
                       format: Int32(TJPF_RGB.rawValue), flags: flags, source: source)
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// Reads only the header of JPEG bytes (size, colour space), checking the image data is complete
    /// (YOLOv5's `verify_image_label` looks for the end-of-image marker FF D9 at the end). A file
    /// that does not end with that marker is either truncated or has bytes appended after it, which
    /// cameras and editors write and every decoder ignores; only then is it decoded to tell which.
    public static func header(_ data: Data, source: String = "<memory>", requireEndMarker: Bool = true) throws -> JPEGHeader {
        guard let handle = tjInitDecompress() else { throw JPEGError(file: source, reason: "tjInitDecompress failed") }
        defer { tjDestroy(handle) }
        let header = try readHeader(data, handle: handle, source: source)
        if requireEndMarker, !(data.count >= 2 && data[data.endIndex - 2] == 0xFF && data[data.endIndex - 1] == 0xD9) {
            do { _ = try decodeStored(data, source: source) } catch let error as JPEGError {
                throw JPEGError(file: source, reason: "truncated JPEG: no end-of-image marker (FF D9) at the end of the file (\(error.reason))")
            }
        }
        return header
    }

    /// Encodes `image` as a JPEG of `quality` (1…100).
    public static func encode(_ image: RGBImage, quality: Int = 90, subsampling: Subsampling = .s420,
                              progressive: Bool = false) throws -> Data {
        try encode(pixels: image.pixels, width: image.width, height: image.height,
                   format: .rgb, quality: quality, subsampling: subsampling, progressive: progressive)
    }

    /// Encodes raw pixels of `format`; tests use it to make grayscale and CMYK files.
    public static func encode(pixels: [UInt8], width: Int, height: Int, format: PixelFormat, quality: Int,
                              subsampling: Subsampling, progressive: Bool = false) throws -> Data {
        guard width > 0, height > 0 else { throw JPEGError(file: "<memory>", reason: "cannot encode an empty \(width)×\(height) image") }
        let channels = format == .rgb ? 3 : format == .gray ? 1 : 4
        guard pixels.count == width * height * channels else {
            throw JPEGError(file: "<memory>", reason: "\(pixels.count) bytes for a \(width)×\(height)×\(channels) image")
        }
        guard let handle = tjInitCompress() else { throw JPEGError(file: "<memory>", reason: "tjInitCompress failed") }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let flags = progressive ? TJFLAG_PROGRESSIVE : 0
        let status = pixels.withUnsafeBufferPointer { src in
            tjCompress2(handle, src.baseAddress, Int32(width), 0, Int32(height), format.turbo, &buffer, &size,
                        subsampling.turbo, Int32(quality), flags)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard status == 0, let buffer else {
            throw JPEGError(file: "<memory>", reason: "tjCompress2: \(errorText(handle))")
        }
        return Data(bytes: buffer, count: Int(size))
    }

    /// The bytes of a file, with an error naming it when it cannot be read.
    static func readFile(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw JPEGError(file: url.path, reason: "cannot read the file (\(error.localizedDescription))")
        }
    }

    private static func readHeader(_ data: Data, handle: tjhandle, source: String) throws -> JPEGHeader {
        guard data.count >= 4, data[data.startIndex] == 0xFF, data[data.startIndex + 1] == 0xD8 else {
            throw JPEGError(file: source, reason: data.isEmpty ? "empty file" : "not a JPEG (no start-of-image marker FF D8)",
                            unsupported: !data.isEmpty)
        }
        var w: Int32 = 0, h: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = data.withUnsafeBytes { raw in
            tjDecompressHeader3(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(data.count),
                                &w, &h, &subsampling, &colorspace)
        }
        guard status == 0 else { throw JPEGError(file: source, reason: "bad JPEG header: \(errorText(handle))") }
        guard w > 0, h > 0 else { throw JPEGError(file: source, reason: "JPEG header gives an empty size \(w)×\(h)") }
        // A damaged or hostile header can claim 60000 × 60000 pixels in a 1 KB file; decoding
        // would first allocate 10.8 GB. YOLOv5's image check (PIL) refuses such files too.
        guard Int(w) * Int(h) <= maximumPixels else {
            throw JPEGError(file: source, reason: "JPEG header claims \(w)×\(h) pixels, more than \(maximumPixels) "
                            + "(PIL's decompression-bomb limit, which YOLOv5's image check applies)", unsupported: true)
        }
        return JPEGHeader(width: Int(w), height: Int(h), colorspace: colorspace, subsampling: subsampling,
                          orientation: JPEGOrientation.read(data))
    }

    private static func decompress(_ data: Data, handle: tjhandle, into pixels: inout [UInt8], width: Int, height: Int,
                                   pitch: Int, format: Int32, flags: Int32, source: String) throws {
        let status = data.withUnsafeBytes { raw in
            pixels.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(data.count), dst.baseAddress,
                              Int32(width), Int32(pitch), Int32(height), format, flags)
            }
        }
        guard status == 0 else { throw JPEGError(file: source, reason: "cannot decode: \(errorText(handle))") }
    }

    /// libjpeg-turbo's `cmyk_to_rgb` (cmyk.h): Adobe CMYK JPEGs store inverted inks, so R = C·K/255.
    private static func cmykToRGB(_ cmyk: [UInt8], width: Int, height: Int) -> RGBImage {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            let k = Double(cmyk[i * 4 + 3])
            for c in 0..<3 { rgb[i * 3 + c] = UInt8(Double(cmyk[i * 4 + c]) * k / 255 + 0.5) }
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    private static func errorText(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown libjpeg-turbo error" }
        return String(cString: text)
    }
}
