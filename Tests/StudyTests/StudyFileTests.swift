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
        #expect(bn.reason.contains("'update' or 'frozen'"), "\(bn)")
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
}

