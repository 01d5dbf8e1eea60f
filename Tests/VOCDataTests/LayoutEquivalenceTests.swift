import Foundation
import Testing
@testable import VOCData

/// The same small dataset written as a VOCdevkit, as a YOLO layout, and behind data YAMLs must read
/// into the same samples.
@Suite struct LayoutEquivalenceTests {
    @Test func vocYOLOAndYAMLGiveTheSameSamples() throws {
        let folder = try TemporaryFolder("layouts")
        try TinyDataset.writeVOC(in: folder)
        try TinyDataset.writeYOLO(in: folder)
        try folder.write("path: yolo\ntrain: images/train\nval: images/train\nnc: 3\nnames: [cat, dog, bird]\n", to: "yolo.yaml")
        try folder.write("path: voc\ntrain: VOC2007/ImageSets/Main/train.txt\nval: [VOC2007/ImageSets/Main/train.txt]\n"
                         + "names:\n  0: cat\n  1: dog\n  2: bird\n", to: "voc.yaml")
        try folder.write("train: [yolo/images/train]\nval: yolo/images/train\nnames: [cat, dog, bird]\n", to: "list.yaml")
        let options = ReaderOptions(classNames: TinyDataset.names)
        let voc = try DatasetReader.load(folder.url.appendingPathComponent("voc"), split: .train, options: options)
        let yolo = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train, options: options)
        let yamlYOLO = try DatasetReader.load(folder.url.appendingPathComponent("yolo.yaml"), split: .train)
        let yamlVOC = try DatasetReader.load(folder.url.appendingPathComponent("voc.yaml"), split: .val)
        let yamlList = try DatasetReader.load(folder.url.appendingPathComponent("list.yaml"), split: .train)

        #expect(voc.samples.count == 4)
        #expect(voc.samples.map(\.objects.count) == [2, 1, 0, 1], "the difficult cat of a002 is dropped by default")
        #expect(voc.difficultObjectsPerClass == [1, 0, 0])
        // VOC (1-based) xmin 5 … xmax 30 becomes pixel x1 4, x2 29 (YOLOv5's conversion).
        #expect(voc.samples[0].objects[0].box == BoxXYXY(x1: 4, y1: 5, x2: 29, y2: 39))
        // %.8f in the txt files gives ~1e-6 relative error: far below 1e-3 px, far above a wrong offset (1 px).
        expectSameSamples(voc.samples, yolo.samples)
        expectSameSamples(voc.samples, yamlYOLO.samples)
        expectSameSamples(voc.samples, yamlVOC.samples)
        expectSameSamples(voc.samples, yamlList.samples)
        for d in [voc, yolo, yamlYOLO, yamlVOC, yamlList] { #expect(d.classNames == TinyDataset.names) }
        #expect(voc.problems.isEmpty && yamlVOC.problems.isEmpty && yolo.problems.isEmpty)
    }

    @Test func keepingDifficultObjectsFlagsThem() throws {
        let folder = try TemporaryFolder("difficult")
        try TinyDataset.writeVOC(in: folder)
        let dataset = try DatasetReader.load(folder.url.appendingPathComponent("voc"), split: .train,
                                             options: ReaderOptions(classNames: TinyDataset.names, difficult: .keepFlagged))
        let a002 = dataset.samples[1]
        #expect(a002.objects.count == 2)
        #expect(a002.objects.filter(\.difficult).map(\.classIndex) == [0])
        #expect(a002.trainingObjects.count == 1, "training never uses difficult objects")
    }

    @Test func devkitRootsAndSplitsAreFound() throws {
        let folder = try TemporaryFolder("roots")
        try TinyDataset.writeVOC(in: folder, root: "out/VOCdevkit")
        try folder.write("a001\na002\n", to: "out/VOCdevkit/VOC2007/ImageSets/Main/trainval.txt")
        try folder.write("a003\n", to: "out/VOCdevkit/VOC2007/ImageSets/Main/test.txt")
        let options = ReaderOptions(classNames: TinyDataset.names)
        let out = folder.url.appendingPathComponent("out")
        // trainval.txt is preferred over train.txt and test.txt over val.txt, as YOLOv5's VOC.yaml.
        #expect(try DatasetReader.load(out, split: .train, options: options).samples.count == 2)
        #expect(try DatasetReader.load(out, split: .val, options: options).samples.count == 1)
        let year = out.appendingPathComponent("VOCdevkit/VOC2007")
        #expect(try DatasetReader.layout(of: year) == .vocDevkit)
        #expect(try DatasetReader.load(year, split: .train, options: options).samples.count == 2)
        // A configurable split list: train from train.txt only.
        let custom = ReaderOptions(classNames: TinyDataset.names,
                                   vocSplits: VOCSplits(train: [VOCImageSet(year: "2007", names: ["train"])], val: []))
        #expect(try DatasetReader.load(out, split: .train, options: custom).samples.count == 4)
    }
}
