import Foundation
import NeuralCore
import Testing
@testable import VOCData

@Suite struct JPEGTests {
    /// A smooth test picture (gradients): JPEG reproduces it within a few levels at high quality.
    static func gradient(width: Int = 40, height: Int = 24) -> RGBImage {
        var image = RGBImage(width: width, height: height, fill: 0)
        for y in 0..<height {
            for x in 0..<width { image[x, y] = (UInt8(x * 255 / width), UInt8(y * 255 / height), UInt8((x + y) * 2)) }
        }
        return image
    }

    static func maxDifference(_ a: RGBImage, _ b: RGBImage) -> Int {
        zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    @Test(arguments: [false, true])
    func roundTripBaselineAndProgressive(progressive: Bool) throws {
        let image = Self.gradient()
        let data = try JPEG.encode(image, quality: 98, subsampling: .s444, progressive: progressive)
        let decoded = try JPEG.decode(data)
        #expect(decoded.width == 40 && decoded.height == 24)
        // Quality 98 without subsampling: a smooth image comes back within a few levels; a channel or
        // row mix-up would be off by tens.
        #expect(Self.maxDifference(image, decoded) <= 6)
        // A progressive file has an SOF2 marker (FF C2); a baseline one SOF0 (FF C0).
        let sof2 = data.indices.dropLast().contains { data[$0] == 0xFF && data[$0 + 1] == 0xC2 }
        #expect(sof2 == progressive)
    }

    @Test func grayscaleBecomesThreeEqualChannels() throws {
        let gray = (0..<(32 * 16)).map { UInt8(($0 % 32) * 8) }
        let data = try JPEG.encode(pixels: gray, width: 32, height: 16, format: .gray, quality: 95, subsampling: .gray)
        #expect(try JPEG.header(data).colorspace != JPEG.header(JPEG.encode(Self.gradient())).colorspace)
        let decoded = try JPEG.decode(data)
        #expect(decoded.width == 32 && decoded.height == 16)
        for i in 0..<(32 * 16) {
            #expect(decoded.pixels[i * 3] == decoded.pixels[i * 3 + 1] && decoded.pixels[i * 3] == decoded.pixels[i * 3 + 2])
        }
        #expect(abs(Int(decoded.pixels[31 * 3]) - 248) <= 4)
    }

    @Test func cmykIsConvertedToRGB() throws {
        // Adobe's inverted CMYK: (c, m, y, k) = (255 − R', …) with K; a pure red pixel is C=255 M=0 Y=0 K=255.
        let (w, h) = (16, 16)
        var cmyk: [UInt8] = []
        for i in 0..<(w * h) { cmyk += i < w * h / 2 ? [255, 0, 0, 255] : [0, 0, 255, 255] }  // red, then blue
        let data = try JPEG.encode(pixels: cmyk, width: w, height: h, format: .cmyk, quality: 100, subsampling: .s444)
        #expect(try JPEG.header(data).isCMYK)
        let image = try JPEG.decode(data)
        let top = image[4, 2], bottom = image[4, 13]
        #expect(top.r > 240 && top.g < 15 && top.b < 15, "red: \(top)")
        #expect(bottom.r < 15 && bottom.g < 15 && bottom.b > 240, "blue: \(bottom)")
    }

    @Test func truncatedFileIsRefusedNamingIt() throws {
        let data = try JPEG.encode(Self.gradient(width: 64, height: 64), quality: 90)
        let truncated = data.prefix(data.count * 2 / 3)
        #expect {
            _ = try JPEG.decode(Data(truncated), source: "cut.jpg")
        } throws: { error in
            let e = error as! JPEGError
            return e.file == "cut.jpg" && !e.reason.isEmpty
        }
        #expect {
            _ = try JPEG.header(Data(truncated), source: "cut.jpg")
        } throws: { error in
            (error as! JPEGError).reason.contains("truncated")
        }
    }

    /// Seeded noise: its JPEG is mostly entropy-coded data, so damage in the middle hits the pixels.
    static func noise(width: Int, height: Int, seed: UInt64 = 7) -> RGBImage {
        var rng = SeededGenerator(seed: seed)
        return RGBImage(width: width, height: height, pixels: (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    @Test func corruptDataAndNonJPEGAreRefused() throws {
        var data = try JPEG.encode(Self.noise(width: 128, height: 128), quality: 90)
        #expect(try JPEG.header(data).width == 128, "the header is intact")
        // 0xFF bytes in the middle of the entropy-coded data: libjpeg warns "premature end of data
        // segment", which FreezeStudy treats as an error.
        let middle = data.count / 2
        for i in 0..<32 { data[middle + i] = 0xFF }
        #expect {
            _ = try JPEG.decode(data, source: "bad.jpg")
        } throws: { error in
            let e = error as! JPEGError
            return e.file == "bad.jpg" && e.reason.contains("Corrupt JPEG data")
        }
        #expect {
            _ = try JPEG.decode(Data("not a jpeg at all".utf8), source: "x.jpg")
        } throws: { error in
            (error as! JPEGError).reason.contains("not a JPEG")
        }
        #expect(throws: JPEGError.self) { _ = try JPEG.decode(Data(), source: "empty.jpg") }
        #expect(throws: JPEGError.self) { _ = try JPEG.decode(contentsOf: URL(fileURLWithPath: "/nonexistent/x.jpg")) }
    }

    /// A header can claim 60000 × 60000 pixels in a few bytes (libjpeg's limit is 65500 per side);
    /// decoding would allocate 10.8 GB before noticing the data is missing. Such files are refused
    /// as PIL (YOLOv5's check) refuses them.
    @Test func decompressionBombsAreRefusedBeforeAllocating() throws {
        var data = try JPEG.encode(Self.gradient(width: 16, height: 16))
        let sof = try #require((0..<(data.count - 1)).first { data[$0] == 0xFF && data[$0 + 1] == 0xC0 })
        for i in [5, 7] { (data[sof + i], data[sof + i + 1]) = (0xEA, 0x60) }  // height and width 60000
        for read in [{ _ = try JPEG.header(data, source: "bomb.jpg") }, { _ = try JPEG.decode(data, source: "bomb.jpg") }] {
            #expect { try read() } throws: { error in
                let e = error as! JPEGError
                return e.file == "bomb.jpg" && e.reason.contains("60000×60000") && e.reason.contains("decompression-bomb")
            }
        }
    }

    /// An APP1 "Exif" segment holding only IFD0's Orientation tag, in either TIFF byte order.
    static func exifSegment(orientation: Int, bigEndian: Bool) -> [UInt8] {
        let u16 = { (v: Int) -> [UInt8] in bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        let u32 = { (v: Int) -> [UInt8] in bigEndian ? u16(v >> 16) + u16(v & 0xFFFF) : u16(v & 0xFFFF) + u16(v >> 16) }
        let tiff = (bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]) + u16(42) + u32(8)
            + u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + [0, 0] + u32(0)
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        return [0xFF, 0xE1] + [UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
    }

    /// A phone stores a portrait photo as landscape pixels and an EXIF orientation; OpenCV's imread
    /// (YOLOv5's loader) shows it upright, and labels describe the upright picture. The expected
    /// corners (top-left, top-right, bottom-left, bottom-right) are what cv2.imread and PIL's
    /// exif_transpose give for the same file (checked with both).
    @Test(arguments: [(1, "RGBW"), (2, "GRWB"), (3, "WBGR"), (4, "BWRG"), (5, "RBGW"), (6, "BRWG"), (7, "WGBR"), (8, "GWRB")])
    func exifOrientationIsApplied(_ orientation: Int, _ corners: String) throws {
        let (W, H) = (32, 16)
        let colours: [Character: (UInt8, UInt8, UInt8)] = ["R": (255, 0, 0), "G": (0, 255, 0), "B": (0, 0, 255), "W": (255, 255, 255)]
        let image = makeImage(width: W, height: H, rectangles: [(0, 0, W / 2, H / 2, colours["R"]!), (W / 2, 0, W, H / 2, colours["G"]!),
                                                                (0, H / 2, W / 2, H, colours["B"]!), (W / 2, H / 2, W, H, colours["W"]!)])
        let plain = [UInt8](try JPEG.encode(image, quality: 100, subsampling: .s444))
        for bigEndian in [false, true] {
            let data = Data(plain.prefix(2) + Self.exifSegment(orientation: orientation, bigEndian: bigEndian) + plain.dropFirst(2))
            let header = try JPEG.header(data)
            let upright = try JPEG.decode(data)
            let swapped = orientation >= 5
            #expect(header.width == W && header.height == H, "the stored size")
            #expect(header.uprightSize == (swapped ? (H, W) : (W, H)) && upright.width == header.uprightSize.width
                    && upright.height == header.uprightSize.height)
            let seen = [(1, 1), (upright.width - 2, 1), (1, upright.height - 2), (upright.width - 2, upright.height - 2)].map { x, y in
                let p = upright[x, y]
                return colours.min { a, b in
                    abs(Int(a.value.0) - Int(p.r)) + abs(Int(a.value.1) - Int(p.g)) + abs(Int(a.value.2) - Int(p.b))
                        < abs(Int(b.value.0) - Int(p.r)) + abs(Int(b.value.1) - Int(p.g)) + abs(Int(b.value.2) - Int(p.b))
                }!.key
            }
            #expect(String(seen) == corners, "orientation \(orientation), \(bigEndian ? "MM" : "II")")
        }
    }
}
