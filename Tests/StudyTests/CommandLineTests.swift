import Foundation
import Testing
import TestSupport
import Training
@testable import Study

/// The `freeze-study` executable built beside the test bundle, run as a user would.
struct CommandResult {
    let status: Int32
    let output: String
    let error: String
}

func freezeStudyExecutable() throws -> URL {
    let url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("freeze-study")
    guard FileManager.default.isExecutableFile(atPath: url.path) else {
        throw StudyError("freeze-study is not built beside the tests at \(url.path)")
    }
    return url
}

@discardableResult
func runFreezeStudy(_ arguments: [String], in directory: URL? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = try freezeStudyExecutable()
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    let (out, err) = (Pipe(), Pipe())
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let error = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                         error: String(decoding: error, as: UTF8.self))
}

@Suite(.serialized) struct CommandLineTests {
    let experiments = Fixtures.repositoryRoot.appendingPathComponent("Experiments")

    @Test func layersPrintsEveryParameterAndASummary() throws {
        let result = try runFreezeStudy(["layers", "--model", experiments.appendingPathComponent("models/yolov5n.yaml").path,
                                         "--nc", "20", "--freeze", "10"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 178)
        #expect(lines.first == "model.0.conv.weight\t16x3x6x6\tfrozen")
        #expect(lines[99] == "model.10.conv.weight\t128x256x1x1\ttrainable")
        #expect(lines.last!.contains("1790977 parameters") && lines.last!.contains("744609 trainable")
                && lines.last!.contains("1046368 frozen"), "\(lines.last!)")
    }

    @Test func layersWithWeightsSaysWhatLoaded() throws {
        let result = try runFreezeStudy(["layers", "--model", experiments.appendingPathComponent("models/yolov5n.yaml").path,
                                         "--nc", "80", "--weights", try Fixtures.url("yolov5n-ckpt.pt").path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("model.0.conv.weight\t16x3x6x6\ttrainable\tloaded"))
        #expect(result.output.contains("model.24.m.0.weight\t255x64x1x1\ttrainable\tinitialised"))
        #expect(result.output.contains("from yolov5n-ckpt.pt ('model' of "), "which entry of the .pt was loaded")
    }

    @Test func badInputExitsNonZeroWithTheReason() throws {
        let spec = try runFreezeStudy(["layers", "--model", experiments.appendingPathComponent("models/yolov5n.yaml").path, "--freeze", "40"])
        #expect(spec.status != 0 && spec.error.contains("layer 25 does not exist"), "\(spec.error)")
        let missing = try runFreezeStudy(["report", "--results", "/nonexistent/results.h5"])
        #expect(missing.status != 0 && missing.error.contains("/nonexistent/results.h5"), "\(missing.error)")
        let study = try runFreezeStudy(["scenarios", "--study", "/nonexistent.yaml"])
        #expect(study.status != 0 && study.error.contains("/nonexistent.yaml"), "\(study.error)")
    }

    @Test func scenariosListsCountsWithoutTraining() throws {
        let result = try runFreezeStudy(["scenarios", "--study", experiments.appendingPathComponent("freeze-study.yaml").path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("backbone") && result.output.contains("744609") && result.output.contains("1046368"))
        #expect(result.output.contains("all-but-detect") && result.output.contains("33825"))
    }

    /// A sweep killed mid-scenario resumes from its last checkpoint: no epoch is lost or doubled.
    @Test func aKilledSweepResumesFromItsLastCompletedEpoch() throws {
        let folder = TemporaryFolder()
        let options = try sweepOptions(folder, study: tinyStudy(epochs: 6))
        let process = Process()
        process.executableURL = try freezeStudyExecutable()
        process.arguments = ["sweep", "--study", options.study.path, "--results", options.results!.path, "--cache-dir",
                             options.cacheDirectory.path, "--report", options.report!.path, "--only", "none"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpoint = options.results!.deletingLastPathComponent().appendingPathComponent("checkpoints/none.safetensors")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            if let info = try? TrainingCheckpoint.info(checkpoint), info.completedEpochs >= 2 { break }
            usleep(20_000)
        }
        #expect(process.isRunning, "the sweep ended before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let store = ResultsStore(url: options.results!)
        let killed = try store.read("none")
        #expect(killed.status == .running && killed.epochs.count >= 2 && killed.epochs.count < 6, "\(killed.epochs.count) epochs")
        let firstEpoch = killed.epochs[0]

        var resume = options
        resume.only = ["none"]
        try Sweep(options: resume).run()
        let done = try store.read("none")
        #expect(done.status == .complete && done.epochs.count == 6, "\(done.epochs.count) epochs")
        #expect(done.iterations.count == 6 && done.iterations.allSatisfy { $0.count == 4 })
        #expect(done.epochs[0] == firstEpoch, "epochs recorded before the kill are kept as they were")
    }
}
