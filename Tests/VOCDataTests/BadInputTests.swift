import ConfigFile
import Foundation
import NeuralCore
import Testing
@testable import VOCData

/// Bad input never crashes and is never silent: each case is reported with its file (and line or
/// element) and reason; a bad sample is skipped and counted, a dataset with nothing usable or a
/// wrong layout throws.
@Suite struct BadInputTests {
    static let names = TinyDataset.names
    static let options = ReaderOptions(classNames: names)

    /// A VOC tree with the tiny dataset plus extra ids listed in train.txt.
    static func voc(_ folder: TemporaryFolder, extraIDs: [String] = []) throws -> URL {
        try TinyDataset.writeVOC(in: folder)
        try folder.write((TinyDataset.images.map(\.id) + extraIDs).map { $0 + "\n" }.joined(), to: "voc/VOC2007/ImageSets/Main/train.txt")
        return folder.url.appendingPathComponent("voc")
    }

    static func goodJPEG(width: Int = 32, height: Int = 32) throws -> Data { try JPEG.encode(makeImage(width: width, height: height)) }

    static func xml(_ objects: String, width: Int = 32, height: Int = 32) -> String {
        "<annotation>\n<size><width>\(width)</width><height>\(height)</height><depth>3</depth></size>\n\(objects)</annotation>\n"
    }

    static func object(_ name: String, _ xmin: Int, _ ymin: Int, _ xmax: Int, _ ymax: Int) -> String {
        "<object><name>\(name)</name><difficult>0</difficult><bndbox><xmin>\(xmin)</xmin><ymin>\(ymin)</ymin>"
            + "<xmax>\(xmax)</xmax><ymax>\(ymax)</ymax></bndbox></object>\n"
    }

    static func problem(_ dataset: DetectionDataset, _ kind: DataProblem.Kind, file suffix: String) -> DataProblem? {
        dataset.problems.first { $0.kind == kind && $0.file.hasSuffix(suffix) }
    }

    @Test func badImagesAreSkippedWithTheirReason() throws {
        let folder = try TemporaryFolder("images")
        let root = try Self.voc(folder, extraIDs: ["trunc", "notjpeg", "corrupt"])
        var full = try Self.goodJPEG(width: 64, height: 64)
        try folder.write(full.prefix(full.count - 40), to: "voc/VOC2007/JPEGImages/trunc.jpg")
        try folder.write("hello, not a jpeg", to: "voc/VOC2007/JPEGImages/notjpeg.jpg")
        var rng = SeededGenerator(seed: 1)
        full = try JPEG.encode(RGBImage(width: 96, height: 96, pixels: (0..<(96 * 96 * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        for i in 0..<32 { full[full.count / 2 + i] = 0xFF }
        try folder.write(full, to: "voc/VOC2007/JPEGImages/corrupt.jpg")
        for id in ["trunc", "notjpeg", "corrupt"] {
            try folder.write(Self.xml(Self.object("cat", 2, 2, 10, 10)), to: "voc/VOC2007/Annotations/\(id).xml")
        }
        var options = Self.options
        options.imageCheck = .decode
        let dataset = try DatasetReader.load(root, split: .train, options: options)
        #expect(dataset.samples.count == 4, "the good images are all read")
        #expect(dataset.skippedCount == 3)
        let truncated = try #require(Self.problem(dataset, .corruptImage, file: "trunc.jpg"))
        #expect(truncated.skipped && truncated.reason.contains("Premature end") || truncated.reason.contains("truncated"))
        #expect(Self.problem(dataset, .unsupportedImage, file: "notjpeg.jpg")?.reason.contains("not a JPEG") == true)
        #expect(Self.problem(dataset, .corruptImage, file: "corrupt.jpg")?.reason.contains("Corrupt JPEG data") == true)
        // The default header check finds the truncation (no end-of-image marker) without decoding.
        let quick = try DatasetReader.load(root, split: .train, options: Self.options)
        #expect(Self.problem(quick, .corruptImage, file: "trunc.jpg")?.reason.contains("truncated") == true)
    }

    /// FoundationXML force-unwraps element names it cannot decode: a stray byte in a tag name
    /// trapped the process before the reader checked the bytes (found by the mutation tests).
    @Test func annotationsThatAreNotUTF8AreRefusedWithTheirLine() throws {
        let bad = Data("<annotation>\n<size><width>32</width><height>32</height></size>\n<object><n".utf8) + Data([0xFF])
            + Data("ame>cat</n\u{FF}ame></object>\n</annotation>\n".utf8)
        #expect {
            _ = try VOCAnnotation.parse(bad)
        } throws: { error in
            let e = error as! XMLSyntaxError
            return e.line == 3 && e.reason.contains("not UTF-8") && e.reason.contains("0xFF")
        }
        // Latin-1 bytes are fine where the prolog declares Latin-1.
        let latin1 = Data("<?xml version='1.0' encoding='iso-8859-1'?>\n<annotation><folder>".utf8) + Data([0xE9]) + Data("</folder></annotation>".utf8)
        #expect(try VOCAnnotation.parse(latin1).objects.isEmpty)
    }

    @Test func malformedXMLAndMissingFilesAreSkippedWithLineOrReason() throws {
        let folder = try TemporaryFolder("xml")
        let root = try Self.voc(folder, extraIDs: ["broken", "noxml", "nojpg", "notvoc"])
        try folder.write(Self.goodJPEG(), to: "voc/VOC2007/JPEGImages/broken.jpg")
        try folder.write("<annotation>\n<size><width>32</width>\n<height>32</height></size>\n<object><name>cat</name>\n</annotation>\n",
                         to: "voc/VOC2007/Annotations/broken.xml")
        try folder.write(Self.goodJPEG(), to: "voc/VOC2007/JPEGImages/noxml.jpg")
        try folder.write(Self.xml(Self.object("cat", 2, 2, 10, 10)), to: "voc/VOC2007/Annotations/nojpg.xml")
        try folder.write(Self.goodJPEG(), to: "voc/VOC2007/JPEGImages/notvoc.jpg")
        try folder.write("<svg></svg>", to: "voc/VOC2007/Annotations/notvoc.xml")
        let dataset = try DatasetReader.load(root, split: .train, options: Self.options)
        #expect(dataset.samples.count == 4 && dataset.skippedCount == 4)
        let broken = try #require(Self.problem(dataset, .malformedAnnotation, file: "broken.xml"))
        #expect(broken.skipped && broken.line != nil && broken.line! >= 4, "the parser stops at the unclosed <object>: \(broken)")
        #expect(Self.problem(dataset, .missingAnnotation, file: "noxml.xml")?.reason.contains("train.txt:6") == true)
        #expect(Self.problem(dataset, .missingImage, file: "nojpg.jpg")?.skipped == true)
        #expect(Self.problem(dataset, .malformedAnnotation, file: "notvoc.xml")?.reason.contains("<svg>") == true)
    }

    @Test func vocBoxesAreClippedOrDroppedAndUnknownClassesDropped() throws {
        let folder = try TemporaryFolder("boxes")
        let root = try Self.voc(folder, extraIDs: ["boxes"])
        try folder.write(Self.goodJPEG(), to: "voc/VOC2007/JPEGImages/boxes.jpg")
        try folder.write(Self.xml(Self.object("cat", -4, 2, 50, 10) + Self.object("dog", 5, 5, 5, 20)
                                  + Self.object("unicorn", 2, 2, 8, 8) + Self.object("bird", 3, 3, 12, 12)
                                  + "<object><name>dog</name><bndbox><xmin>a</xmin></bndbox></object>\n"),
                         to: "voc/VOC2007/Annotations/boxes.xml")
        let dataset = try DatasetReader.load(root, split: .train, options: Self.options)
        let sample = try #require(dataset.samples.first { $0.imagePath.hasSuffix("boxes.jpg") })
        #expect(sample.objects.map(\.classIndex) == [0, 2], "the clipped cat and the bird remain")
        #expect(sample.objects[0].box == BoxXYXY(x1: 0, y1: 1, x2: 32, y2: 9))
        let clipped = try #require(Self.problem(dataset, .boxClipped, file: "boxes.xml"))
        #expect(!clipped.skipped && clipped.line == 3 && clipped.element == "object[0] cat/bndbox")
        #expect(Self.problem(dataset, .emptyBox, file: "boxes.xml")?.reason.contains("zero area") == true)
        #expect(Self.problem(dataset, .unknownClass, file: "boxes.xml")?.reason.contains("'unicorn'") == true)
        #expect(Self.problem(dataset, .malformedAnnotation, file: "boxes.xml")?.reason.contains("xmin") == true)
    }

    @Test func yoloLabelProblemsNameFileAndLine() throws {
        let folder = try TemporaryFolder("yolo")
        for name in ["fields", "text", "clip", "empty", "cls", "dup", "nolabel"] {
            try folder.write(Self.goodJPEG(), to: "y/images/\(name).jpg")
        }
        try folder.write("0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2\n", to: "y/labels/fields.txt")
        try folder.write("0 0.5 abc 0.2 0.2\n", to: "y/labels/text.txt")
        try folder.write("0 0.9 0.5 0.4 0.2\n", to: "y/labels/clip.txt")
        try folder.write("0 0.5 0.5 0 0.2\n", to: "y/labels/empty.txt")
        try folder.write("7 0.5 0.5 0.2 0.2\n2 0.5 0.5 0.2 0.2\n", to: "y/labels/cls.txt")
        try folder.write("1 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2\n", to: "y/labels/dup.txt")
        try folder.write("0 0.5 0.5 0.2 0.2\n", to: "y/labels/orphan.txt")
        let dataset = try DatasetReader.load(folder.url.appendingPathComponent("y"), split: .train, options: Self.options)
        #expect(dataset.samples.count == 5, "fields and text are skipped")
        let fields = try #require(Self.problem(dataset, .badLabelLine, file: "fields.txt"))
        #expect(fields.skipped && fields.line == 2 && fields.reason.contains("4 fields"))
        #expect(Self.problem(dataset, .badLabelLine, file: "text.txt")?.reason.contains("'abc'") == true)
        let clip = try #require(dataset.samples.first { $0.imagePath.hasSuffix("clip.jpg") })
        #expect(clip.objects.first?.box == BoxXYXY(x1: 22.4, y1: 12.8, x2: 32, y2: 19.2))
        #expect(Self.problem(dataset, .boxClipped, file: "clip.txt")?.line == 1)
        #expect(Self.problem(dataset, .emptyBox, file: "empty.txt") != nil)
        #expect(Self.problem(dataset, .unknownClass, file: "cls.txt")?.reason.contains("class 7") == true)
        #expect(dataset.samples.first { $0.imagePath.hasSuffix("cls.jpg") }?.objects.count == 1)
        #expect(Self.problem(dataset, .duplicateLabel, file: "dup.txt")?.line == 2)
        #expect(Self.problem(dataset, .missingLabels, file: "nolabel.jpg")?.skipped == false, "a background image, reported")
        #expect(Self.problem(dataset, .missingImage, file: "orphan.txt")?.skipped == true)
        #expect(Self.problem(dataset, .splitOverlap, file: "images")?.reason.contains("every image") == true,
                "a flat images/ serves both splits, with a warning")
    }

    @Test func emptyDatasetsAndWrongLayoutsThrowWithTheReason() throws {
        let folder = try TemporaryFolder("fatal")
        // A split whose every image is bad.
        try folder.write(Self.goodJPEG().prefix(50), to: "y/images/train/a.jpg")
        try folder.write("0 0.5 0.5 0.2 0.2\n", to: "y/labels/train/a.txt")
        #expect {
            _ = try DatasetReader.load(folder.url.appendingPathComponent("y"), split: .train, options: Self.options)
        } throws: { error in
            let e = error as! DataError
            return e.reason.contains("no usable images") && e.reason.contains("a.jpg")
        }
        // An empty split file.
        try folder.write("", to: "v/VOC2007/ImageSets/Main/train.txt")
        try FileManager.default.createDirectory(at: try folder.file("v/VOC2007/Annotations/x"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: try folder.file("v/VOC2007/JPEGImages/x"), withIntermediateDirectories: true)
        #expect { _ = try DatasetReader.load(folder.url.appendingPathComponent("v"), split: .train) } throws: { error in
            (error as! DataError).reason.contains("split is empty")
        }
        // No image set for the split at all.
        #expect { _ = try DatasetReader.load(folder.url.appendingPathComponent("v"), split: .val) } throws: { error in
            (error as! DataError).reason.contains("test.txt")
        }
        // Not a dataset.
        try folder.write("hello", to: "nothing/readme.txt")
        #expect { _ = try DatasetReader.load(folder.url.appendingPathComponent("nothing"), split: .train) } throws: { error in
            let e = error as! DataError
            return e.reason.contains("unrecognised dataset layout") && e.file.hasSuffix("nothing")
        }
        #expect(throws: DataError.self) { _ = try DatasetReader.load(folder.url.appendingPathComponent("missing"), split: .train) }
        // A YOLO folder with images/train/ but no images/val/.
        #expect {
            _ = try DatasetReader.load(folder.url.appendingPathComponent("y"), split: .val, options: Self.options)
        } throws: { error in
            (error as! DataError).reason.contains("no val/ folder")
        }
        // A YOLO folder without class names.
        #expect { _ = try DatasetReader.load(folder.url.appendingPathComponent("y"), split: .train) } throws: { error in
            (error as! DataError).reason.contains("class names")
        }
    }

    /// A data YAML goes through ConfigFile like every other YAML: errors name file, line and field.
    @Test func badDataYAMLsNameTheLineAndField() throws {
        let folder = try TemporaryFolder("yaml")
        try TinyDataset.writeYOLO(in: folder)
        let cases: [(String, String, Int, String)] = [
            ("path: yolo\ntrain: images/train\nval: images/train\nnc: 2\nnames: [cat, dog, bird]\n", "nc = 2", 4, "nc"),
            ("path: yolo\ntrain: images/train\nnames: [cat, dog, bird]\n", "missing 'val'", 1, ""),
            ("path: yolo\ntrain: images/nowhere\nval: images/train\nnames: [cat, dog, bird]\n", "does not exist", 2, "train"),
            ("path: yolo\ntrain: [images/train, images/nowhere]\nval: images/train\nnames: [cat, dog, bird]\n", "does not exist", 2, "train[1]"),
            ("path: yolo\ntrain: images/train\nval: images/train\nnames: {0: cat, 2: dog}\n", "without gaps", 4, "names"),
            ("path: yolo\ntrain: images/train\nval: images/train\nnames: [cat, dog, cat]\n", "'cat' appears twice", 4, "names"),
            ("path: yolo\ntrain: images/train\nval: images/train\nnames: [cat, [dog], bird]\n", "expected a text value", 4, "names[1]"),
            ("path: yolo\ntrain: images/train\nval: images/train\nnc: -3\n", "positive", 4, "nc"),
            ("path: yolo\ntrain: images/train\nval: images/train\nnames: {0: cat}\nnames: [dog]\n", "'names' appears twice", 4, ""),
            ("path: yolo\ntrain: [images/train\nval: x\n", "not valid YAML", 3, ""),
            ("- a\n- b\n", "expected a mapping", 1, ""),
            // libyaml's reader gives a byte offset, not a line: the line is worked out from it.
            ("path: yolo\ntrain: images/train\nval: images/\u{01}train\nnames: [cat]\n", "control characters", 3, ""),
            // Made-up names for nc classes, but not 10^18 of them.
            ("path: yolo\ntrain: images/train\nval: images/train\nnc: 1000000000000000000\n", "list the names", 4, "nc"),
            ("path: yolo\ntrain: images/train\nval: images/train\nnc: nan\n", "expected an integer", 4, "nc"),
        ]
        for (i, (text, reason, line, field)) in cases.enumerated() {
            let file = try folder.write(text, to: "bad\(i).yaml")
            #expect {
                _ = try DatasetReader.load(file, split: .train)
            } throws: { error in
                guard let e = error as? ConfigError else { return false }
                return e.reason.contains(reason) && e.line == line && e.file == file.path && e.field == field
            }
        }
    }
}
