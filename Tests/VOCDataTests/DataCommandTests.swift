import Foundation
import Testing
@testable import VOCData

/// `freeze-study data synth` and `data check` end to end, running the built executable (as
/// swift-argument-parser's example tests do). It sits beside the test bundle in `.build/<config>/`.
@Suite struct DataCommandTests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    static func freezeStudy(_ arguments: [String]) throws -> Run {
        let binary = Bundle.main.bundleURL.appendingPathComponent("freeze-study")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the freeze-study product first: \(binary.path)")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                   error: String(decoding: error, as: UTF8.self))
    }

    @Test func synthThenCheckSummarisesTheDataset() throws {
        let folder = try TemporaryFolder("cli")
        let out = folder.url.appendingPathComponent("source").path
        let synth = try Self.freezeStudy(["data", "synth", "--task", "source", "--out", out, "--images", "8", "--seed", "2",
                                          "--image-size", "64", "--val-fraction", "0.25"])
        #expect(synth.status == 0, "\(synth.error)")
        #expect(synth.output.contains("6 train + 2 val images"))
        let check = try Self.freezeStudy(["data", "check", "--data", out])
        #expect(check.status == 0, "\(check.error)")
        #expect(check.output.contains("split train: 6 images") && check.output.contains("split val: 2 images"))
        #expect(check.output.contains(SyntheticTask.source.classNames[0]) && check.output.contains("skipped: 0 files"))
    }

    @Test func checkReportsSkippedFilesAndFailsOnAWrongLayout() throws {
        let folder = try TemporaryFolder("cli-bad")
        try TinyDataset.writeYOLO(in: folder)
        try folder.write("0 0.5 0.5\n", to: "yolo/labels/train/a003.txt")
        try folder.write("names: [cat, dog, bird]\ntrain: images/train\nval: images/train\n", to: "yolo/data.yaml")
        let check = try Self.freezeStudy(["data", "check", "--data", folder.url.appendingPathComponent("yolo").path, "--split", "train"])
        #expect(check.status == 0, "\(check.error)")
        #expect(check.output.contains("split train: 3 images") && check.output.contains("skipped: 1 files"))
        #expect(check.output.contains("a003.txt:1: 3 fields, expected 5"))

        let nothing = folder.url.appendingPathComponent("nothing")
        try FileManager.default.createDirectory(at: nothing, withIntermediateDirectories: true)
        let wrong = try Self.freezeStudy(["data", "check", "--data", nothing.path])
        #expect(wrong.status != 0)
        #expect(wrong.error.contains(nothing.path) && wrong.error.contains("unrecognised dataset layout"))

        let badTask = try Self.freezeStudy(["data", "synth", "--task", "coco", "--out", nothing.path])
        #expect(badTask.status != 0 && badTask.error.contains("'coco' is invalid for '--task"), "\(badTask.error)")
        #expect(badTask.error.contains("'voc'") && badTask.error.contains("'source'") && badTask.error.contains("'source-disjoint'"),
                "the choices are listed")
    }

    @Test func exportWritesYOLOv5sLayoutAndRefusesToOverwrite() throws {
        let folder = try TemporaryFolder("cli-export")
        let source = try ExportTests.writeDevkit(in: folder)
        let out = folder.url.appendingPathComponent("yolo")
        let export = try Self.freezeStudy(["data", "export", "--format", "yolo", "--data", source.path, "--out", out.path])
        #expect(export.status == 0, "\(export.error)")
        #expect(export.output.contains("5 train + 2 val images (7 hard-linked, 0 copied), 7 objects"), "\(export.output)")
        let back = try DatasetReader.load(out, split: .train)
        #expect(back.samples.count == 5 && back.classNames == vocClassNames, "a bare VOCdevkit names the 20 VOC classes")
        let again = try Self.freezeStudy(["data", "export", "--data", source.path, "--out", out.path])
        #expect(again.status != 0 && again.error.contains("already exists"), "\(again.error)")
        let badFormat = try Self.freezeStudy(["data", "export", "--format", "coco", "--data", source.path, "--out", out.path])
        #expect(badFormat.status != 0 && badFormat.error.contains("'coco' is invalid for '--format"), "\(badFormat.error)")
    }

    @Test func exportOfTheSyntheticVOCIsTheStudysDataset() throws {
        let folder = try TemporaryFolder("cli-synthetic")
        try folder.write("name: tiny\nsynthetic: {images: 10, image_size: 64, seed: 3}\nscenarios:\n  - {name: none, freeze: 0}\n",
                         to: "study.yaml")
        let out = folder.url.appendingPathComponent("yolo")
        let export = try Self.freezeStudy(["data", "export", "--data", "synthetic", "--study",
                                           folder.url.appendingPathComponent("study.yaml").path, "--out", out.path])
        #expect(export.status == 0, "\(export.error)")
        // The same configuration the sweep generates (EmbeddedData): 10 images, seed 3, 64 px.
        let reference = folder.url.appendingPathComponent("reference")
        try SyntheticVOC.generate(.init(task: .voc, images: 10, seed: 3, imageSize: 64), to: reference)
        for split in DataSplit.allCases {
            let exported = try DatasetReader.load(out, split: split), original = try DatasetReader.load(reference, split: split)
            #expect(exported.classNames == original.classNames)
            expectSameSamples(exported.samples, original.samples)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(left == ["data.yaml", "images", "labels"], "the generated VOC is removed after the export: \(left)")
    }
}
