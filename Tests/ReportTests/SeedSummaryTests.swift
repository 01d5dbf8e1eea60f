import Foundation
import Results
import Testing
import TestSupport
@testable import Report

/// A scenario with several seeds: each number is the plain mean over its complete runs, and the
/// report lists the seeds (the statistics over seeds, with intervals, come with the report's rewrite).
@Suite struct SeedSummaryTests {
    /// `none` with seeds 0, 1 (complete) and 2 (running, better numbers that must not count).
    static func threeSeeds() -> StudyResults {
        func run(_ seed: Int, map50: Double, imagesPerSecond: Double, complete: Bool = true) -> RunResults {
            var run = ReportFixtures.scenario("none", order: 0, frozen: 0, imagesPerSecond: imagesPerSecond, epochSeconds: 60,
                                              peakBytes: 500e6, cpu: 0.9, map50: map50, map50to95: map50 / 2, complete: complete).runs[0]
            run.seed = seed
            return run
        }
        var none = ReportFixtures.scenario("none", order: 0, frozen: 0, imagesPerSecond: 20, epochSeconds: 60, peakBytes: 500e6, cpu: 0.9,
                                           map50: 0.6, map50to95: 0.3)
        none.runs = [run(0, map50: 0.6, imagesPerSecond: 20), run(1, map50: 0.5, imagesPerSecond: 30),
                     run(2, map50: 0.9, imagesPerSecond: 90, complete: false)]
        return StudyResults(identity: StudyFixtures.identity(), scenarios: [none])
    }

    @Test func aScenarioIsTheMeanOfItsCompleteRuns() throws {
        let none = try #require(StudySummary(Self.threeSeeds()).baseline)
        #expect(none.seeds == [0, 1] && none.recordedSeeds == [0, 1, 2])
        #expect(!none.isComplete, "seed 2 is still running")
        #expect(abs(none.finalMAP50! - 0.55) < 1e-12)
        #expect(none.imagesPerSecond == 25)
        #expect(none.bestEpoch == 2, "both runs' best epoch is the last")
    }

    @Test func theReportListsTheSeedsAndWritesEveryRunsResults() throws {
        let folder = TemporaryFolder()
        let out = folder.file("report")
        try ReportWriter.write(results: Self.threeSeeds(), to: out, reproduceCommand: "")
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("- **Seeds**: `0, 1, 2`"))
        let row = try #require(report.split(separator: "\n").first { $0.hasPrefix("| `none`") })
        #expect(row.contains("| 3/3 | 0, 1 (running: 2) |"), "\(row)")
        for seed in 0..<3 {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("results/none/seed-\(seed)/results.csv").path))
        }
        let curves = try String(contentsOf: out.appendingPathComponent("curves.csv"), encoding: .utf8).split(separator: "\n")
        #expect(curves.count == 1 + 3 * 3)
    }
}
