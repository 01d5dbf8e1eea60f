import Foundation
import Testing
@testable import VOCData

/// `YOLOExport` (and `freeze-study data export`): a VOCdevkit with difficult objects, two years and
/// odd image sizes, written in YOLOv5's layout and read back by FreezeStudy's own YOLO reader, gives
/// the same samples.
@Suite struct ExportTests {
    typealias Image = TinyDataset.Image

    /// VOC2007 (trainval + test) and VOC2012 (trainval), odd sizes, difficult objects, one box
    /// touching the far corner, one image without objects.
    static let years: [(year: String, set: String, images: [Image])] = [
        ("2007", "trainval", [
            Image(id: "000005", width: 37, height: 23, objects: [("cat", 1, 1, 37, 23, false), ("dog", 3, 4, 9, 11, true)]),
            Image(id: "000007", width: 101, height: 67, objects: [("bird", 10, 20, 90, 60, false), ("dog", 50, 5, 70, 15, false)]),
            Image(id: "000009", width: 17, height: 129, objects: []),
        ]),
        ("2007", "test", [
            Image(id: "000001", width: 255, height: 3, objects: [("dog", 2, 1, 254, 3, false), ("cat", 7, 1, 9, 2, true)]),
            Image(id: "000002", width: 64, height: 48, objects: [("bird", 5, 6, 30, 40, false)]),
        ]),
        ("2012", "trainval", [
            Image(id: "2008_000003", width: 333, height: 500, objects: [("cat", 48, 240, 195, 371, false), ("bird", 8, 12, 330, 498, true)]),
            Image(id: "2008_000008", width: 99, height: 98, objects: [("dog", 1, 1, 2, 2, false)]),
        ]),
    ]

    static func writeDevkit(in folder: TemporaryFolder) throws -> URL {
        for (year, set, images) in years {
            for image in images {
                try folder.write(TinyDataset.jpeg(image), to: "src/VOCdevkit/VOC\(year)/JPEGImages/\(image.id).jpg")
                try folder.write(TinyDataset.xml(image), to: "src/VOCdevkit/VOC\(year)/Annotations/\(image.id).xml")
            }
            try folder.write(images.map { $0.id + "\n" }.joined(), to: "src/VOCdevkit/VOC\(year)/ImageSets/Main/\(set).txt")
        }
        return folder.url.appendingPathComponent("src")
    }

    static let options = ReaderOptions(classNames: TinyDataset.names)

    @Test func devkitExportReadsBackAsTheSameSamples() throws {
        let folder = try TemporaryFolder("export")
        let source = try Self.writeDevkit(in: folder)
        let train = try DatasetReader.load(source, split: .train, options: Self.options)
        let val = try DatasetReader.load(source, split: .val, options: Self.options)
        #expect(train.samples.count == 5 && val.samples.count == 2, "VOC2007 + VOC2012 trainval, VOC2007 test")
        let out = folder.url.appendingPathComponent("yolo")
        let summary = try YOLOExport.write(train: train, val: val, to: out, source: source.path)
        #expect(summary.trainImages == 5 && summary.valImages == 2 && summary.hardLinked == 7 && summary.copied == 0)
        #expect(summary.objects == 7, "the 3 difficult objects are left out")

        // Read back through the export's data.yaml (which leads to the YOLO reader).
        #expect(try DatasetReader.layout(of: out) == .dataYAML)
        let viaYAML = try DataSplit.allCases.map { try DatasetReader.load(out, split: $0) }
        for (read, original) in zip(viaYAML, [train, val]) {
            #expect(read.classNames == TinyDataset.names)
            #expect(read.problems.isEmpty, "\(read.problems)")
            // Sorted by file name: the YOLO reader sorts paths, the VOC reader keeps image-set order.
            // Written with Double's shortest exact decimals, read as Float: ~1e-5 px apart here; a
            // wrong corner convention shows as ≥ 0.5 px.
            let byName = { (s: [DatasetSample]) in s.sorted { ($0.imagePath as NSString).lastPathComponent < ($1.imagePath as NSString).lastPathComponent } }
            expectSameSamples(byName(read.samples), byName(original.samples), tolerance: 1e-3)
        }

        // The images are hard links to the sources (same inode), not copies.
        let exported = out.appendingPathComponent("images/train/000005.jpg").path
        let original = source.appendingPathComponent("VOCdevkit/VOC2007/JPEGImages/000005.jpg").path
        let inode = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64 }
        #expect(try inode(exported) != nil && inode(exported) == inode(original))
    }

    @Test func labelsAreYOLOv5sVOCConversion() throws {
        let folder = try TemporaryFolder("export-lines")
        let source = try Self.writeDevkit(in: folder)
        let out = folder.url.appendingPathComponent("yolo")
        _ = try YOLOExport.write(train: DatasetReader.load(source, split: .train, options: Self.options),
                                 val: DatasetReader.load(source, split: .val, options: Self.options),
                                 to: out, source: source.path, copyImages: true)
        // data/VOC.yaml convert_box((w, h), (xmin, xmax, ymin, ymax)) in Double, for 000007 (101 × 67).
        func convert(_ w: Double, _ h: Double, _ b: (Double, Double, Double, Double)) -> [Double] {
            [((b.0 + b.1) / 2 - 1) / w, ((b.2 + b.3) / 2 - 1) / h, (b.1 - b.0) / w, (b.3 - b.2) / h]
        }
        let text = try String(contentsOf: out.appendingPathComponent("labels/train/000007.txt"), encoding: .utf8)
        let rows = text.split(separator: "\n").map { $0.split(separator: " ").map { Double($0)! } }
        let expected = [[2.0] + convert(101, 67, (10, 90, 20, 60)), [1.0] + convert(101, 67, (50, 70, 5, 15))]
        #expect(rows.count == 2)
        for (row, want) in zip(rows, expected) {
            // The box passed through Float (the reader's BoxXYXY): 1e-6 relative at most.
            for (a, b) in zip(row, want) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b)), "\(row) vs \(want)") }
        }
        #expect(try String(contentsOf: out.appendingPathComponent("labels/train/000009.txt"), encoding: .utf8).isEmpty,
                "a background image keeps an empty label file")
        #expect(try String(contentsOf: out.appendingPathComponent("labels/val/000001.txt"), encoding: .utf8)
                    .split(separator: "\n").count == 1, "the difficult cat is left out")
        let yaml = try String(contentsOf: out.appendingPathComponent("data.yaml"), encoding: .utf8)
        #expect(yaml.contains("path: '\(out.path)'\ntrain: images/train\nval: images/val\nnc: 3\nnames:\n  0: 'cat'\n  1: 'dog'\n  2: 'bird'\n"))
        let copied = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("images/train/000005.jpg").path)
        let original = try FileManager.default.attributesOfItem(atPath: source.appendingPathComponent("VOCdevkit/VOC2007/JPEGImages/000005.jpg").path)
        #expect(copied[.systemFileNumber] as? UInt64 != original[.systemFileNumber] as? UInt64, "--copy copies")
    }

    @Test func clashingNamesAndAnExistingExportAreHandled() throws {
        let folder = try TemporaryFolder("export-clash")
        let a = Image(id: "x", width: 20, height: 20, objects: [("cat", 2, 2, 10, 10, false)])
        let b = Image(id: "x", width: 30, height: 10, objects: [("dog", 3, 3, 9, 9, false)])
        for (year, image) in [("2007", a), ("2012", b)] {
            try folder.write(TinyDataset.jpeg(image), to: "src/VOC\(year)/JPEGImages/x.jpg")
            try folder.write(TinyDataset.xml(image), to: "src/VOC\(year)/Annotations/x.xml")
            try folder.write("x\n", to: "src/VOC\(year)/ImageSets/Main/trainval.txt")
        }
        try folder.write("x\n", to: "src/VOC2007/ImageSets/Main/test.txt")
        let source = folder.url.appendingPathComponent("src")
        let train = try DatasetReader.load(source, split: .train, options: Self.options)
        let val = try DatasetReader.load(source, split: .val, options: Self.options)
        let out = folder.url.appendingPathComponent("out")
        _ = try YOLOExport.write(train: train, val: val, to: out, source: source.path)
        let names = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("images/train").path).sorted()
        #expect(names == ["x.jpg", "x_2.jpg"], "the same id in two years becomes two images")
        let back = try DatasetReader.load(out, split: .train)
        #expect(back.samples.map(\.width) == [20, 30] && back.samples.map { $0.objects[0].classIndex } == [0, 1])
        // A second export into the same folder refuses, naming what is there.
        #expect {
            _ = try YOLOExport.write(train: train, val: val, to: out, source: source.path)
        } throws: { error in
            let e = error as! DataError
            return e.file.hasSuffix("out/images") && e.reason.contains("already exists")
        }
    }
}
