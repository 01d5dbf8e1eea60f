import Foundation
import Testing
@testable import VOCData

@Suite struct SyntheticVOCTests {
    static func generate(_ folder: TemporaryFolder, _ name: String, task: SyntheticTask = .voc, images: Int = 12,
                         seed: UInt64 = 4, size: Int = 96) throws -> (URL, SyntheticVOC.Summary) {
        let out = folder.url.appendingPathComponent(name)
        let summary = try SyntheticVOC.generate(.init(task: task, images: images, seed: seed, imageSize: size, valFraction: 0.25), to: out)
        return (out, summary)
    }

    @Test func roundTripsThroughTheReaderInEveryEntryPoint() throws {
        let folder = try TemporaryFolder("synth")
        let (out, summary) = try Self.generate(folder, "voc")
        #expect(summary.trainImages == 9 && summary.valImages == 3)
        for file in ["data.yaml", "VOC2007/ImageSets/Main/train.txt", "VOC2007/ImageSets/Main/val.txt",
                     "VOC2007/JPEGImages/000001.jpg", "VOC2007/Annotations/000012.xml"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        let kept = ReaderOptions(difficult: .keepFlagged, imageCheck: .decode)
        let train = try DatasetReader.load(out, split: .train, options: kept)
        let val = try DatasetReader.load(out, split: .val, options: kept)
        #expect(train.problems.isEmpty && val.problems.isEmpty)
        #expect(train.samples.count == 9 && val.samples.count == 3)
        #expect(train.classNames == vocClassNames)
        let all = train.samples + val.samples
        #expect(all.reduce(0) { $0 + $1.objects.count } == summary.objects)
        #expect(all.reduce(0) { $0 + $1.objects.filter(\.difficult).count } == summary.difficultObjects)
        // The same tree read as a bare VOCdevkit folder, a year folder and through data.yaml.
        let viaYAML = try DatasetReader.load(out.appendingPathComponent("data.yaml"), split: .train)
        let viaDevkit = try DatasetReader.load(out.appendingPathComponent("VOC2007"), split: .train)
        expectSameSamples(viaYAML.samples, viaDevkit.samples, tolerance: 0)
        #expect(viaYAML.samples.map(\.objects.count) == train.samples.map(\.trainingObjects.count), "difficult objects dropped by default")
    }

    @Test func generationIsDeterministicForASeed() throws {
        let folder = try TemporaryFolder("determinism")
        let (a, _) = try Self.generate(folder, "a", images: 4)
        let (b, _) = try Self.generate(folder, "b", images: 4)
        let (c, _) = try Self.generate(folder, "c", images: 4, seed: 5)
        let d = folder.url.appendingPathComponent("d")
        try SyntheticVOC.generate(task: .voc, to: d, images: 4, seed: 4, imageSize: 96, valFraction: 0.25)
        for file in ["VOC2007/JPEGImages/000003.jpg", "VOC2007/Annotations/000003.xml", "VOC2007/ImageSets/Main/val.txt"] {
            let da = try Data(contentsOf: a.appendingPathComponent(file)), db = try Data(contentsOf: b.appendingPathComponent(file))
            #expect(da == db, "\(file) differs between two runs with one seed")
            #expect(da == (try Data(contentsOf: d.appendingPathComponent(file))), "\(file): the convenience entry point differs")
        }
        let jpegA = try Data(contentsOf: a.appendingPathComponent("VOC2007/JPEGImages/000003.jpg"))
        #expect(jpegA != (try Data(contentsOf: c.appendingPathComponent("VOC2007/JPEGImages/000003.jpg"))))
    }

    @Test func everyTaskUsesEveryPrimitive() {
        for task in SyntheticTask.allCases {
            let classes = task.classes
            #expect(Set(classes.map(\.shape)).count == SyntheticShape.allCases.count, "\(task)")
            #expect(Set(classes.map(\.colour)).count == SyntheticColour.allCases.count, "\(task)")
            #expect(Set(classes.map(\.texture)).count == SyntheticTexture.allCases.count, "\(task)")
        }
        #expect(SyntheticTask.voc.classes.map(\.name) == vocClassNames)
    }

    @Test(arguments: SyntheticTask.allCases)
    func boxesCoverTheObjectsAndNothingElseIsSaturated(task: SyntheticTask) throws {
        let folder = try TemporaryFolder("boxes")
        let (out, _) = try Self.generate(folder, "s", task: task, images: 10, size: 128)
        let dataset = try DatasetReader.load(out, split: .train, options: ReaderOptions(difficult: .keepFlagged))
        #expect(dataset.classCount == ["voc": 20, "source": 80, "source-disjoint": 24][task.rawValue])
        var outside = 0, total = 0, checked = 0, objects = 0
        for sample in dataset.samples {
            let image = try JPEG.decode(contentsOf: URL(fileURLWithPath: sample.imagePath))
            let saturated = { (x: Int, y: Int) -> Bool in
                let p = image[x, y]
                return HSVAugment.rgbToHSV(p.r, p.g, p.b).s > 110 && max(p.r, p.g, p.b) > 70
            }
            for object in sample.objects where !object.difficult {
                let b = object.box
                objects += 1
                // JPEG 4:2:0 keeps one chroma sample per 2 × 2 pixels: an object under 10 px across
                // (`source` draws them from 6 px at this size) is desaturated by its blurred edges.
                guard min(b.width, b.height) >= 10 else { continue }
                checked += 1
                var hits = 0, area = 0
                for y in Int(b.y1)...Int(b.y2) { for x in Int(b.x1)...Int(b.x2) { area += 1; hits += saturated(x, y) ? 1 : 0 } }
                // Even a ring, star or cross covers over a third of its box; a box on background would be near 0.
                #expect(Double(hits) / Double(area) > 0.25, "\(sample.imagePath) \(b)")
            }
            for y in 0..<image.height {
                for x in 0..<image.width {
                    total += 1
                    let inBox = sample.objects.contains { o in
                        Float(x) >= o.box.x1 - 2 && Float(x) <= o.box.x2 + 2 && Float(y) >= o.box.y1 - 2 && Float(y) <= o.box.y2 + 2
                    }
                    if !inBox && saturated(x, y) { outside += 1 }
                }
            }
        }
        #expect(checked * 3 >= objects * 2, "\(checked) of \(objects) boxes large enough to check")
        // Clutter is desaturated (S ≤ 0.3): an object missing from the annotations would add whole blobs.
        #expect(Double(outside) / Double(total) < 0.01, "\(outside) saturated pixels outside every box")
    }

    @Test func scenesVaryInCountScaleAndFlags() throws {
        let folder = try TemporaryFolder("variety")
        let (out, summary) = try Self.generate(folder, "v", images: 40, size: 96)
        let train = try DatasetReader.load(out, split: .train, options: ReaderOptions(difficult: .keepFlagged))
        let val = try DatasetReader.load(out, split: .val, options: ReaderOptions(difficult: .keepFlagged))
        let samples = train.samples + val.samples
        let counts = samples.map { $0.objects.filter { !$0.difficult }.count }
        #expect(counts.min()! >= 1 && counts.max()! <= 8 && Set(counts).count >= 4)
        let sides = samples.flatMap { s in s.objects.filter { !$0.difficult }.map { max($0.box.width, $0.box.height) / Float(max(s.width, s.height)) } }
        #expect(sides.min()! < 0.12 && sides.max()! > 0.4, "small to large objects")
        #expect(summary.difficultObjects >= 2 && summary.difficultObjects <= 20)
        #expect(samples.contains { $0.objects.contains(where: \.truncated) })
        #expect(samples.contains { $0.width != $0.height } && samples.allSatisfy { max($0.width, $0.height) == 96 })
    }
}
