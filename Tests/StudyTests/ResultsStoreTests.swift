import Foundation
import HDF5
import Testing
@testable import Study

@Suite struct ResultsStoreTests {
    @Test func roundTripReadsBackWhatWasRecorded() throws {
        let folder = TemporaryFolder()
        let store = ResultsStore(url: folder.file("runs/study/results.h5"), now: StudyFixtures.clock())
        let recorded = try store.createOrOpen(study: StudyFixtures.identity())
        #expect(recorded.created == StudyFixtures.clock()())

        let info = StudyFixtures.info()
        #expect(try store.beginScenario("backbone", info) == 0)
        for epoch in 0..<3 {
            try store.append(StudyFixtures.epoch(epoch), epoch: epoch, iterations: StudyFixtures.iterations(epoch), to: "backbone")
        }
        let perClass = PerClassAP(names: ["aeroplane", "bicycle"], ap50: [0.5, .nan], ap50to95: [0.25, .nan], nLabels: [12, 0], epoch: 2)
        try store.setPerClass("backbone", perClass)
        try store.finishScenario("backbone", ScenarioCompletion(frozenTensorsUnchanged: true, frozenTensorsChecked: 4, note: "ok"))

        let scenario = try store.read("backbone")
        let expected = ScenarioResults(
            name: "backbone", order: 0, info: info, status: .complete,
            started: StudyFixtures.clock()(), finished: StudyFixtures.clock()(), machine: StudyFixtures.machine, toolVersion: "0.1-test",
            completion: ScenarioCompletion(frozenTensorsUnchanged: true, frozenTensorsChecked: 4, note: "ok"),
            epochs: (0..<3).map { StudyFixtures.epoch($0) }, iterations: (0..<3).map { StudyFixtures.iterations($0) },
            perClass: perClass)
        #expect(scenario == expected)

        let study = try store.readStudy()
        #expect(study.identity.name == "freeze-study")
        #expect(study.identity.configurationDigest == "digest-aaaa")
        #expect(study.identity.machine == StudyFixtures.machine)
        #expect(study.scenarios == [expected])
        #expect(study.source == store.url.path)
    }

    @Test func scenariosKeepTheOrderTheyWereBegunIn() throws {
        let folder = TemporaryFolder()
        let store = ResultsStore(url: folder.file("results.h5"))
        try store.createOrOpen(study: StudyFixtures.identity())
        for name in ["none", "backbone", "all-but-detect", "a-user-one"] { try store.beginScenario(name, StudyFixtures.info()) }
        #expect(try store.scenarioNames() == ["none", "backbone", "all-but-detect", "a-user-one"])
        #expect(try store.scenarioStatus("backbone") == .running)
        #expect(try store.scenarioStatus("missing") == nil)
    }

    @Test func everyAppendIsReadableByAFreshReadOnlyOpen() throws {
        let folder = TemporaryFolder()
        let url = folder.file("results.h5")
        let store = ResultsStore(url: url)
        try store.createOrOpen(study: StudyFixtures.identity())
        try store.beginScenario("none", StudyFixtures.info(freeze: "", frozenParameters: 0))
        for epoch in 0..<4 {
            try store.append(StudyFixtures.epoch(epoch), epoch: epoch, iterations: StudyFixtures.iterations(epoch, count: 2), to: "none")
            // Another reader (h5py, h5dump) sees the epoch as soon as append returns.
            let file = try HDF5File(path: url.path, mode: .readOnly)
            let map50 = try file.root.group("scenarios/none/epochs").dataset("map50").read(Double.self)
            #expect(map50 == (0...epoch).map { StudyFixtures.epoch($0).map50 })
            let epochOfIteration = try file.root.group("scenarios/none/iterations").dataset("epoch").read(Double.self)
            #expect(epochOfIteration.count == 2 * (epoch + 1))
            #expect(epochOfIteration.last == Double(epoch))
        }
        #expect(try ResultsStore(url: url).recordedEpochs("none") == 4)
    }

    @Test func fileFollowsTheDesignSchema() throws {
        let folder = TemporaryFolder()
        let url = folder.file("results.h5")
        let store = ResultsStore(url: url)
        try store.createOrOpen(study: StudyFixtures.identity())
        try store.beginScenario("none", StudyFixtures.info(freeze: "", frozenParameters: 0))
        try store.append(StudyFixtures.epoch(0), epoch: 0, iterations: StudyFixtures.iterations(0), to: "none")
        try store.setPerClass("none", PerClassAP(names: ["cat"], ap50: [0.5], ap50to95: [0.3], nLabels: [4]))

        let file = try HDF5File(path: url.path, mode: .readOnly)
        #expect(try file.root.stringAttribute("study_name") == "freeze-study")
        #expect(try file.root.stringAttribute("configuration_digest") == "digest-aaaa")
        let scenario = try file.root.group("scenarios/none")
        #expect(try scenario.stringAttribute("status") == "running")
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
        try store.beginScenario("none", StudyFixtures.info())
        #expect(throws: ResultsStoreError.invalidRecord(file: store.url.path, scenario: "none", field: "per_class/ap50_95",
                                                        reason: "1 values for 2 class names")) {
            try store.setPerClass("none", PerClassAP(names: ["a", "b"], ap50: [0.1, 0.2], ap50to95: [0.1], nLabels: [1, 2]))
        }
    }
}
