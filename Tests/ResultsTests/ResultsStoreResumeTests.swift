import Foundation
import HDF5
import Testing
import TestSupport
@testable import Results

/// Resume semantics: a killed (running) scenario keeps its epochs, `truncate` cuts back to a
/// checkpoint, a complete one is rerun only on `restart`.
@Suite struct ResultsStoreResumeTests {
    /// A store with scenario "backbone" holding `epochs` epochs of 3 iterations each.
    private func storeWithEpochs(_ epochs: Int, in folder: TemporaryFolder) throws -> ResultsStore {
        let store = ResultsStore(url: folder.file("results.h5"))
        try store.createOrOpen(study: StudyFixtures.identity())
        try store.beginTestRun("none", StudyFixtures.info(freeze: "", frozenParameters: 0))
        try store.beginTestRun("backbone", StudyFixtures.info())
        for epoch in 0..<epochs {
            try store.append(StudyFixtures.epoch(epoch), epoch: epoch, iterations: StudyFixtures.iterations(epoch), to: StudyFixtures.key("backbone"))
        }
        return store
    }

    @Test func runningScenarioKeepsItsEpochsWhenBegunAgain() throws {
        let folder = TemporaryFolder()
        _ = try storeWithEpochs(4, in: folder)
        // A new process after a kill: a new store, the same study.
        let resumed = ResultsStore(url: folder.file("results.h5"))
        try resumed.createOrOpen(study: StudyFixtures.identity())
        #expect(try resumed.beginTestRun("backbone", StudyFixtures.info()) == 4)
        #expect(try resumed.read(StudyFixtures.key("backbone")).epochs.count == 4)
        try resumed.append(StudyFixtures.epoch(4), epoch: 4, iterations: StudyFixtures.iterations(4), to: StudyFixtures.key("backbone"))
        #expect(try resumed.read(StudyFixtures.key("backbone")).epochs == (0..<5).map { StudyFixtures.epoch($0) })
    }

    @Test func truncateDropsLaterEpochsAndTheirIterations() throws {
        let folder = TemporaryFolder()
        let store = try storeWithEpochs(5, in: folder)
        try store.setPerClass(StudyFixtures.key("backbone"), PerClassAP(names: ["a"], ap50: [0.1], ap50to95: [0.05], nLabels: [3]))
        try store.truncate(StudyFixtures.key("backbone"), toEpochs: 2)

        let scenario = try store.read(StudyFixtures.key("backbone"))
        #expect(scenario.epochs == [StudyFixtures.epoch(0), StudyFixtures.epoch(1)])
        #expect(scenario.iterations == [StudyFixtures.iterations(0), StudyFixtures.iterations(1)])
        #expect(scenario.perClass == nil)
        do {
            let file = try HDF5File(path: folder.file("results.h5").path, mode: .readOnly)
            #expect(try file.root.group("scenarios/backbone/seeds/7/iterations").dataset("loss").count == 6)
            #expect(try file.root.group("scenarios/backbone/seeds/7/epochs").dataset("lr2").count == 2)
        }  // closed: a reader's lock would make the next append wait
        // The epochs after the checkpoint are appended again as 2, 3, …
        try store.append(StudyFixtures.epoch(2, scale: 2), epoch: 2, iterations: [], to: StudyFixtures.key("backbone"))
        #expect(try store.read(StudyFixtures.key("backbone")).epochs.last == StudyFixtures.epoch(2, scale: 2))
    }

    @Test func appendingAnEpochOutOfSequenceIsRefused() throws {
        let folder = TemporaryFolder()
        let store = try storeWithEpochs(3, in: folder)
        #expect(throws: ResultsStoreError.self) {
            try store.append(StudyFixtures.epoch(5), epoch: 5, iterations: [], to: StudyFixtures.key("backbone"))
        }
        #expect(try store.recordedEpochs(StudyFixtures.key("backbone")) == 3)
    }

    @Test func completeScenarioIsRerunOnlyOnRestartAndKeepsItsPlace() throws {
        let folder = TemporaryFolder()
        let store = try storeWithEpochs(3, in: folder)
        try store.finishRun(StudyFixtures.key("backbone"), RunCompletion(frozenTensorsUnchanged: true, frozenTensorsChecked: 4))
        #expect(throws: ResultsStoreError.runComplete(file: store.url.path, run: StudyFixtures.key("backbone"))) {
            try store.beginTestRun("backbone", StudyFixtures.info())
        }
        #expect(throws: ResultsStoreError.self) {
            try store.append(StudyFixtures.epoch(3), epoch: 3, iterations: [], to: StudyFixtures.key("backbone"))
        }
        #expect(try store.beginTestRun("backbone", StudyFixtures.info(), restart: true) == 0)
        let restarted = try store.read(StudyFixtures.key("backbone"))
        #expect(restarted.status == .running)
        #expect(restarted.epochs.isEmpty && restarted.completion == nil)
        #expect(try store.scenarioNames() == ["none", "backbone"])
    }

    @Test func resumingWithAnotherConfigurationIsRefused() throws {
        let folder = TemporaryFolder()
        let store = try storeWithEpochs(2, in: folder)
        var changed = StudyFixtures.info()
        changed.freeze = "0-8"
        do {
            try store.beginTestRun("backbone", changed)
            Issue.record("beginScenario accepted a changed freeze spec")
        } catch let error as ResultsStoreError {
            #expect(error.description.contains("freeze"))
            #expect(error.description.contains("'0-9'") && error.description.contains("'0-8'"))
        }
        // The same configuration serialised with another key order is the same configuration.
        var reordered = StudyFixtures.info()
        reordered.configJSON = #"{"difficult_objects": "excluded from labels", "freeze": "0-9", "bn": "update", "weights": "source.ckpt", "hyp": "hyp.finetune.yaml", "epochs": 3, "batch_size": 4, "image_size": 64, "data": "synthetic-voc", "model": "yolov5s.yaml"}"#
        #expect(try store.beginTestRun("backbone", reordered) == 2)
    }

    @Test func aWriteCutShortIsHealedOnTheNextAppend() throws {
        let folder = TemporaryFolder()
        let store = try storeWithEpochs(2, in: folder)
        // Simulate a kill in the middle of appending epoch 2: one series and some iterations got it.
        do {
            let file = try HDF5File(path: store.url.path, mode: .readWrite)
            try file.root.group("scenarios/backbone/seeds/7/epochs").dataset("map50").append([0.99])
            let iterations = try file.root.group("scenarios/backbone/seeds/7/iterations")
            try iterations.dataset("epoch").append([2.0])
            try iterations.dataset("loss").append([9.0])
        }
        #expect(try store.recordedEpochs(StudyFixtures.key("backbone")) == 2)
        try store.append(StudyFixtures.epoch(2), epoch: 2, iterations: StudyFixtures.iterations(2), to: StudyFixtures.key("backbone"))
        let scenario = try store.read(StudyFixtures.key("backbone"))
        #expect(scenario.epochs == (0..<3).map { StudyFixtures.epoch($0) })
        #expect(scenario.iterations == (0..<3).map { StudyFixtures.iterations($0) })
    }
}
