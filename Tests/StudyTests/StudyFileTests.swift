import ConfigFile
import Foundation
import Testing
import TestSupport
import YOLOv5
@testable import Study

@Suite struct StudyFileTests {
    func parse(_ text: String) throws -> StudyFile {
        let folder = TemporaryFolder()
        let url = folder.file("study.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try withExtendedLifetime(folder) { try StudyFile(contentsOf: url) }
    }

    func error(_ text: String) -> ConfigError? {
        do {
            _ = try parse(text)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func theDefaultStudyFileParses() throws {
        let study = try StudyFile(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/freeze-study.yaml"))
        #expect(study.scenarios.map(\.name) == ["none", "backbone", "all-but-detect"])
        #expect(study.scenarios.map(\.freeze.patterns.count) == [0, 10, 24])
        #expect(study.shared.hyp == "hyps/hyp.synthetic-finetune.yaml" && study.shared.bn == .update)
        #expect(study.resolve(study.shared.model).path.hasSuffix("Experiments/models/yolov5n.yaml"))
        for other in ["freeze-study-long.yaml", "voc-yolov5m.yaml"] {
            let file = try StudyFile(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/\(other)"))
            #expect(file.scenarios.count == 3, "\(other)")
        }
    }

    @Test func scenariosOverrideSharedSettingsAndTakeEveryFreezeForm() throws {
        let study = try parse("""
            name: s
            epochs: 7
            scenarios:
              - {name: a, freeze: none}
              - {name: b, freeze: 10, epochs: 3, bn: frozen}
              - {name: c, freeze: [0, 2]}
              - {name: d, freeze: 0-2}
              - {name: e, freeze: model.2.cv1.}
              - {name: f, freeze: [model.2.cv1., model.3.]}
            """)
        #expect(study.scenarios.map(\.settings.epochs) == [7, 3, 7, 7, 7, 7])
        #expect(study.scenarios[1].settings.bn == .frozen && study.scenarios[0].settings.bn == .update)
        #expect(study.scenarios[2].freeze.patterns == ["model.0.", "model.2."])
        #expect(study.scenarios[3].freeze.patterns == ["model.0.", "model.1.", "model.2."])
        #expect(study.scenarios[4].freeze.patterns == ["model.2.cv1."])
        #expect(study.scenarios[5].freeze.patterns == ["model.2.cv1.", "model.3."])
    }

    @Test func unknownKeysNameTheLine() throws {
        let e = try #require(error("name: s\nepochz: 3\nscenarios:\n  - {name: a, freeze: none}\n"))
        #expect(e.line == 2 && e.reason.contains("unknown key 'epochz'"), "\(e)")
        let inScenario = try #require(error("name: s\nscenarios:\n  - name: a\n    freeze: none\n    lr: 3\n"))
        #expect(inScenario.line == 5 && inScenario.reason.contains("unknown key 'lr'"), "\(inScenario)")
    }

    @Test func wrongTypesNameTheField() throws {
        let e = try #require(error("name: s\nepochs: ten\nscenarios:\n  - {name: a, freeze: none}\n"))
        #expect(e.line == 2 && e.field == "epochs" && e.reason.contains("expected an integer"), "\(e)")
        let size = try #require(error("name: s\nimage_size: 100\nscenarios:\n  - {name: a, freeze: none}\n"))
        #expect(size.reason.contains("multiple of 32"), "\(size)")
        let bn = try #require(error("name: s\nscenarios:\n  - {name: a, freeze: none, bn: maybe}\n"))
        #expect(bn.reason.contains("'update', 'frozen' or 'frozen-bn'"), "\(bn)")
    }

    @Test func duplicateScenarioNamesAndBadFreezeSpecsAreErrors() throws {
        let duplicate = try #require(error("name: s\nscenarios:\n  - {name: a, freeze: none}\n  - {name: a, freeze: 10}\n"))
        #expect(duplicate.line == 4 && duplicate.reason.contains("defined twice"), "\(duplicate)")
        let spec = try #require(error("name: s\nscenarios:\n  - {name: a, freeze: 9-2}\n"))
        #expect(spec.line == 3 && spec.reason.contains("freeze spec '9-2'"), "\(spec)")
        let missing = try #require(error("name: s\nscenarios:\n  - {name: a}\n"))
        #expect(missing.reason.contains("needs a 'freeze'"), "\(missing)")
        let none = try #require(error("name: s\n"))
        #expect(none.reason.contains("missing key 'scenarios'"), "\(none)")
    }

    @Test func seedsAreACountAListOrOneSeed() throws {
        let scenarios = "scenarios:\n  - {name: a, freeze: none}\n"
        #expect(try parse("name: s\nseeds: 3\n" + scenarios).seeds == [0, 1, 2])
        #expect(try parse("name: s\nseeds: [0, 7, 42]\n" + scenarios).seeds == [0, 7, 42])
        #expect(try parse("name: s\nseed: 5\n" + scenarios).seeds == [5])
        #expect(try parse("name: s\n" + scenarios).seeds == [0])
        let study = try parse("name: s\nseeds: [4, 2]\n" + scenarios)
        #expect(study.shared.seed == 4 && study.scenarios[0].settings.seed == 4, "settings carry the first seed until a run sets its own")
    }

    @Test func seedsThatCannotPairAreErrors() throws {
        let scenarios = "scenarios:\n  - {name: a, freeze: none}\n"
        let both = try #require(error("name: s\nseed: 1\nseeds: 3\n" + scenarios))
        #expect(both.line == 3 && both.reason.contains("either 'seed' (line 2) or 'seeds'"), "\(both)")
        let perScenario = try #require(error("name: s\nscenarios:\n  - {name: a, freeze: none}\n  - {name: b, freeze: 10, seeds: [1, 2]}\n"))
        #expect(perScenario.line == 4 && perScenario.reason.contains("seeds are the study's, not a scenario's"), "\(perScenario)")
        let seedPerScenario = try #require(error("name: s\nscenarios:\n  - {name: a, freeze: none, seed: 3}\n"))
        #expect(seedPerScenario.reason.contains("paired"), "\(seedPerScenario)")
        let zero = try #require(error("name: s\nseeds: 0\n" + scenarios))
        #expect(zero.reason.contains("positive"), "\(zero)")
        let twice = try #require(error("name: s\nseeds: [1, 2, 1]\n" + scenarios))
        #expect(twice.line == 2 && twice.reason.contains("seed 1 is listed twice"), "\(twice)")
        let negative = try #require(error("name: s\nseeds: [-1]\n" + scenarios))
        #expect(negative.reason.contains("0 or more"), "\(negative)")
        let empty = try #require(error("name: s\nseeds: []\n" + scenarios))
        #expect(empty.reason.contains("empty"), "\(empty)")
    }

    @Test func specialDataAndWeightsValuesAreParsedOnce() throws {
        let study = try parse("name: s\ndata: synthetic\nweights: none\nscenarios:\n  - {name: a, freeze: none, weights: w.pt, data: voc.yaml}\n"
                              + "  - {name: b, freeze: none, weights: pretrained}\n")
        #expect(study.shared.data == .synthetic && study.shared.weights == .scratch)
        #expect(study.scenarios[0].settings.data == .path("voc.yaml") && study.scenarios[0].settings.weights == .file("w.pt"))
        #expect(study.scenarios[1].settings.weights == .pretrained)
        #expect(WeightsSource("none").description == "none" && DataSource("synthetic").description == "synthetic")
    }

    @Test func everySettingKeyIsInOneTable() throws {
        #expect(SettingsTable.keys == ["model", "data", "weights", "image_size", "batch_size", "epochs", "hyp", "bn", "schedule",
                                       "nominal_batch_size", "val_batch_size", "workers", "cache", "unfreeze_at", "unfreeze",
                                       "unfreeze_step", "unfreeze_layers", "lr_mult", "decay_mult"])
        let study = try parse("name: s\nworkers: 2\ncache: none\nval_batch_size: 4\nschedule: cosine\nscenarios:\n  - {name: a, freeze: none, epochs: 4}\n")
        let settings = study.scenarios[0].settings
        let recorded = Dictionary(uniqueKeysWithValues: SettingsTable.fields.map { ($0.key, $0.text(settings)) })
        #expect(recorded["workers"] == "2" && recorded["cache"] == "none" && recorded["val_batch_size"] == "4")
        #expect(recorded["schedule"] == "cosine" && recorded["epochs"] == "4" && recorded["weights"] == "pretrained")
    }
}
