import Foundation
import Testing
import TestSupport
import Training
@testable import Study

/// A study small enough to run in seconds: 64 px, a few dozen synthetic images, two epochs.
func tinyStudy(epochs: Int = 2, extraScenario: String = "", shared: String = "") -> String {
    let experiments = Fixtures.repositoryRoot.appendingPathComponent("Experiments").path
    return """
        name: tiny
        model: \(experiments)/models/yolov5n.yaml
        data: synthetic
        weights: pretrained
        hyp: \(experiments)/hyps/hyp.finetune.yaml
        image_size: 64
        batch_size: 8
        epochs: \(epochs)
        nominal_batch_size: 8
        workers: 1
        \(shared)
        synthetic: {images: 40, source_images: 24, image_size: 64}
        pretraining: {epochs: 1, image_size: 64, batch_size: 8, hyp: \(experiments)/hyps/hyp.scratch-low.yaml}
        scenarios:
          - {name: none, freeze: none}
          - {name: backbone, freeze: 10}
          - {name: all-but-detect, freeze: 24}
        \(extraScenario)
        """
}

/// Sweep options for `study` in `folder`, everything (cache, results, report) inside it.
func sweepOptions(_ folder: TemporaryFolder, study text: String) throws -> SweepOptions {
    let url = folder.file("study.yaml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    var options = SweepOptions(study: url)
    options.results = folder.file("runs/results.h5")
    options.cacheDirectory = folder.file("cache")
    options.report = folder.file("report")
    options.command = "freeze-study sweep --study study.yaml"
    return options
}

@Suite(.serialized) struct SweepTests {
    @Test func sweepRecordsEveryScenarioAndAddingOneTrainsOnlyIt() throws {
        let folder = TemporaryFolder()
        let options = try sweepOptions(folder, study: tinyStudy())
        try Sweep(options: options).run()
        let store = ResultsStore(url: options.results!)
        var study = try store.readStudy()
        #expect(study.scenarios.map(\.name) == ["none", "backbone", "all-but-detect"])
        for scenario in study.scenarios {
            #expect(scenario.status == .complete, "\(scenario.name)")
            #expect(scenario.epochs.count == 2, "\(scenario.name): \(scenario.epochs.count) epochs")
            #expect(scenario.completion?.frozenTensorsUnchanged == true, "\(scenario.name)")
            #expect(scenario.iterations.map(\.count) == [4, 4], "32 train images in batches of 8")
        }
        #expect(study.scenarios.map(\.info.frozenTensors) == [0, 99, 171])
        for file in ["report.md", "summary.csv", "curves.csv", "charts/map50.svg", "results/none/results.csv"] {
            #expect(FileManager.default.fileExists(atPath: options.report!.appendingPathComponent(file).path), "\(file)")
        }
        let finished = study.scenarios.map(\.finished)

        // Job 2: a new scenario in the file; the next sweep trains only it.
        let added = try sweepOptions(folder, study: tinyStudy(extraScenario: "  - {name: head, freeze: 0-16}"))
        try Sweep(options: added).run()
        study = try store.readStudy()
        #expect(study.scenarios.map(\.name) == ["none", "backbone", "all-but-detect", "head"])
        #expect(Array(study.scenarios.map(\.finished).prefix(3)) == finished, "the first three did not train again")
        #expect(study.scenarios[3].status == .complete && study.scenarios[3].epochs.count == 2)
        let report = try String(contentsOf: options.report!.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("`head`"))
    }

    @Test func aResultsFileOfAnotherConfigurationIsRefusedAndKept() throws {
        let folder = TemporaryFolder()
        let options = try sweepOptions(folder, study: tinyStudy())
        var first = options
        first.only = ["all-but-detect"]
        try Sweep(options: first).run()
        let before = try Data(contentsOf: options.results!)
        var changed = try sweepOptions(folder, study: tinyStudy(epochs: 3))
        changed.only = ["all-but-detect"]
        do {
            try Sweep(options: changed).run()
            Issue.record("a different configuration was accepted")
        } catch let error as StudyError {
            #expect(error.message.contains("epochs: 2 in the file, 3 now"), "\(error)")
            #expect(error.message.contains("--results"), "\(error)")
        }
        #expect(try Data(contentsOf: options.results!) == before, "nothing recorded is lost or changed")
    }

    @Test func aCompleteScenarioWhoseSpecChangedIsNotSkippedSilently() throws {
        let folder = TemporaryFolder()
        var options = try sweepOptions(folder, study: tinyStudy(epochs: 1))
        options.only = ["all-but-detect"]
        try Sweep(options: options).run()
        var changed = try sweepOptions(folder, study: tinyStudy(epochs: 1).replacingOccurrences(
            of: "{name: all-but-detect, freeze: 24}", with: "{name: all-but-detect, freeze: 23}"))
        changed.only = ["all-but-detect"]
        do {
            try Sweep(options: changed).run()
            Issue.record("the results of freeze 24 were reported as freeze 23")
        } catch let error as StudyError {
            #expect(error.message.contains("complete") && error.message.contains("'24'") && error.message.contains("'23'"), "\(error)")
        }
    }

    @Test func aFreezeSpecThatMatchesNothingStopsTheSweepBeforeTraining() throws {
        let folder = TemporaryFolder()
        let options = try sweepOptions(folder, study: tinyStudy(extraScenario: "  - {name: bad, freeze: [3, 40]}"))
        do {
            try Sweep(options: options).run()
            Issue.record("a spec naming layer 40 was accepted")
        } catch let error as StudyError {
            #expect(error.message.contains("scenario 'bad'") && error.message.contains("layer 40 does not exist"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: options.results!.path), "nothing ran")
    }

    @Test func anUnwritableOutputFolderIsAClearError() throws {
        let folder = TemporaryFolder()
        var options = try sweepOptions(folder, study: tinyStudy())
        try Data("not a folder".utf8).write(to: folder.file("file"))
        options.results = folder.file("file/runs/results.h5")
        do {
            try Sweep(options: options).run()
            Issue.record("results under a regular file were accepted")
        } catch let error as StudyError {
            #expect(error.message.contains("cannot create the folder") && error.message.contains("file/runs"), "\(error)")
        }
    }

    /// `--weights yolov5n.pt`: a real YOLOv5 checkpoint starts every scenario, read natively.
    @Test func aPyTorchCheckpointStartsTheRun() throws {
        let folder = TemporaryFolder()
        var options = try sweepOptions(folder, study: tinyStudy(epochs: 1))
        options.weights = try Fixtures.url("yolov5n-ckpt.pt").path
        options.only = ["backbone"]
        try Sweep(options: options).run()
        let scenario = try ResultsStore(url: options.results!).read("backbone")
        #expect(scenario.status == .complete)
        #expect(scenario.info.configJSON.contains("loaded 292 of 292 state tensors from yolov5n-ckpt.pt"), "\(scenario.info.configJSON)")
        #expect(!FileManager.default.fileExists(atPath: options.cacheDirectory.appendingPathComponent("pretrained").path),
                "no synthetic pretraining when weights are given")
    }

    @Test func anUnknownScenarioInOnlyIsAnError() throws {
        let folder = TemporaryFolder()
        var options = try sweepOptions(folder, study: tinyStudy())
        options.only = ["nonesuch"]
        #expect(throws: StudyError.self) { try Sweep(options: options) }
    }
}
