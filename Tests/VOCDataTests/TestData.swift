import Foundation
import Testing
@testable import VOCData

/// A fresh folder under the system temporary directory, removed when the value is released.
final class TemporaryFolder {
    let url: URL

    init(_ name: String = "voc") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("VOCDataTests-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// `url/relative`, with its parent folder created.
    func file(_ relative: String) throws -> URL {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        return file
    }

    /// Writes `text` to `url/relative`.
    @discardableResult
    func write(_ text: String, to relative: String) throws -> URL {
        let f = try file(relative)
        try Data(text.utf8).write(to: f)
        return f
    }

    /// Writes `data` to `url/relative`.
    @discardableResult
    func write(_ data: Data, to relative: String) throws -> URL {
        let f = try file(relative)
        try data.write(to: f)
        return f
    }
}

/// An image of one colour with solid rectangles painted on it (half-open pixel ranges).
func makeImage(width: Int, height: Int, background: (UInt8, UInt8, UInt8) = (60, 60, 60),
               rectangles: [(x0: Int, y0: Int, x1: Int, y1: Int, colour: (UInt8, UInt8, UInt8))] = []) -> RGBImage {
    var image = RGBImage(width: width, height: height, fill: 0)
    for y in 0..<height { for x in 0..<width { image[x, y] = background } }
    for r in rectangles {
        for y in max(r.y0, 0)..<min(r.y1, height) { for x in max(r.x0, 0)..<min(r.x1, width) { image[x, y] = r.colour } }
    }
    return image
}

/// The smallest box holding every pixel for which `match` is true, in the BoxXYXY frame where
/// pixel x spans [x, x + 1); nil when none matches.
func pixelExtent(_ image: RGBImage, _ match: (UInt8, UInt8, UInt8) -> Bool) -> BoxXYXY? {
    var x0 = Int.max, y0 = Int.max, x1 = -1, y1 = -1
    for y in 0..<image.height {
        for x in 0..<image.width {
            let p = image[x, y]
            if match(p.r, p.g, p.b) { x0 = min(x0, x); y0 = min(y0, y); x1 = max(x1, x); y1 = max(y1, y) }
        }
    }
    return x1 < 0 ? nil : BoxXYXY(x1: Float(x0), y1: Float(y0), x2: Float(x1 + 1), y2: Float(y1 + 1))
}

/// A small dataset described once and written in each of the three layouts.
struct TinyDataset {
    /// One image: id, size, and objects as VOC 1-based corners.
    struct Image {
        var id: String
        var width: Int
        var height: Int
        var objects: [(name: String, xmin: Int, ymin: Int, xmax: Int, ymax: Int, difficult: Bool)]
    }

    static let names = ["cat", "dog", "bird"]

    static let images: [Image] = [
        Image(id: "a001", width: 64, height: 48, objects: [("cat", 5, 6, 30, 40, false), ("dog", 33, 2, 60, 20, false)]),
        Image(id: "a002", width: 48, height: 64, objects: [("bird", 10, 10, 20, 50, false), ("cat", 2, 2, 8, 8, true)]),
        Image(id: "a003", width: 64, height: 64, objects: []),
        Image(id: "a004", width: 40, height: 32, objects: [("dog", 1, 1, 40, 32, false)]),
    ]

    /// The JPEG of an image: grey with its boxes painted in a class colour.
    static func jpeg(_ image: Image) throws -> Data {
        let colours: [String: (UInt8, UInt8, UInt8)] = ["cat": (220, 40, 40), "dog": (40, 220, 40), "bird": (40, 40, 220)]
        let rgb = makeImage(width: image.width, height: image.height, rectangles: image.objects.map {
            ($0.xmin - 1, $0.ymin - 1, $0.xmax, $0.ymax, colours[$0.name]!)
        })
        return try JPEG.encode(rgb, quality: 95)
    }

    static func xml(_ image: Image) -> String {
        VOCXMLWriter.annotation(folder: "VOC2007", filename: "\(image.id).jpg", width: image.width, height: image.height,
                                database: "test", objects: image.objects.map {
                                    ($0.name, $0.xmin, $0.ymin, $0.xmax, $0.ymax, $0.difficult, false, false)
                                })
    }

    /// `root/VOC2007/{JPEGImages, Annotations, ImageSets/Main/train.txt}`.
    static func writeVOC(in folder: TemporaryFolder, root: String = "voc") throws {
        for image in images {
            try folder.write(jpeg(image), to: "\(root)/VOC2007/JPEGImages/\(image.id).jpg")
            try folder.write(xml(image), to: "\(root)/VOC2007/Annotations/\(image.id).xml")
        }
        try folder.write(images.map { $0.id + "\n" }.joined(), to: "\(root)/VOC2007/ImageSets/Main/train.txt")
    }

    /// `root/images/train/*.jpg` + `root/labels/train/*.txt`, converted as YOLOv5's VOC script does
    /// (difficult objects dropped).
    static func writeYOLO(in folder: TemporaryFolder, root: String = "yolo") throws {
        for image in images {
            try folder.write(jpeg(image), to: "\(root)/images/train/\(image.id).jpg")
            let (w, h) = (Double(image.width), Double(image.height))
            let lines = image.objects.filter { !$0.difficult }.map { o -> String in
                let cls = names.firstIndex(of: o.name)!
                let x = (Double(o.xmin + o.xmax) / 2 - 1) / w, y = (Double(o.ymin + o.ymax) / 2 - 1) / h
                let bw = Double(o.xmax - o.xmin) / w, bh = Double(o.ymax - o.ymin) / h
                return String(format: "%d %.8f %.8f %.8f %.8f", cls, x, y, bw, bh)
            }
            try folder.write(lines.map { $0 + "\n" }.joined(), to: "\(root)/labels/train/\(image.id).txt")
        }
    }
}

/// Expects two sample lists to describe the same images and boxes (paths compared by file name,
/// or by file name without its extension).
func expectSameSamples(_ a: [DatasetSample], _ b: [DatasetSample], tolerance: Float = 1e-3, ignoringExtension: Bool = false,
                       sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "sample counts differ", sourceLocation: sourceLocation)
    let name = { (path: String) in
        ignoringExtension ? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent : URL(fileURLWithPath: path).lastPathComponent
    }
    for (s, t) in zip(a, b) {
        #expect(name(s.imagePath) == name(t.imagePath), sourceLocation: sourceLocation)
        #expect(s.width == t.width && s.height == t.height, sourceLocation: sourceLocation)
        #expect(s.objects.count == t.objects.count, "\(s.imagePath): objects differ", sourceLocation: sourceLocation)
        for (o, p) in zip(s.objects, t.objects) {
            #expect(o.classIndex == p.classIndex, sourceLocation: sourceLocation)
            #expect(o.difficult == p.difficult, sourceLocation: sourceLocation)
            for (u, v) in [(o.box.x1, p.box.x1), (o.box.y1, p.box.y1), (o.box.x2, p.box.x2), (o.box.y2, p.box.y2)] {
                #expect(abs(u - v) <= tolerance, "\(s.imagePath): \(o.box) vs \(p.box)", sourceLocation: sourceLocation)
            }
        }
    }
}
