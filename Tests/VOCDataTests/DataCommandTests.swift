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
        #expect(badTask.status != 0 && badTask.error.contains("--task must be voc, source, source-disjoint"))
    }
}
