import ConfigFile
import Foundation
import Results
import Testing
import TestSupport
import Training
import YOLOv5
@testable import Study

/// The fine-tuning settings in study files, on the command line, and as recorded.
@Suite struct FineTuningStudyTests {
    func parse(_ text: String) throws -> (StudyFile, TemporaryFolder) {
        let folder = TemporaryFolder()
        let url = folder.file("study.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return (try StudyFile(contentsOf: url), folder)
    }

    @Test func theSchedulesStudyParsesIntoTheSettingsItSays() throws {
        let study = try StudyFile(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/freeze-schedules.yaml"))
        let byName = Dictionary(uniqueKeysWithValues: study.scenarios.map { ($0.name, $0) })
        #expect(study.scenarios.count == 8 && study.shared.epochs == 6 && study.seeds == [0, 1, 2])
        #expect(byName["backbone-unfreeze-2"]?.settings.fineTuningSchedule(freeze: byName["backbone-unfreeze-2"]!.freeze).unfreeze == .at(epoch: 2))
        let gradual = try #require(byName["backbone-gradual"])
        #expect(gradual.settings.fineTuningSchedule(freeze: gradual.freeze).unfreeze == .gradual(from: 2, everyEpochs: 1, layersPerStep: 4))
        let slow = try #require(byName["backbone-lr0.1"])
        #expect(slow.freeze == .nothing && slow.settings.learningRateMultipliers == [
            ParameterMultiplier(selection: FreezeSpec(layers: Array(0...9), text: "0-9"), factor: 0.1)])
        #expect(byName["backbone-bn-frozen"]?.settings.bn == .frozen && byName["backbone-frozen-bn"]?.settings.bn == .frozenBN)
        #expect(byName["backbone"]?.settings.unfreezeAt == nil && byName["backbone"]?.settings.bn == .update)
        // Every scenario resolves against the model without contradictions.
        let setup = try StudySetup(study: study.source, results: nil, weights: nil, extraScenarios: [], cacheDirectory: URL(fileURLWithPath: "cache"))
        try setup.checkFreezeSpecs(setup.scenarios)
    }

    @Test func badValuesNameTheLineAndTheChoices() throws {
        let cases: [(String, String)] = [
            ("bn: folded", "must be 'update', 'frozen' or 'frozen-bn'"),
            ("unfreeze: sometimes", "must be 'all' or 'gradual'"),
            ("unfreeze_at: -1", "must be positive"),
            ("lr_mult: { \"0-9\": -0.1 }", "a factor is positive"),
            ("lr_mult: { \"9-0\": 0.1 }", "selection freeze spec '9-0'"),
            ("decay_mult: [0.1]", "expected a mapping"),
        ]
        for (line, message) in cases {
            do {
                _ = try parse("name: s\nepochs: 3\nscenarios:\n  - name: a\n    freeze: 10\n    \(line)\n")
                Issue.record("\(line) was accepted")
            } catch let error as ConfigError {
                #expect("\(error)".contains("study.yaml:6") && "\(error)".contains(message), "\(line): \(error)")
            }
        }
        let (study, folder) = try parse("name: s\nscenarios:\n  - {name: a, freeze: none, decay_mult: {\"model.24.\": 0, 3: 2}}\n")
        withExtendedLifetime(folder) {}
        #expect(study.scenarios[0].settings.weightDecayMultipliers.map(\.selection.patterns) == [["model.24."], ["model.3."]],
                "a lone number is that one layer, not a count")
    }

    @Test func contradictionsNameTheScenarioTheKeyAndItsLine() throws {
        let model = Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml").path
        let cases: [(String, String)] = [
            ("    unfreeze_at: 4", "study.yaml:8: scenario 'b': key 'unfreeze_at': epoch 4 is not before the last epoch"),
            ("    lr_mult: {\"0-3\": 0.1}", "study.yaml:8: scenario 'b': key 'lr_mult': '0-3' matches model.0.conv.weight, which is frozen and never unfreezes"),
            ("    unfreeze: gradual", "scenario 'b': key 'unfreeze_step': layer 0 would unfreeze at epoch 10"),
        ]
        for (line, message) in cases {
            let (study, folder) = try parse("name: s\nmodel: \(model)\nepochs: 3\nscenarios:\n  - {name: a, freeze: none}\n  - name: b\n    freeze: 10\n\(line)\n")
            let setup = try StudySetup(study: study.source, results: nil, weights: nil, extraScenarios: [], cacheDirectory: folder.file("cache"))
            do {
                try setup.checkFreezeSpecs(setup.scenarios)
                Issue.record("\(line) was accepted")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test func flagsGiveTheSameSettingsAsTheKeysAndSurviveTheTripToTheRunsProcess() throws {
        var settings = StudySettings.defaults
        settings.unfreezeAt = 3
        settings.unfreeze = .gradual
        settings.unfreezeLayers = 2
        settings.learningRateMultipliers = [try ScheduleFlags.multiplier("0-9=0.1", allowsZero: false)]
        settings.weightDecayMultipliers = [try ScheduleFlags.multiplier("model.24.=0", allowsZero: true)]
        #expect(ScheduleFlags.arguments(for: settings) == ["--unfreeze-at", "3", "--unfreeze", "gradual", "--unfreeze-layers", "2",
                                                            "--lr-mult", "0-9=0.1", "--decay-mult", "model.24.=0.0"])
        #expect(ScheduleFlags.arguments(for: .defaults).isEmpty)
        #expect(throws: StudyError.self) { try ScheduleFlags.multiplier("0-9", allowsZero: false) }
        #expect(throws: StudyError.self) { try ScheduleFlags.multiplier("0-9=0", allowsZero: false) }
    }

    @Test func existingStudiesKeepTheirIdentity() throws {
        // The new keys enter the configuration digest only when set, so results recorded before
        // them still belong to their study.
        let study = try StudyFile(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/freeze-study.yaml"))
        var changed = study
        changed.shared.unfreezeAt = 2
        #expect(StudySetup.identity(of: study).configurationDigest != StudySetup.identity(of: changed).configurationDigest)
        let keys = SettingsTable.fields.filter(\.shapesResults).filter { !$0.digestOnlyWhenSet }.map(\.key)
        #expect(keys == ["model", "data", "weights", "image_size", "batch_size", "epochs", "hyp", "bn", "schedule", "nominal_batch_size"])
    }
}

/// A scheduled ad-hoc scenario trained by real processes, and what its results say.
@Suite(.serialized) struct FineTuningRunTests {
    @Test func anUnfreezingScenarioRecordsItsScheduleAndItsProof() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 2, scenarios: ["none: none"]))
        let result = try runFreezeStudy(["run", "--freeze", "10", "--name", "thaw", "--bn", "frozen-bn", "--unfreeze-at", "1",
                                         "--lr-mult", "0-9=0.5"] + study.sweepFlags)
        #expect(result.status == 0, "\(result.output)\(result.error)")
        let thaw = try #require(try study.read().scenario("thaw"))
        let run = try #require(thaw.runs.first)
        #expect(run.status == .complete && run.completion?.frozenTensorsUnchanged == true)
        let config = ResolvedConfig(json: thaw.info.configJSON)
        #expect(config.text("unfreeze_at") == "1" && config.text("bn") == "frozen-bn", "\(thaw.info.configJSON)")
        #expect(thaw.info.configJSON.contains(#""lr_mult":{"0-9":0.5}"#), "\(thaw.info.configJSON)")
        #expect(thaw.info.configJSON.contains("FrozenBatchNorm2d"), "the policy's meaning is recorded")
        let proof = try #require(run.frozenCheck)
        #expect(proof.algorithm == "sha256" && proof.changed.isEmpty)
        #expect(proof.tensors.contains { $0.name == "model.0.conv.weight" } && proof.tensors.contains { $0.name == "model.0.bn.running_var" })
        #expect(proof.tensors.allSatisfy { $0.fixedThroughEpoch == 0 && $0.startDigest.count == 64 })
        #expect(proof.batchNormNames.count == proof.runningVarianceDrift.count && !proof.batchNormNames.isEmpty)
        #expect(run.info.command.contains("--unfreeze-at 1"), "\(run.info.command)")
    }
}
