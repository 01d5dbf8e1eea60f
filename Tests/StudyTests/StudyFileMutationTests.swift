import ConfigFile
import Foundation
import TestSupport
import Testing
@testable import Study

/// Seeded damage to the repository's study file (issue 16 §4): every damaged file is read or
/// refused with an error naming the file and line; none traps or hangs (a freeze count of 10¹⁸
/// must not become 10¹⁸ patterns).
@Suite struct StudyFileMutationTests {
    @Test func damagedStudyFiles() throws {
        let folder = TemporaryFolder()
        let scratch = try ScratchFile(folder.file("freeze-study.yaml"))
        let url = scratch.url
        let base = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/freeze-study.yaml"), encoding: .utf8)
        try scratch.replace(with: Array(base.utf8))
        _ = try StudyFile(contentsOf: url)
        let tally = mutateYAML(base, file: url.path, seed: 23) { text in
            try scratch.replace(with: Array(text.utf8))
            _ = try StudyFile(contentsOf: url)
        }
        #expect(tally.badErrors.isEmpty, "\(tally.badErrors.prefix(5))")
        print("study file mutations: \(tally)")
    }

    /// `freeze: 2147483648` built two billion patterns before anything looked at the model.
    @Test func hugeFreezeCountsAreRefusedWithTheirLine() throws {
        let folder = TemporaryFolder()
        let url = folder.file("study.yaml")
        for spec in ["2147483648", "0-4294967295", "1001"] {
            try Data("name: s\nscenarios:\n  - name: a\n    freeze: \(spec)\n".utf8).write(to: url)
            #expect {
                _ = try StudyFile(contentsOf: url)
            } throws: { error in
                let e = error as! ConfigError
                return e.file == url.path && e.line == 4 && e.reason.contains("that many layers")
            }
        }
        try Data("name: s\nscenarios:\n  - name: a\n    freeze: 1000\n".utf8).write(to: url)
        #expect(try StudyFile(contentsOf: url).scenarios[0].freeze.layers?.count == 1000)
    }

    /// `seeds: 4294967296` once asked for an array of 2³² seeds (34 GB) before anything said no.
    @Test func hugeSeedCountsAreRefusedWithTheirLine() throws {
        let folder = TemporaryFolder()
        let url = folder.file("study.yaml")
        for count in ["4294967296", "1001"] {
            try Data("name: s\nseeds: \(count)\nscenarios:\n  - name: a\n    freeze: none\n".utf8).write(to: url)
            #expect {
                _ = try StudyFile(contentsOf: url)
            } throws: { error in
                let e = error as! ConfigError
                return e.file == url.path && e.line == 2 && e.reason.contains("at most 1000")
            }
        }
        try Data("name: s\nseeds: 1000\nscenarios:\n  - name: a\n    freeze: none\n".utf8).write(to: url)
        #expect(try StudyFile(contentsOf: url).seeds.count == 1000)
    }
}
