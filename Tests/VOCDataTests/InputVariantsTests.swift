import Foundation
import Testing
@testable import VOCData

/// Real-world files differ from the devkit's in ways nobody sees in an editor: encodings declared
/// in an XML prolog, namespaces, CDATA, missing flags, float coordinates, upper-case extensions,
/// symbolic links, bytes after a JPEG's end. Each such file, when YOLOv5 or the VOC devkit reads
/// it, reads here into the same samples as the plain version.
@Suite struct InputVariantsTests {
    static let options = ReaderOptions(classNames: TinyDataset.names)

    /// The tiny dataset as a plain VOCdevkit, read: what every variant must give.
    static func reference() throws -> DetectionDataset {
        let folder = try TemporaryFolder("reference")
        try TinyDataset.writeVOC(in: folder)
        return try DatasetReader.load(folder.url.appendingPathComponent("voc"), split: .train, options: options)
    }

    static func vocRoot(_ folder: TemporaryFolder) -> URL { folder.url.appendingPathComponent("voc") }

    @Test func xmlEncodingsNamespacesCommentsAndCDATA() throws {
        let folder = try TemporaryFolder("xml")
        try TinyDataset.writeVOC(in: folder)
        let a001 = TinyDataset.images[0], a002 = TinyDataset.images[1]
        // a001: ISO-8859-1 declared in the prolog, with a Latin-1 byte in a field nobody reads;
        // a default namespace and a comment between elements.
        var latin1 = Data("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n".utf8)
        latin1 += TinyDataset.xml(a001)
            .replacingOccurrences(of: "<annotation>", with: "<annotation xmlns=\"http://example.org/voc\">\n<!-- <object><name>dog</name></object> -->")
            .replacingOccurrences(of: "<pose>Unspecified</pose>", with: "<pose>Vorn\u{E9}</pose>")
            .data(using: .isoLatin1)!
        try folder.write(latin1, to: "voc/VOC2007/Annotations/a001.xml")
        // a002: prefixed namespace, class names in CDATA sections.
        let prefixed = TinyDataset.xml(a002)
            .replacingOccurrences(of: "<annotation>", with: "<v:annotation xmlns:v=\"http://example.org/voc\">")
            .replacingOccurrences(of: "</annotation>", with: "</v:annotation>")
            .replacingOccurrences(of: "<name>bird</name>", with: "<name><![CDATA[bird]]></name>")
            .replacingOccurrences(of: "<name>cat</name>", with: "<name>\n\t<![CDATA[cat]]>\n</name>")
        try folder.write(prefixed, to: "voc/VOC2007/Annotations/a002.xml")
        let read = try DatasetReader.load(Self.vocRoot(folder), split: .train, options: Self.options)
        let reference = try Self.reference()
        expectSameSamples(read.samples, reference.samples)
        #expect(read.difficultObjectsPerClass == reference.difficultObjectsPerClass, "the difficult cat in CDATA is still a cat")
        #expect(read.problems.isEmpty, "\(read.problems)")
    }

    @Test func difficultAndTruncatedFlagsInEverySpelling() throws {
        let folder = try TemporaryFolder("flags")
        try TinyDataset.writeVOC(in: folder)
        let spellings: [(String?, Bool)] = [(nil, false), ("0", false), ("", false), ("1", true), ("1.0", true),
                                            ("true", true), (" 1 ", true), ("0.0", false)]
        var objects = ""
        for (text, _) in spellings {
            let flag = text.map { "<difficult>\($0)</difficult><truncated>\($0)</truncated>" } ?? ""
            objects += "<object><name>dog</name>\(flag)<bndbox><xmin>3</xmin><ymin>3</ymin><xmax>20</xmax><ymax>20</ymax></bndbox></object>\n"
        }
        try folder.write("<annotation><size><width>40</width><height>32</height></size>\n\(objects)</annotation>",
                         to: "voc/VOC2007/Annotations/a004.xml")
        var options = Self.options
        options.difficult = .keepFlagged
        let read = try DatasetReader.load(Self.vocRoot(folder), split: .train, options: options)
        let a004 = try #require(read.samples.first { $0.imagePath.hasSuffix("a004.jpg") })
        #expect(a004.objects.map(\.difficult) == spellings.map(\.1))
        #expect(a004.objects.map(\.truncated) == spellings.map(\.1))
        #expect(read.problems.isEmpty, "\(read.problems)")
    }

    @Test func floatCoordinatesAndSizesAndAMissingSize() throws {
        let folder = try TemporaryFolder("floats")
        try TinyDataset.writeVOC(in: folder)
        // a001 with float corners and float sizes ("64.0"), as some converters write them.
        try folder.write("<annotation><size><width>64.0</width><height>48.0</height></size>\n"
                         + "<object><name>cat</name><bndbox><xmin>5.0</xmin><ymin>6</ymin><xmax>30.5</xmax><ymax>4.0e1</ymax></bndbox></object>\n"
                         + "<object><name>dog</name><bndbox><xmin> 33 </xmin><ymin>2</ymin><xmax>60</xmax><ymax>20</ymax></bndbox></object>\n"
                         + "</annotation>", to: "voc/VOC2007/Annotations/a001.xml")
        // a004 with no <size> at all: the JPEG's size is used (with a warning).
        try folder.write("<annotation><object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>40</xmax><ymax>32</ymax></bndbox></object></annotation>",
                         to: "voc/VOC2007/Annotations/a004.xml")
        let read = try DatasetReader.load(Self.vocRoot(folder), split: .train, options: Self.options)
        let reference = try Self.reference()
        #expect(read.samples[0].objects[0].box == BoxXYXY(x1: 4, y1: 5, x2: 29.5, y2: 39))
        var expected = reference.samples
        expected[0].objects[0].box.x2 = 29.5
        expectSameSamples(read.samples, expected)
        #expect(read.problems.map(\.kind) == [.malformedAnnotation] && read.problems[0].file.hasSuffix("a004.xml"),
                "only the missing size is reported: \(read.problems)")
    }

    @Test func upperCaseAndLongJPEGExtensions() throws {
        let reference = try Self.reference()
        // VOC: JPEGImages/a001.JPG, a002.jpeg, a003.JPEG (cameras, annotation tools).
        let voc = try TemporaryFolder("ext-voc")
        try TinyDataset.writeVOC(in: voc)
        for (id, ext) in [("a001", "JPG"), ("a002", "jpeg"), ("a003", "JPEG")] {
            let jpegs = voc.url.appendingPathComponent("voc/VOC2007/JPEGImages")
            try FileManager.default.moveItem(at: jpegs.appendingPathComponent("\(id).jpg"), to: jpegs.appendingPathComponent("\(id).\(ext)"))
        }
        let vocRead = try DatasetReader.load(Self.vocRoot(voc), split: .train, options: Self.options)
        expectSameSamples(vocRead.samples, reference.samples, ignoringExtension: true)
        #expect(vocRead.samples.map { URL(fileURLWithPath: $0.imagePath).pathExtension } == ["JPG", "jpeg", "JPEG", "jpg"])
        #expect(vocRead.problems.isEmpty, "\(vocRead.problems)")
        // YOLO: images/train/a001.JPG with labels/train/a001.txt; a list file naming them.
        let yolo = try TemporaryFolder("ext-yolo")
        try TinyDataset.writeYOLO(in: yolo)
        let images = yolo.url.appendingPathComponent("yolo/images/train")
        try FileManager.default.moveItem(at: images.appendingPathComponent("a001.jpg"), to: images.appendingPathComponent("a001.JPG"))
        try FileManager.default.moveItem(at: images.appendingPathComponent("a002.jpg"), to: images.appendingPathComponent("a002.Jpeg"))
        let yoloRead = try DatasetReader.load(yolo.url.appendingPathComponent("yolo"), split: .train, options: Self.options)
        expectSameSamples(yoloRead.samples, reference.samples, ignoringExtension: true)
        try yolo.write("yolo/images/train/a001.JPG\nyolo/images/train/a002.Jpeg\n", to: "list.txt")
        try yolo.write("train: list.txt\nval: list.txt\nnames: [cat, dog, bird]\n", to: "data.yaml")
        let listed = try DatasetReader.load(yolo.url.appendingPathComponent("data.yaml"), split: .train)
        expectSameSamples(listed.samples, Array(reference.samples.prefix(2)), ignoringExtension: true)
    }

    @Test func symbolicallyLinkedFoldersAndImages() throws {
        let reference = try Self.reference()
        let folder = try TemporaryFolder("links")
        try TinyDataset.writeYOLO(in: folder, root: "store")
        // YOLO: images/train is a link to another folder (FileManager's enumerator does not enter
        // it; Python's glob does); labels/train is a real folder.
        let fm = FileManager.default
        try fm.createDirectory(at: folder.url.appendingPathComponent("yolo/images"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: folder.url.appendingPathComponent("yolo/images/train"),
                                  withDestinationURL: folder.url.appendingPathComponent("store/images/train"))
        try fm.copyItem(at: folder.url.appendingPathComponent("store/labels"), to: folder.url.appendingPathComponent("yolo/labels"))
        let read = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train, options: Self.options)
        expectSameSamples(read.samples, reference.samples)
        #expect(read.samples.allSatisfy { $0.imagePath.contains("/yolo/images/train/") }, "paths keep the link's spelling")
        // VOC: JPEGImages a link to a folder of relative links to the files.
        let voc = try TemporaryFolder("links-voc")
        try TinyDataset.writeVOC(in: voc)
        let jpegs = voc.url.appendingPathComponent("voc/VOC2007/JPEGImages")
        try fm.moveItem(at: jpegs, to: voc.url.appendingPathComponent("originals"))
        try fm.createDirectory(at: voc.url.appendingPathComponent("linked"), withIntermediateDirectories: true)
        for image in TinyDataset.images {
            try fm.createSymbolicLink(atPath: voc.url.appendingPathComponent("linked/\(image.id).jpg").path,
                                      withDestinationPath: "../originals/\(image.id).jpg")
        }
        try fm.createSymbolicLink(at: jpegs, withDestinationURL: voc.url.appendingPathComponent("linked"))
        let vocRead = try DatasetReader.load(Self.vocRoot(voc), split: .train, options: Self.options)
        expectSameSamples(vocRead.samples, reference.samples)
    }

    @Test func hiddenFilesAreNoImages() throws {
        let folder = try TemporaryFolder("hidden")
        try TinyDataset.writeYOLO(in: folder)
        // macOS copies leave AppleDouble files beside each image; Python's glob skips dot-files.
        try folder.write(Data([0x00, 0x05, 0x16, 0x07]), to: "yolo/images/train/._a001.jpg")
        try folder.write(TinyDataset.jpeg(TinyDataset.images[0]), to: "yolo/images/train/.cache/a009.jpg")
        let read = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train, options: Self.options)
        #expect(read.samples.count == 4)
        #expect(read.problems.isEmpty, "\(read.problems)")
    }

    @Test func imageBytesDecideNotTheExtension() throws {
        let folder = try TemporaryFolder("sniff")
        try TinyDataset.writeYOLO(in: folder)
        let images = folder.url.appendingPathComponent("yolo/images/train")
        // A JPEG saved as .png (YOLOv5 reads it through PIL, which looks at the bytes).
        try FileManager.default.moveItem(at: images.appendingPathComponent("a001.jpg"), to: images.appendingPathComponent("a001.png"))
        // A PNG saved as .jpg: refused as a PNG, not as a broken JPEG.
        try folder.write(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]), to: "yolo/images/train/a003.jpg")
        let read = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train, options: Self.options)
        #expect(read.samples.map { URL(fileURLWithPath: $0.imagePath).lastPathComponent } == ["a001.png", "a002.jpg", "a004.jpg"])
        let png = try #require(read.problems.first { $0.file.hasSuffix("a003.jpg") })
        #expect(png.kind == .unsupportedImage && png.reason.contains("PNG"), "\(png)")
    }

    @Test func bytesAfterTheJPEGEndAreAcceptedATruncationIsNot() throws {
        let folder = try TemporaryFolder("trailing")
        try TinyDataset.writeVOC(in: folder)
        let url = folder.url.appendingPathComponent("voc/VOC2007/JPEGImages/a001.jpg")
        let jpeg = try Data(contentsOf: url)
        // Cameras and editors append data after FF D9 (padding, a second preview); YOLOv5 accepts them.
        try (jpeg + Data(repeating: 0, count: 37)).write(to: url)
        try folder.write(jpeg.prefix(jpeg.count - 30), to: "voc/VOC2007/JPEGImages/a002.jpg")
        let read = try DatasetReader.load(Self.vocRoot(folder), split: .train, options: Self.options)
        #expect(read.samples.map { URL(fileURLWithPath: $0.imagePath).lastPathComponent } == ["a001.jpg", "a003.jpg", "a004.jpg"])
        let cut = try #require(read.problems.first)
        #expect(cut.file.hasSuffix("a002.jpg") && cut.kind == .corruptImage && cut.reason.contains("truncated"), "\(cut)")
    }

    @Test func labelNumbersInEverySpellingAndPolygons() throws {
        let reference = try TemporaryFolder("labels-ref"), folder = try TemporaryFolder("labels")
        try TinyDataset.writeYOLO(in: reference)
        try TinyDataset.writeYOLO(in: folder)
        // a001 (64×48): cat 4…29 × 5…39, dog 32…59 × 1…19. Tabs, exponents, signs, a class "1.0",
        // and the dog as a polygon (YOLOv5's segment labels: its box is the polygon's extent).
        let dog = [(32.0, 1.0), (59.0, 10.0), (45.0, 19.0), (32.0, 19.0)].map { "\($0.0 / 64) \($0.1 / 48)" }.joined(separator: " ")
        try folder.write("0\t2.578125e-01 \t +0.4583333333 3.90625e-1\t0.7083333333\n1.0 \(dog)\n", to: "yolo/labels/train/a001.txt")
        let expected = try DatasetReader.load(reference.url.appendingPathComponent("yolo"), split: .train, options: Self.options)
        let read = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train, options: Self.options)
        expectSameSamples(read.samples, expected.samples)
        #expect(read.problems.isEmpty, "\(read.problems)")
        // A huge class index is an unknown class, never a trap (Int(1e30) would trap).
        try folder.write("1e30 0.5 0.5 0.2 0.2\n", to: "yolo/labels/train/a003.txt")
        let huge = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train, options: Self.options)
        #expect(huge.problems.first?.kind == .unknownClass && huge.problems.first?.line == 1)
        // Six fields are neither a box nor a polygon.
        try folder.write("0 0.5 0.5 0.2 0.2 0.1\n", to: "yolo/labels/train/a003.txt")
        let six = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train, options: Self.options)
        #expect(six.problems.first?.kind == .badLabelLine && six.problems.first?.reason.contains("6 fields") == true)
    }

    @Test func dataYAMLsWithSeveralFoldersListsAndParentPaths() throws {
        let reference = try Self.reference()
        let folder = try TemporaryFolder("yaml-lists")
        try TinyDataset.writeYOLO(in: folder, root: "data/yolo")
        let images = folder.url.appendingPathComponent("data/yolo/images/train")
        // Split the images over two folders, with their labels beside them.
        for (id, part) in [("a001", "part1"), ("a002", "part1"), ("a003", "part2"), ("a004", "part2")] {
            let labels = folder.url.appendingPathComponent("data/yolo/labels/train")
            for (base, ext) in [(images, "jpg"), (labels, "txt")] {
                let target = base.deletingLastPathComponent().appendingPathComponent("\(part)/\(id).\(ext)")
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.moveItem(at: base.appendingPathComponent("\(id).\(ext)"), to: target)
            }
        }
        // Several folders; a list file of any name with ./ and plain relative paths; a "../" entry
        // that YOLOv5 retries without the "../".
        try folder.write("./yolo/images/part1/a001.jpg\n  yolo/images/part1/a002.jpg  \n\n", to: "data/first.list")
        try folder.write("""
            path: data
            train: [yolo/images/part1, yolo/images/part2]
            val:
              - first.list
              - ../yolo/images/part2
            download: |
              import os  # YOLOv5 runs this; FreezeStudy ignores it
            names: [cat, dog, bird]

            """, to: "several.yaml")
        let train = try DatasetReader.load(folder.url.appendingPathComponent("several.yaml"), split: .train)
        let val = try DatasetReader.load(folder.url.appendingPathComponent("several.yaml"), split: .val)
        expectSameSamples(train.samples, reference.samples)
        expectSameSamples(val.samples, reference.samples)
    }

    @Test func phonePhotosAreReadUpright() throws {
        let reference = try TemporaryFolder("upright-ref"), folder = try TemporaryFolder("upright")
        try TinyDataset.writeYOLO(in: reference)
        try TinyDataset.writeYOLO(in: folder)
        // a001 stored turned a quarter counter-clockwise (48 × 64 pixels) with EXIF orientation 6,
        // as a phone stores a photo; its labels describe the upright 64 × 48 picture.
        let a001 = TinyDataset.images[0]
        let upright = try JPEG.decode(TinyDataset.jpeg(a001))
        var stored = RGBImage(width: upright.height, height: upright.width, fill: 0)
        for y in 0..<stored.height { for x in 0..<stored.width { stored[x, y] = upright[stored.height - 1 - y, x] } }
        let plain = [UInt8](try JPEG.encode(stored, quality: 100, subsampling: .s444))
        try folder.write(Data(plain.prefix(2) + JPEGTests.exifSegment(orientation: 6, bigEndian: true) + plain.dropFirst(2)),
                         to: "yolo/images/train/a001.jpg")
        let options = Self.options
        let read = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train, options: options)
        let expected = try DatasetReader.load(reference.url.appendingPathComponent("yolo"), split: .train, options: options)
        expectSameSamples(read.samples, expected.samples)
        #expect(read.samples[0].width == 64 && read.samples[0].height == 48)
        let pixels = try JPEG.decode(contentsOf: URL(fileURLWithPath: read.samples[0].imagePath))
        #expect(pixels.width == 64 && pixels.height == 48)
        // The red cat painted at VOC 5…30 × 6…40 is where its label says, in the upright picture.
        let cat = try #require(pixelExtent(pixels) { r, g, b in r > 180 && g < 90 && b < 90 })
        #expect(abs(cat.x1 - 4) <= 1 && abs(cat.x2 - 30) <= 1 && abs(cat.y1 - 5) <= 1 && abs(cat.y2 - 40) <= 1, "\(cat)")
    }
}
