import Foundation
import Results
import Testing
import TestSupport
@testable import Study

/// Sweeps of a tiny study, run in this process; each run is a `freeze-study run-task` process.
@Suite(.serialized) struct SweepTests {
    @Test func aSweepRecordsEveryRunAndAddingAScenarioTrainsOnlyIt() throws {
        let study = try StudyFolderFixture(tinyStudy())
        try Sweep(options: study.sweepOptions()).run()
        var results = try study.read()
        #expect(results.scenarios.map(\.name) == ["none", "backbone", "all-but-detect"])
        for scenario in results.scenarios {
            let run = try #require(scenario.run(seed: 0), "\(scenario.name)")
            #expect(run.status == .complete, "\(scenario.name)")
            #expect(run.epochs.count == 2, "\(scenario.name): \(run.epochs.count) epochs")
            #expect(run.completion?.frozenTensorsUnchanged == true, "\(scenario.name)")
            #expect(run.iterations.map(\.count) == [4, 4], "32 train images in batches of 8")
            #expect(run.info.worldSize == 1 && run.info.threads >= 1)
            #expect(run.info.command.contains("run-task") && run.info.command.contains("--scenario \(scenario.name) --seed 0"))
        }
        #expect(results.scenarios.map(\.info.frozenTensors) == [0, 99, 171])
        for file in ["report.md", "summary.csv", "curves.csv", "charts/map50.svg", "results/none/seed-0/results.csv"] {
            #expect(FileManager.default.fileExists(atPath: study.report.appendingPathComponent(file).path), "\(file)")
        }
        for key in results.runKeys {
            #expect(FileManager.default.fileExists(atPath: study.folder.log(key).path), "\(key) has its log")
        }
        let finished = results.scenarios.map { $0.runs.first?.finished }

        // Job 2: a new scenario in the file; the next sweep trains only it.
        try study.write(tinyStudy(extraScenario: "  - {name: head, freeze: 0-16}"))
        try Sweep(options: study.sweepOptions()).run()
        results = try study.read()
        #expect(results.scenarios.map(\.name) == ["none", "backbone", "all-but-detect", "head"])
        #expect(Array(results.scenarios.map { $0.runs.first?.finished }.prefix(3)) == finished, "the first three did not train again")
        #expect(results.scenario("head")?.run(seed: 0)?.status == .complete && results.scenario("head")?.run(seed: 0)?.epochs.count == 2)
        let report = try String(contentsOf: study.report.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("`head`"))
    }

    @Test func addingASeedTrainsOnlyTheNewRuns() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 1, seeds: "seeds: 1", scenarios: ["none: none", "all-but-detect: 24"]))
        try Sweep(options: study.sweepOptions()).run()
        let first = try study.read()
        #expect(first.runKeys.map(\.description) == ["none seed 0", "all-but-detect seed 0"])
        let partDates = try first.runKeys.map { try FileManager.default.attributesOfItem(atPath: study.folder.part($0).path)[.modificationDate] as? Date }

        try study.write(tinyStudy(epochs: 1, seeds: "seeds: [0, 5]", scenarios: ["none: none", "all-but-detect: 24"]))
        try Sweep(options: study.sweepOptions()).run()
        let second = try study.read()
        #expect(second.identity.configurationDigest == first.identity.configurationDigest, "seeds are not part of the digest")
        #expect(second.runKeys.map(\.description) == ["none seed 0", "none seed 5", "all-but-detect seed 0", "all-but-detect seed 5"])
        for scenario in first.scenarios {
            #expect(second.scenario(scenario.name)?.run(seed: 0) == scenario.runs[0], "\(scenario.name) seed 0 is kept as it was")
        }
        #expect(try first.runKeys.map { try FileManager.default.attributesOfItem(atPath: study.folder.part($0).path)[.modificationDate] as? Date }
                == partDates, "the parts of seed 0 were not written again")
        #expect(second.scenarios.allSatisfy { $0.run(seed: 5)?.status == .complete })
        // Another seed trains on other data draws: its losses differ.
        #expect(accuracySeries(second.scenario("none")!.run(seed: 0)!) != accuracySeries(second.scenario("none")!.run(seed: 5)!))
    }

    @Test func aResultsFileOfAnotherConfigurationIsRefusedAndKept() throws {
        let study = try StudyFolderFixture(tinyStudy())
        var first = try study.sweepOptions()
        first.only = ["all-but-detect"]
        try Sweep(options: first).run()
        let before = try Data(contentsOf: study.results)
        try study.write(tinyStudy(epochs: 3))
        var changed = try study.sweepOptions()
        changed.only = ["all-but-detect"]
        do {
            try Sweep(options: changed).run()
            Issue.record("a different configuration was accepted")
        } catch let error as StudyError {
            #expect(error.message.contains("epochs: 2 in the file, 3 now"), "\(error)")
            #expect(error.message.contains("--results"), "\(error)")
        }
        #expect(try Data(contentsOf: study.results) == before, "nothing recorded is lost or changed")
    }

    @Test func aCompleteRunWhoseSpecChangedIsNotSkippedSilently() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 1))
        var options = try study.sweepOptions()
        options.only = ["all-but-detect"]
        try Sweep(options: options).run()
        try study.write(tinyStudy(epochs: 1, scenarios: ["none: none", "backbone: 10", "all-but-detect: 23"]))
        options = try study.sweepOptions()
        options.only = ["all-but-detect"]
        do {
            try Sweep(options: options).run()
            Issue.record("the results of freeze 24 were reported as freeze 23")
        } catch let error as StudyError {
            #expect(error.message.contains("complete") && error.message.contains("'24'") && error.message.contains("'23'"), "\(error)")
        }
    }

    @Test func aFreezeSpecThatMatchesNothingStopsTheSweepBeforeTraining() throws {
        let study = try StudyFolderFixture(tinyStudy(extraScenario: "  - {name: bad, freeze: [3, 40]}"))
        do {
            try Sweep(options: study.sweepOptions()).run()
            Issue.record("a spec naming layer 40 was accepted")
        } catch let error as StudyError {
            #expect(error.message.contains("scenario 'bad'") && error.message.contains("layer 40 does not exist"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: study.results.path), "nothing ran")
        #expect(!FileManager.default.fileExists(atPath: study.folder.partsFolder.path), "nothing ran")
    }

    @Test func anUnwritableOutputFolderIsAClearError() throws {
        let study = try StudyFolderFixture(tinyStudy())
        var options = try study.sweepOptions()
        try Data("not a folder".utf8).write(to: study.temporary.file("file"))
        options.results = study.temporary.file("file/runs/results.h5")
        do {
            try Sweep(options: options).run()
            Issue.record("results under a regular file were accepted")
        } catch let error as StudyError {
            #expect(error.message.contains("cannot create the folder") && error.message.contains("file/runs"), "\(error)")
        }
    }

    /// `--weights yolov5n.pt`: a real YOLOv5 checkpoint starts every run, read natively.
    @Test func aPyTorchCheckpointStartsTheRun() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 1))
        var options = try study.sweepOptions()
        options.weights = .file(try Fixtures.url("yolov5n-ckpt.pt").path)
        options.only = ["backbone"]
        try Sweep(options: options).run()
        let scenario = try #require(try study.read().scenario("backbone"))
        #expect(scenario.runs.first?.status == .complete)
        #expect(scenario.info.configJSON.contains("loaded 292 of 292 state tensors from yolov5n-ckpt.pt"), "\(scenario.info.configJSON)")
        #expect(!FileManager.default.fileExists(atPath: study.cache.appendingPathComponent("pretrained").path),
                "no synthetic pretraining when weights are given")
    }

    @Test func anUnknownScenarioInOnlyIsAnError() throws {
        let study = try StudyFolderFixture(tinyStudy())
        var options = try study.sweepOptions()
        options.only = ["nonesuch"]
        #expect(throws: StudyError.self) { try Sweep(options: options) }
    }

    @Test func theDefaultJobsFitTheCores() {
        #expect(SweepOptions.defaultJobs(cores: 2) == 1 && SweepOptions.threads(cores: 2, jobs: 1) == 2)
        #expect(SweepOptions.defaultJobs(cores: 1) == 1 && SweepOptions.threads(cores: 1, jobs: 1) == 1)
        #expect(SweepOptions.defaultJobs(cores: 16) == 8 && SweepOptions.threads(cores: 16, jobs: 8) == 2)
        #expect(SweepOptions.threads(cores: 2, jobs: 4) == 1)
    }
}
