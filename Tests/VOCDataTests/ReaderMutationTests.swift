import ConfigFile
import Foundation
import NeuralCore
import TestSupport
import Testing
@testable import VOCData

/// Seeded damage to valid VOC XML, YOLO labels, data YAMLs and JPEGs (issue 16 §4): every outcome
/// is a dataset or an error, never a trap or a hang, and every error or problem names the damaged
/// file and, in a text file, the line. `MUTATIONS_PER_KIND=2000` runs longer.
@Suite struct ReaderMutationTests {
    static let perKind = Damage.casesPerKind

    static let xml = TextMutator(punctuation: "<>/&;=\"'![]-?", nested: { String(repeating: "<a>", count: $0) + String(repeating: "</a>", count: $0) })
    static let yaml = TextMutator.yaml
    /// A label file has no nesting; its "deep" input is a line of that many fields.
    static let labels = TextMutator(punctuation: " \t\n\r.-+e", nested: { Array(repeating: "0.5", count: $0).joined(separator: " ") })

    @Test func damagedVOCAnnotations() throws {
        // The reader's own path from XML bytes to labels (VOCDevkitReader.readSample), in memory.
        let base = Array(TinyDataset.xml(TinyDataset.images[0]).utf8)
        let classIndex = Dictionary(uniqueKeysWithValues: TinyDataset.names.enumerated().map { ($1, $0) })
        var rng = SeededGenerator(seed: 16)
        var tally = MutationTally()
        for damage in Damage.allCases {
            for i in 0..<Self.perKind {
                let bytes = Data(Self.xml.apply(damage, to: base, using: &rng))
                switch VOCDevkitReader.labels(annotation: bytes, file: "m.xml", classIndex: classIndex, difficult: .keepFlagged,
                                              imageSize: (64, 48)) {
                case .failure(let problem):
                    tally.record(damage, case: i, error: ("\(problem)", problem.file == "m.xml" && problem.line != nil))
                case .success(let labels):
                    // Repaired labels are reported with the file and line too.
                    let unnamed = labels.problems.filter { $0.file != "m.xml" || $0.line == nil }
                    tally.record(damage, case: i, error: unnamed.isEmpty ? nil : ("\(unnamed)", false))
                    #expect(labels.objects.allSatisfy { $0.box.x1 >= 0 && $0.box.x2 <= 64 && $0.box.y1 >= 0 && $0.box.y2 <= 48 })
                }
            }
        }
        #expect(tally.badErrors.isEmpty, "\(tally.badErrors.prefix(5))")
        #expect(tally.total == Damage.allCases.count * Self.perKind)
        #expect((tally.refused[.truncation] ?? 0) > Self.perKind * 8 / 10, "\(tally)")
        print("VOC XML mutations: \(tally)")
    }

    @Test func damagedYOLOLabels() throws {
        let base = Array("0 0.2578125 0.4583333 0.390625 0.7083333\n1 0.7265625 0.2083333 0.421875 0.375\n2 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n".utf8)
        var rng = SeededGenerator(seed: 17)
        var tally = MutationTally()
        for damage in Damage.allCases {
            for i in 0..<Self.perKind {
                let bytes = Self.labels.apply(damage, to: base, using: &rng)
                let text: String
                do { text = try TextFile.decode(Data(bytes), file: "m.txt") } catch let error as ConfigError {
                    tally.record(damage, case: i, error: ("\(error)", error.file == "m.txt" && (error.line != nil || error.reason.contains("UTF-16"))))
                    continue
                }
                switch YOLOLayoutReader.parseLabels(text, file: "m.txt", classCount: 3, width: 64, height: 48) {
                case .failure(let problem):
                    tally.record(damage, case: i, error: ("\(problem)", problem.file == "m.txt" && problem.line != nil))
                case .success(let parsed):
                    let unnamed = parsed.problems.filter { $0.file != "m.txt" || $0.line == nil }
                    tally.record(damage, case: i, error: unnamed.isEmpty ? nil : ("\(unnamed)", false))
                    #expect(parsed.objects.allSatisfy { $0.box.x1.isFinite && $0.box.x2 <= 64 && $0.box.y2 <= 48 })
                }
            }
        }
        #expect(tally.badErrors.isEmpty, "\(tally.badErrors.prefix(5))")
        print("YOLO label mutations: \(tally)")
    }

    @Test func damagedDataYAMLs() throws {
        let folder = try TemporaryFolder("mutate-yaml")
        // One image keeps each read short.
        try folder.write(TinyDataset.jpeg(TinyDataset.images[3]), to: "yolo/images/train/a004.jpg")
        try folder.write("1 0.5 0.5 1 1\n", to: "yolo/labels/train/a004.txt")
        let scratch = try ScratchFile(folder.url.appendingPathComponent("data.yaml"))
        let file = scratch.url
        // With names, and with nc alone (so that huge numbers reach the class count).
        let bases = ["path: yolo\ntrain: [images/train]\nval: images/train\nnc: 3\nnames:\n  0: cat\n  1: dog\n  2: bird\n",
                     "path: yolo  # the root\ntrain: images/train\nval: [images/train, images/train]\nnc: 3\n"].map { Array($0.utf8) }
        var rng = SeededGenerator(seed: 18)
        var tally = MutationTally()
        for damage in Damage.allCases {
            for i in 0..<Self.perKind {
                try scratch.replace(with: Self.yaml.apply(damage, to: bases[i % 2], using: &rng))
                do {
                    _ = try DatasetReader.load(file, split: .train)
                    tally.record(damage, case: i, error: nil)
                } catch let error as ConfigError {
                    let good = error.file == file.path && (error.line != nil || error.reason.contains("empty"))
                    tally.record(damage, case: i, error: ("\(error)", good))
                } catch let error as DataError {
                    // Errors about the dataset the YAML points at name that file or folder.
                    tally.record(damage, case: i, error: ("\(error)", error.file.hasPrefix(folder.url.path)))
                }
            }
        }
        #expect(tally.badErrors.isEmpty, "\(tally.badErrors.prefix(5))")
        print("data YAML mutations: \(tally)")
    }

    @Test func damagedJPEGs() throws {
        // With an EXIF orientation, so that damage reaches the TIFF directory walk too.
        let plain = [UInt8](try JPEG.encode(makeImage(width: 40, height: 24, rectangles: [(4, 4, 20, 12, (200, 30, 30))]), quality: 90))
        let base = Array(plain.prefix(2)) + JPEGTests.exifSegment(orientation: 6, bigEndian: false) + Array(plain.dropFirst(2))
        #expect(try JPEG.decode(Data(base)).width == 24, "the base is read upright")
        // The start-of-frame fields: FF C0, length (2), precision (1), height (2), width (2).
        let sof = try #require((0..<(base.count - 1)).first { base[$0] == 0xFF && base[$0 + 1] == 0xC0 })
        let junk = TextMutator(punctuation: "\u{FF}\u{D8}\u{D9}\u{DA}\u{C0}\u{C4}\u{DB}", nested: { _ in "" })
        var rng = SeededGenerator(seed: 19)
        var tally = MutationTally()
        for damage in Damage.allCases {
            for i in 0..<Self.perKind {
                var bytes = base
                switch damage {
                case .hugeNumber, .negativeNumber:
                    // The height, the width or both set to a size the data cannot hold: 65535 (above
                    // libjpeg's 65500), 46341 (46341² > 2³¹; both sides make a 6.4 GB decompression bomb),
                    // 32767; or to 0 or a "negative" (sign bit set) size.
                    let values: [UInt16] = damage == .hugeNumber ? [0xFFFF, 46341, 0x7FFF, 0xFFF0] : [0, 0x8000, 0x8001, 0xFFFF]
                    let value = values.randomElement(using: &rng)!
                    let fields = [[5], [7], [5, 7]].randomElement(using: &rng)!
                    for field in fields { (bytes[sof + field], bytes[sof + field + 1]) = (UInt8(value >> 8), UInt8(value & 0xFF)) }
                case .deepNesting:
                    // Thousands of empty APP1 segments after the start marker.
                    let count = [10, 1000, 30_000].randomElement(using: &rng)!
                    bytes.insert(contentsOf: [UInt8]([0xFF, 0xE1, 0x00, 0x02]).repeated(count), at: 2)
                default:
                    bytes = junk.apply(damage, to: base, using: &rng)
                }
                let data = Data(bytes)
                var error: JPEGError?
                do { _ = try JPEG.header(data, source: "m.jpg") } catch let e as JPEGError { error = e }
                do { _ = try JPEG.decode(data, source: "m.jpg") } catch let e as JPEGError { error = error ?? e }
                tally.record(damage, case: i, error: error.map { ("\($0)", $0.file == "m.jpg" && !$0.reason.isEmpty) })
            }
        }
        #expect(tally.badErrors.isEmpty, "\(tally.badErrors.prefix(5))")
        #expect((tally.refused[.truncation] ?? 0) > Self.perKind * 9 / 10, "\(tally)")
        print("JPEG mutations: \(tally)")
    }
}

extension Array {
    /// The array repeated `count` times.
    func repeated(_ count: Int) -> [Element] { Array(Swift.repeatElement(self, count: count).joined()) }
}
