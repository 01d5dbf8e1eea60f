import Foundation
import Results
import Testing
import TestSupport
@testable import Study

/// A study small enough to run in seconds: yolov5n at 64 px, a few dozen synthetic images.
func tinyStudy(epochs: Int = 2, seeds: String = "seed: 0", scenarios: [String] = ["none: none", "backbone: 10", "all-but-detect: 24"],
               extraScenario: String = "", shared: String = "", imageSize: Int = 64) -> String {
    let experiments = Fixtures.repositoryRoot.appendingPathComponent("Experiments").path
    return """
        name: tiny
        model: \(experiments)/models/yolov5n.yaml
        data: synthetic
        weights: pretrained
        hyp: \(experiments)/hyps/hyp.finetune.yaml
        image_size: \(imageSize)
        batch_size: 8
        epochs: \(epochs)
        nominal_batch_size: 8
        workers: 1
        \(seeds)
        \(shared)
        synthetic: {images: 40, source_images: 24, image_size: 64}
        pretraining: {epochs: 1, image_size: 64, batch_size: 8, hyp: \(experiments)/hyps/hyp.scratch-low.yaml}
        scenarios:
        \(scenarios.map { entry -> String in
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return "  - {name: \(parts[0]), freeze: \(parts[1])}"
        }.joined(separator: "\n"))
        \(extraScenario)
        """
}

/// A study in its own temporary folder: the study file, the cache, `runs/tiny/results.h5` and
/// the report all inside it.
final class StudyFolderFixture {
    let temporary: TemporaryFolder
    var study: URL { temporary.file("study.yaml") }
    var cache: URL
    var results: URL { temporary.file("runs/tiny/results.h5") }
    var report: URL { temporary.file("report") }
    var folder: StudyFolder { StudyFolder(results: results) }

    init(_ text: String, cache: URL? = nil, label: String = #function) throws {
        temporary = TemporaryFolder(label)
        self.cache = cache ?? temporary.file("cache")
        try write(text)
    }

    /// Replaces the study file.
    func write(_ text: String) throws { try text.write(to: study, atomically: true, encoding: .utf8) }

    /// Sweep options for an in-process `Sweep` whose runs are processes of the built `freeze-study`.
    func sweepOptions() throws -> SweepOptions {
        var options = SweepOptions(study: study)
        options.results = results
        options.cacheDirectory = cache
        options.report = report
        options.command = "freeze-study sweep --study study.yaml"
        options.executable = try freezeStudyExecutable()
        return options
    }

    /// The flags that point a `freeze-study` command at this folder (`--report` only for the commands that write one).
    var flags: [String] { ["--study", study.path, "--results", results.path, "--cache-dir", cache.path] }
    var sweepFlags: [String] { flags + ["--report", report.path] }

    /// Everything recorded, merged.
    func read() throws -> StudyResults { try ResultsStore(url: results).readStudy() }
}

/// The `freeze-study` executable built beside the test bundle, run as a user would.
struct CommandResult {
    let status: Int32
    let output: String
    let error: String
    let seconds: Double
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
func runFreezeStudy(_ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = try freezeStudyExecutable()
    process.arguments = arguments
    if let environment { process.environment = environment }
    // Tests give every path; a command that wrote a relative one anyway writes outside the repository.
    process.currentDirectoryURL = directory ?? FileManager.default.temporaryDirectory
    let out = Pipe()
    process.standardOutput = out
    // Standard error goes to a file, so that neither stream can fill while the other is read.
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("freeze-study-stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    process.standardError = try FileHandle(forWritingTo: errorFile)
    let start = Date()
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    return CommandResult(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                         error: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "", seconds: seconds)
}

/// Starts `freeze-study arguments` in the background, its output discarded or sent to `log`.
func startFreezeStudy(_ arguments: [String], log: URL? = nil, environment: [String: String]? = nil) throws -> Process {
    let process = Process()
    process.executableURL = try freezeStudyExecutable()
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.currentDirectoryURL = FileManager.default.temporaryDirectory
    if let log {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
    } else {
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
    }
    try process.run()
    return process
}

/// Waits up to `seconds` for `condition`; false when it never held.
func wait(upTo seconds: Double, for condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// The bits of every field of every epoch that must not depend on timing (losses, metrics, learning rates).
func accuracySeries(_ run: RunResults) -> [[UInt64]] {
    run.epochs.map { [$0.trainBox, $0.trainObj, $0.trainCls, $0.valBox, $0.valObj, $0.valCls,
                      $0.precision, $0.recall, $0.map50, $0.map50to95, $0.lr0, $0.lr1, $0.lr2].map(\.bitPattern) }
}
