import Foundation
import NeuralCore
import Testing
@testable import VOCData

/// The `source` task relates to `voc` as COCO to VOC; `voc` and `source-disjoint` are what they were.
@Suite struct SyntheticSourceTests {
    @Test func sourceClassesAreVOCsTwentyLookingTheSamePlusSixtyOthers() {
        let voc = SyntheticTask.voc.classes, source = SyntheticTask.source.classes
        #expect(source.count == 80, "COCO's 80; nc differs from 20, so the Detect outputs are not transferred")
        #expect(Set(source.map(\.name)).count == 80)
        #expect(Set(vocClassNames).isSubset(of: source.map(\.name)), "the source classes contain the 20 VOC names")
        for target in voc {
            #expect(source.first { $0.name == target.name } == target, "\(target.name) looks the same in both tasks")
        }
        let look = { (c: SyntheticClass) in "\(c.shape.name)-\(c.colour.name)-\(c.texture.name)" }
        #expect(Set(source.map(look)).count == 80, "no two source classes look alike")
        let others = source.filter { !vocClassNames.contains($0.name) }
        #expect(others.count == 60 && Set(others.map(look)).isDisjoint(with: voc.map(look)))
        // Every (shape, colour) cell of the grid is used; 16 of VOC's cells hold a texture twin.
        let cells = Set(source.map { "\($0.shape.rawValue)-\($0.colour.rawValue)" })
        #expect(cells.count == 64)
        let twins = others.filter { o in voc.contains { $0.shape == o.shape && $0.colour == o.colour } }
        #expect(twins.count == 16)
        // COCO's order: person first, truck (not VOC) between train and boat.
        #expect(source.map(\.name).prefix(9) == ["person", "bicycle", "car", "motorbike", "aeroplane", "bus", "train", "truck", "boat"])
    }

    @Test func disjointSourceIsTheEarlierTask() {
        let voc = SyntheticTask.voc.classes, disjoint = SyntheticTask.sourceDisjoint.classes
        #expect(disjoint.count == 24 && Set(disjoint.map(\.name)).isDisjoint(with: vocClassNames))
        let cells = { (classes: [SyntheticClass]) in Set(classes.map { "\($0.shape.rawValue)-\($0.colour.rawValue)" }) }
        #expect(cells(disjoint).isDisjoint(with: cells(voc)), "no (shape, colour) cell is shared")
        #expect(disjoint.first?.name == "orange-disc-checker" && disjoint.last?.name == "blue-crescent-stripes")
        // The disjoint task's 24 looks are the first 24 of the superset's other classes.
        let others = SyntheticTask.source.classes.filter { !vocClassNames.contains($0.name) }
        #expect(zip(others.prefix(24), disjoint).allSatisfy { $0.shape == $1.shape && $0.colour == $1.colour && $0.texture == $1.texture })
    }

    @Test func sourceClassFrequenciesAreCOCOs() throws {
        let weights = try #require(SyntheticTask.source.classWeights)
        #expect(weights.reduce(0, +) == 860_001, "COCO train2017's instance count")
        #expect(SyntheticTask.voc.classWeights == nil && SyntheticTask.sourceDisjoint.classWeights == nil, "uniform")
        let names = SyntheticTask.source.classNames
        #expect(weights[names.firstIndex(of: "person")!] == 262_465 && weights[names.firstIndex(of: "hair drier")!] == 198)
        // 400,000 draws: every class's count within 5 binomial standard deviations of its share
        // (a uniform draw would put person at 1.25 % instead of 30.5 %, some 500 σ away).
        let picker = SyntheticClassPicker(count: 80, weights: weights)
        var rng = SeededGenerator(seed: 11)
        var counts = [Int](repeating: 0, count: 80)
        let draws = 400_000
        for _ in 0..<draws { counts[picker.pick(using: &rng)] += 1 }
        let total = Double(weights.reduce(0, +))
        for (i, count) in counts.enumerated() {
            let p = Double(weights[i]) / total
            let sigma = (Double(draws) * p * (1 - p)).squareRoot()
            #expect(abs(Double(count) - Double(draws) * p) <= 5 * sigma, "\(names[i]): \(count) of \(draws), expected \(Double(draws) * p)")
        }
    }

    @Test func sourceScenesAreBusierWithSmallerObjectsAndNothingDifficult() throws {
        let folder = try TemporaryFolder("scenes")
        var perImage: [SyntheticTask: Double] = [:], medianSide: [SyntheticTask: Float] = [:]
        for task in [SyntheticTask.voc, .source] {
            let out = folder.url.appendingPathComponent(task.rawValue)
            let summary = try SyntheticVOC.generate(.init(task: task, images: 60, seed: 3, imageSize: 128), to: out)
            if task == .source { #expect(summary.difficultObjects == 0, "COCO marks nothing difficult") }
            let options = ReaderOptions(difficult: .keepFlagged)
            let samples = try DatasetReader.load(out, split: .train, options: options).samples
                + DatasetReader.load(out, split: .val, options: options).samples
            perImage[task] = Double(summary.objects - summary.difficultObjects) / Double(samples.count)
            let sides = samples.flatMap { s in s.objects.filter { !$0.difficult }.map { max($0.box.width, $0.box.height) } }.sorted()
            medianSide[task] = sides[sides.count / 2]
        }
        // Designed means: voc ≈ 3.6 objects per image, source ≈ 6 (some placements fail either way).
        #expect(perImage[.source]! > 1.4 * perImage[.voc]!, "\(perImage)")
        #expect(medianSide[.source]! < medianSide[.voc]!, "\(medianSide)")
    }

    @Test(arguments: [SyntheticTask.source, .sourceDisjoint])
    func sourceGenerationIsDeterministicForASeed(task: SyntheticTask) throws {
        let folder = try TemporaryFolder("source-determinism")
        let write = { (name: String, seed: UInt64) throws -> URL in
            let out = folder.url.appendingPathComponent(name)
            try SyntheticVOC.generate(.init(task: task, images: 4, seed: seed, imageSize: 96), to: out)
            return out
        }
        let a = try write("a", 4), b = try write("b", 4), c = try write("c", 5)
        for file in ["VOC2007/JPEGImages/000002.jpg", "VOC2007/Annotations/000002.xml", "data.yaml"] {
            #expect(try Data(contentsOf: a.appendingPathComponent(file)) == Data(contentsOf: b.appendingPathComponent(file)), "\(file)")
        }
        #expect(try Data(contentsOf: a.appendingPathComponent("VOC2007/JPEGImages/000002.jpg"))
                != Data(contentsOf: c.appendingPathComponent("VOC2007/JPEGImages/000002.jpg")))
    }

    /// FNV-1a over the painted pixels (before JPEG encoding, so the digest does not depend on the
    /// JPEG library) and the annotation XML of images 0–7 of a configuration.
    static func renderDigest(_ task: SyntheticTask, imageSize: Int) -> String {
        let configuration = SyntheticVOC.Configuration(task: task, images: 8, seed: 4, imageSize: imageSize)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for index in 0..<8 {
            let rendered = SyntheticVOC.render(index, configuration: configuration)
            for byte in rendered.image.pixels + Array(rendered.xml.utf8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        return String(hash, radix: 16)
    }

    /// Digests recorded with the generator before the superset source task was added (when
    /// `source-disjoint` was called `source`): `voc` and the earlier source must not change by a bit.
    @Test(arguments: [(SyntheticTask.voc, 96, "1b390956fa6dab73"), (.voc, 160, "540a7a841ef9bfbe"), (.sourceDisjoint, 96, "c2d1349ae102a897"),
                      (.sourceDisjoint, 160, "1cc20bffe520bc37")])
    func vocAndDisjointSourceAreUnchanged(task: SyntheticTask, imageSize: Int, expected: String) {
        #expect(Self.renderDigest(task, imageSize: imageSize) == expected, "\(task.rawValue) at \(imageSize) px changed")
    }
}
