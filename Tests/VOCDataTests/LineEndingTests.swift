import ConfigFile
import Foundation
import Testing
@testable import VOCData

/// Every line-wise file a dataset has, saved the ways editors save it, reads into the same samples
/// as its LF version. (Swift's "\r\n" is one Character, so `split(separator: "\n")` never splits a
/// Windows file: a CRLF image set was read as one id, a CRLF label file refused.)
@Suite struct LineEndingTests {
    /// How a text file may differ invisibly from the LF original.
    enum Variant: String, CaseIterable, CustomTestStringConvertible {
        case lf, crlf, cr, bom, bomCRLF, trailingBlanks, noFinalNewline, utf16

        var testDescription: String { rawValue }

        /// `text` (LF line endings, a final newline) saved this way. YAML forbids tabs where a
        /// token could start (PyYAML too), so a YAML file gets trailing spaces only.
        func bytes(_ text: String, tabs: Bool = true) -> Data {
            switch self {
            case .lf: return Data(text.utf8)
            case .crlf: return Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
            case .cr: return Data(text.replacingOccurrences(of: "\n", with: "\r").utf8)
            case .bom: return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
            case .bomCRLF: return Data([0xEF, 0xBB, 0xBF]) + Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
            case .trailingBlanks:
                let blanks = tabs ? " \t " : "   "
                return Data(text.replacingOccurrences(of: "\n", with: blanks + "\n").utf8) + Data("  \n\(blanks)\n".utf8)
            case .noFinalNewline: return Data(String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)).utf8)
            case .utf16: return Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!
            }
        }
    }

    static let options = ReaderOptions(classNames: TinyDataset.names)

    /// Rewrites `relative` under `folder` as `variant`.
    static func rewrite(_ folder: TemporaryFolder, _ relative: String, as variant: Variant, tabs: Bool = true) throws {
        let url = folder.url.appendingPathComponent(relative)
        let text = try String(contentsOf: url, encoding: .utf8)
        try variant.bytes(text, tabs: tabs).write(to: url)
    }

    static func expectSame(_ read: DetectionDataset, _ reference: DetectionDataset, _ variant: Variant,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(read.samples.count == reference.samples.count, "\(variant): \(read.samples.count) samples", sourceLocation: sourceLocation)
        expectSameSamples(read.samples, reference.samples, sourceLocation: sourceLocation)
        #expect(read.classNames == reference.classNames, sourceLocation: sourceLocation)
        // The two copies live in different folders, so problems are compared by kind and line.
        #expect(read.problems.map { "\($0.kind) \($0.line ?? 0)" } == reference.problems.map { "\($0.kind) \($0.line ?? 0)" },
                "\(variant): \(read.problems)", sourceLocation: sourceLocation)
    }

    @Test(arguments: Variant.allCases)
    func vocImageSets(_ variant: Variant) throws {
        let reference = try TemporaryFolder("sets-lf"), folder = try TemporaryFolder("sets")
        try TinyDataset.writeVOC(in: reference)
        try TinyDataset.writeVOC(in: folder)
        try Self.rewrite(folder, "voc/VOC2007/ImageSets/Main/train.txt", as: variant)
        let lf = try DatasetReader.load(reference.url.appendingPathComponent("voc"), split: .train, options: Self.options)
        let read = try DatasetReader.load(folder.url.appendingPathComponent("voc"), split: .train, options: Self.options)
        #expect(lf.samples.count == 4)
        Self.expectSame(read, lf, variant)
    }

    @Test(arguments: Variant.allCases)
    func vocAnnotations(_ variant: Variant) throws {
        let reference = try TemporaryFolder("xml-lf"), folder = try TemporaryFolder("xml")
        try TinyDataset.writeVOC(in: reference)
        try TinyDataset.writeVOC(in: folder)
        for image in TinyDataset.images {
            let relative = "voc/VOC2007/Annotations/\(image.id).xml"
            let url = folder.url.appendingPathComponent(relative)
            var text = try String(contentsOf: url, encoding: .utf8)
            // A UTF-16 XML file declares it, as XML requires of a file that is not UTF-8.
            if variant == .utf16 { text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n" + text }
            try variant.bytes(text).write(to: url)
        }
        let lf = try DatasetReader.load(reference.url.appendingPathComponent("voc"), split: .train, options: Self.options)
        let read = try DatasetReader.load(folder.url.appendingPathComponent("voc"), split: .train, options: Self.options)
        Self.expectSame(read, lf, variant)
    }

    @Test(arguments: Variant.allCases)
    func yoloLabels(_ variant: Variant) throws {
        let reference = try TemporaryFolder("labels-lf"), folder = try TemporaryFolder("labels")
        try TinyDataset.writeYOLO(in: reference)
        try TinyDataset.writeYOLO(in: folder)
        for image in TinyDataset.images { try Self.rewrite(folder, "yolo/labels/train/\(image.id).txt", as: variant) }
        let lf = try DatasetReader.load(reference.url.appendingPathComponent("yolo"), split: .train, options: Self.options)
        let read = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train, options: Self.options)
        #expect(lf.samples.map(\.objects.count) == [2, 1, 0, 1])
        Self.expectSame(read, lf, variant)
    }

    @Test(arguments: Variant.allCases)
    func classesTxt(_ variant: Variant) throws {
        let reference = try TemporaryFolder("classes-lf"), folder = try TemporaryFolder("classes")
        for f in [reference, folder] {
            try TinyDataset.writeYOLO(in: f)
            try f.write(TinyDataset.names.map { $0 + "\n" }.joined(), to: "yolo/classes.txt")
        }
        try Self.rewrite(folder, "yolo/classes.txt", as: variant)
        let lf = try DatasetReader.load(reference.url.appendingPathComponent("yolo"), split: .train)
        let read = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train)
        #expect(lf.classNames == TinyDataset.names)
        Self.expectSame(read, lf, variant)
    }

    @Test(arguments: Variant.allCases)
    func imageListsAndDataYAML(_ variant: Variant) throws {
        let reference = try TemporaryFolder("list-lf"), folder = try TemporaryFolder("list")
        for f in [reference, folder] {
            try TinyDataset.writeYOLO(in: f)
            try f.write(TinyDataset.images.map { "./yolo/images/train/\($0.id).jpg\n" }.joined(), to: "train.txt")
            try f.write("# a list\ntrain: train.txt\nval:\n  - train.txt\nnames:\n  0: cat\n  1: dog\n  2: bird\n", to: "data.yaml")
        }
        try Self.rewrite(folder, "train.txt", as: variant)
        try Self.rewrite(folder, "data.yaml", as: variant, tabs: false)
        for split in DataSplit.allCases {
            let lf = try DatasetReader.load(reference.url.appendingPathComponent("data.yaml"), split: split)
            let read = try DatasetReader.load(folder.url.appendingPathComponent("data.yaml"), split: split)
            #expect(lf.samples.count == 4)
            Self.expectSame(read, lf, variant)
        }
    }

    @Test func textFileSplitsEveryLineEndingAndKeepsLineNumbers() throws {
        let lines = TextFile.lines("\u{FEFF}a\r\nb\rc\n\nd")
        #expect(lines.map(\.number) == [1, 2, 3, 4, 5])
        #expect(lines.map { String($0.text) } == ["a", "b", "c", "", "d"])
        #expect(TextFile.lines("a\n").count == 1, "a final newline adds no line")
        #expect(TextFile.words(" 1\t2\u{A0}3 ").map(String.init) == ["1", "2", "3"])
        // YAML text that still starts with a BOM (libyaml, through Yams, stops at it) and errors'
        // lines in CR and CRLF files.
        #expect(try ConfigNode.parse("\u{FEFF}a: 1\r\nb: 2\r\n", file: "f.yaml").fields(allowed: nil)["b"]?.int() == 2)
        for ending in ["\r", "\r\n"] {
            let node = try ConfigNode.parse(["a: 1", "b: x", "c: 3"].joined(separator: ending), file: "f.yaml")
            #expect(throws: ConfigError(file: "f.yaml", line: 2, field: "b", reason: "expected a number, found 'x'")) {
                _ = try node.fields(allowed: nil)["b"]!.double()
            }
        }
        // Not UTF-8: the error names the line of the first bad byte (Latin-1 'é' on line 3, CR line endings).
        #expect {
            _ = try TextFile.decode(Data("a\rb\rcaf".utf8) + Data([0xE9]), file: "latin1.txt")
        } throws: { error in
            let e = error as! ConfigError
            return e.file == "latin1.txt" && e.line == 3 && e.reason.contains("0xE9") && e.reason.contains("UTF-8")
        }
    }
}
