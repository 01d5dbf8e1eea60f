import ConfigFile
import Foundation
import Testing
import TestSupport
import VOCData
@testable import Study

/// The study file's `synthetic: source_classes` key: the superset source task by default, the
/// earlier disjoint one on request, anything else an error naming the line.
@Suite struct EmbeddedDefaultsTests {
    func parse(_ synthetic: String) throws -> StudyFile {
        let folder = TemporaryFolder()
        let url = folder.file("study.yaml")
        try "name: s\nsynthetic: \(synthetic)\nscenarios:\n  - {name: none, freeze: none}\n".write(to: url, atomically: true, encoding: .utf8)
        return try withExtendedLifetime(folder) { try StudyFile(contentsOf: url) }
    }

    @Test func sourceClassesSelectTheSourceTask() throws {
        #expect(try parse("{images: 10}").embedded.sourceClasses.task == .source, "superset by default")
        #expect(try parse("{source_classes: superset}").embedded.sourceClasses.task == .source)
        let disjoint = try parse("{source_classes: disjoint, source_images: 30, image_size: 96, seed: 2}").embedded
        #expect(disjoint.sourceClasses.task == .sourceDisjoint)
        #expect(disjoint.syntheticConfiguration(disjoint.sourceClasses.task).fingerprint == "source-disjoint-n30-s2-px96-v200-q90-g2")
        #expect(disjoint.syntheticConfiguration(.voc).images == 1000)
    }

    @Test func anUnknownRelationNamesTheLineAndTheChoices() {
        #expect {
            _ = try parse("\n  source_classes: overlapping")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.line == 3 && error.field.contains("source_classes") && error.reason.contains("'superset' or 'disjoint'")
        }
    }
}

/// The comparison study differs from the default study in the source task's classes only.
@Suite struct DisjointComparisonStudyTests {
    @Test func theDisjointStudyIsTheDefaultStudyButForTheSourceClasses() throws {
        let experiments = Fixtures.repositoryRoot.appendingPathComponent("Experiments")
        let main = try StudyFile(contentsOf: experiments.appendingPathComponent("freeze-study.yaml"))
        let disjoint = try StudyFile(contentsOf: experiments.appendingPathComponent("freeze-study-disjoint.yaml"))
        #expect(main.embedded.sourceClasses == .superset && disjoint.embedded.sourceClasses == .disjoint)
        var same = disjoint.embedded
        same.sourceClasses = .superset
        #expect(same == main.embedded)
        #expect(disjoint.shared == main.shared)
        #expect(disjoint.scenarios.map(\.name) == main.scenarios.map(\.name) && disjoint.scenarios.map(\.freeze) == main.scenarios.map(\.freeze))
    }
}
