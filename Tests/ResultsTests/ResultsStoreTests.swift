import Foundation
import HDF5
import Testing
import TestSupport
@testable import Results

@Suite struct ResultsStoreTests {
    @Test func roundTripReadsBackWhatWasRecorded() throws {
        let folder = TemporaryFolder()
        let store = ResultsStore(url: folder.file("runs/study/results.h5"), now: StudyFixtures.clock())
        let recorded = try store.createOrOpen(study: StudyFixtures.identity())
        #expect(recorded.created == StudyFixtures.clock()())

        let info = StudyFixtures.info()
        #expect(try store.beginTestRun("backbone", info) == 0)
        for epoch in 0..<3 {
            try store.append(StudyFixtures.epoch(epoch), epoch: epoch, iterations: StudyFixtures.iterations(epoch), to: StudyFixtures.key("backbone"))
        }
        let perClass = PerClassAP(names: ["aeroplane", "bicycle"], ap50: [0.5, .nan], ap50to95: [0.25, .nan], nLabels: [12, 0], epoch: 2)
        try store.setPerClass(StudyFixtures.key("backbone"), perClass)
        try store.finishRun(StudyFixtures.key("backbone"), RunCompletion(frozenTensorsUnchanged: true, frozenTensorsChecked: 4, note: "ok"))

        let run = try store.read(StudyFixtures.key("backbone"))
        let expected = RunResults(
            seed: 7, status: .complete, info: StudyFixtures.run,
            started: StudyFixtures.clock()(), finished: StudyFixtures.clock()(), machine: StudyFixtures.machine, toolVersion: "0.1-test",
            completion: RunCompletion(frozenTensorsUnchanged: true, frozenTensorsChecked: 4, note: "ok"),
            epochs: (0..<3).map { StudyFixtures.epoch($0) }, iterations: (0..<3).map { StudyFixtures.iterations($0) },
            perClass: perClass)
        #expect(run == expected)

        let study = try store.readStudy()
        #expect(study.identity.name == "freeze-study")
        #expect(study.identity.configurationDigest == "digest-aaaa")
        #expect(study.identity.machine == StudyFixtures.machine)
        #expect(study.scenarios == [ScenarioResults(name: "backbone", order: 1, info: info, runs: [expected])])
        #expect(study.source == store.url.path)
    }

    @Test func scenariosAreReadInStudyOrderAndRunsBySeed() throws {
        let folder = TemporaryFolder()
        let store = ResultsStore(url: folder.file("results.h5"))
        try store.createOrOpen(study: StudyFixtures.identity())
        for name in ["a-user-one", "backbone", "none", "all-but-detect"] { try store.beginTestRun(name, StudyFixtures.info()) }
        for seed in [42, 0, 3] { try store.beginTestRun("backbone", StudyFixtures.info(), seed: seed) }
        #expect(try store.scenarioNames() == ["none", "backbone", "all-but-detect", "a-user-one"])
        #expect(try store.readStudy().scenario("backbone")?.runs.map(\.seed) == [0, 3, 7, 42])
        #expect(try store.runStatus(StudyFixtures.key("backbone")) == .running)
        #expect(try store.runStatus(StudyFixtures.key("backbone", seed: 1)) == nil)
        #expect(try store.runStatus(StudyFixtures.key("missing")) == nil)
    }

    @Test func aSeedOfAScenarioRecordedWithAnotherDescriptionIsRefused() throws {
        let folder = TemporaryFolder()
        let store = ResultsStore(url: folder.file("results.h5"))
        try store.createOrOpen(study: StudyFixtures.identity())
        try store.beginTestRun("backbone", StudyFixtures.info(), seed: 0)
        do {
            try store.beginTestRun("backbone", StudyFixtures.info(freeze: "0-8"), seed: 1)
            Issue.record("seed 1 was begun under another freeze spec than seed 0")
        } catch let error as ResultsStoreError {
            #expect(error.description.contains("'0-9'") && error.description.contains("'0-8'"), "\(error)")
        }
        #expect(try store.runStatus(StudyFixtures.key("backbone", seed: 1)) == nil)
    }

    @Test func everyAppendIsReadableByAFreshReadOnlyOpen() throws {
        let folder = TemporaryFolder()
        let url = folder.file("results.h5")
        let store = ResultsStore(url: url)
        try store.createOrOpen(study: StudyFixtures.identity())
        try store.beginTestRun("none", StudyFixtures.info(freeze: "", frozenParameters: 0))
        for epoch in 0..<4 {
            try store.append(StudyFixtures.epoch(epoch), epoch: epoch, iterations: StudyFixtures.iterations(epoch, count: 2), to: StudyFixtures.key("none"))
            // Another reader (h5py, h5dump) sees the epoch as soon as append returns.
            let file = try HDF5File(path: url.path, mode: .readOnly)
            let map50 = try file.root.group("scenarios/none/seeds/7/epochs").dataset("map50").read(Double.self)
            #expect(map50 == (0...epoch).map { StudyFixtures.epoch($0).map50 })
            let epochOfIteration = try file.root.group("scenarios/none/seeds/7/iterations").dataset("epoch").read(Double.self)
            #expect(epochOfIteration.count == 2 * (epoch + 1))
            #expect(epochOfIteration.last == Double(epoch))
        }
        #expect(try ResultsStore(url: url).recordedEpochs(StudyFixtures.key("none")) == 4)
    }

    @Test func fileFollowsTheDesignSchema() throws {
        let folder = TemporaryFolder()
        let url = folder.file("results.h5")
        let store = ResultsStore(url: url)
        try store.createOrOpen(study: StudyFixtures.identity())
        try store.beginTestRun("none", StudyFixtures.info(freeze: "", frozenParameters: 0))
        try store.append(StudyFixtures.epoch(0), epoch: 0, iterations: StudyFixtures.iterations(0), to: StudyFixtures.key("none"))
        try store.setPerClass(StudyFixtures.key("none"), PerClassAP(names: ["cat"], ap50: [0.5], ap50to95: [0.3], nLabels: [4]))

        let file = try HDF5File(path: url.path, mode: .readOnly)
        #expect(try file.root.stringAttribute("study_name") == "freeze-study")
        #expect(try file.root.stringAttribute("configuration_digest") == "digest-aaaa")
        #expect(try file.root.attribute("schema_version") == .int(2))
        let group = try file.root.group("scenarios/none")
        #expect(try group.memberNames() == ["seeds"])
        #expect(try group.stringAttribute("freeze") == "")
        #expect(try group.attribute("order") == .int(0))
        #expect(!group.hasAttribute("status") && !group.hasAttribute("seed"), "run attributes belong to the run")
        let scenario = try group.group("seeds/7")
        #expect(try scenario.stringAttribute("status") == "running")
        #expect(try scenario.attribute("seed") == .int(7) && scenario.attribute("threads") == .int(2) && scenario.attribute("world_size") == .int(1))
        #expect(try scenario.stringAttribute("command") == StudyFixtures.run.command)
        #expect(try scenario.memberNames() == ["epochs", "iterations", "per_class"])
        #expect(try scenario.group("epochs").memberNames().sorted() == EpochSeries.all.map(\.name).sorted())
        #expect(try scenario.group("iterations").memberNames().sorted() == ["epoch", "images_per_second", "loss", "tracked_bytes"])
        #expect(try scenario.group("per_class").memberNames().sorted() == ["ap50", "ap50_95", "n_labels", "names"])
        #expect(try scenario.group("per_class").dataset("names").readStrings() == ["cat"])
    }

    @Test func perClassArraysOfDifferentLengthsAreRefused() throws {
        let folder = TemporaryFolder()
        let store = ResultsStore(url: folder.file("results.h5"))
        try store.createOrOpen(study: StudyFixtures.identity())
        try store.beginTestRun("none", StudyFixtures.info())
        #expect(throws: ResultsStoreError.invalidRecord(file: store.url.path, run: StudyFixtures.key("none"), field: "per_class/ap50_95",
                                                        reason: "1 values for 2 class names")) {
            try store.setPerClass(StudyFixtures.key("none"), PerClassAP(names: ["a", "b"], ap50: [0.1, 0.2], ap50to95: [0.1], nLabels: [1, 2]))
        }
    }
}
