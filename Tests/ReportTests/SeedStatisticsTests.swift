import Foundation
import Results
import Statistics
import Testing
import TestSupport
@testable import Report

/// The report's statistics over seeds: intervals, paired differences, verdicts by the interval
/// rules, time to target and the cost accounting, on tiny synthetic studies.
@Suite struct SeedStatisticsTests {
    private func report(_ results: StudyResults) throws -> String {
        let folder = TemporaryFolder()
        let out = folder.file("report")
        try ReportWriter.write(results: results, to: out, reproduceCommand: "")
        return try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
    }

    private func row(_ report: String, startingWith prefix: String) throws -> [String] {
        let line = try #require(report.split(separator: "\n").first { $0.hasPrefix(prefix) }, "no row \(prefix)")
        return line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func aDifferenceInsideItsNoiseIsNotShown() throws {
        let claims = GuideClaims.check(StudySummary(SeededFixtures.threeSeeds()))
        // backbone − none per seed: +0.01, −0.01, +0.005 in mAP@0.5; images/s ×1.1, ×0.9, ×1.04.
        let speed = try #require(claims[0].findings.first { $0.subject == "backbone" })
        let accuracy = try #require(claims[1].findings.first { $0.subject == "backbone" })
        #expect(speed.verdict == .notShown && speed.seeds == 3, "\(speed.text)")
        #expect(accuracy.verdict == .notShown && accuracy.seeds == 3, "\(accuracy.text)")
        #expect(accuracy.text.contains("the interval includes 0"))
        let text = try report(SeededFixtures.threeSeeds())
        #expect(text.contains("- `backbone` — **not shown with 3 seeds**: images/s: not shown with 3 seeds"))
    }

    @Test func clearDifferencesAreDecidedWithTheirIntervals() throws {
        let claims = GuideClaims.check(StudySummary(SeededFixtures.threeSeeds()))
        // all-but-detect: images/s ×1.5, ×1.47, ×1.52; mAP@0.5 drops of 5.0 %, 5.5 %, 4.6 %.
        #expect(claims[0].findings.first { $0.subject == "all-but-detect" }?.verdict == .holds)
        #expect(claims[1].findings.first { $0.subject == "all-but-detect" }?.verdict == .holds)
        #expect(claims.map(\.verdict) == [.mixed, .mixed, .holds], "memory: 300 < 400 < 500 MB on every seed")
        let text = try report(SeededFixtures.threeSeeds())
        #expect(text.contains("### (c) The more is frozen, the less memory is used. — **holds**"))
        #expect(!text.contains("utilisation. —"), "no verdict on utilisation")
    }

    @Test func scenarioMeansCarryTheirIntervals() throws {
        let text = try report(SeededFixtures.threeSeeds())
        let none = try row(text, startingWith: "| `none`")
        let header = try row(text, startingWith: "| Scenario | Freeze |")
        let cell = try #require(header.firstIndex(of: Quantities.finalMAP50.label))
        // 0.60, 0.55, 0.65: mean 0.6, s 0.05, t*₂ = 4.302653 (scipy t.ppf(0.975, 2)) → ± 0.124.
        #expect(none[cell] == "0.600 ± 0.124")
    }

    @Test func pairedDifferencesAreListedPerSeedWithTheirInterval() throws {
        let text = try report(SeededFixtures.threeSeeds())
        let cells = try row(text, startingWith: "| `all-but-detect` | mAP@0.5 final − none |")
        #expect(cells[2] == "0: -0.030, 1: -0.030, 2: -0.030")
        #expect(cells[3] == "-0.030")
        #expect(cells[4] == "[-0.030, -0.030]", "the same difference on every seed has no spread")
        let ratio = try row(text, startingWith: "| `all-but-detect` | Train images/s ÷ none |")
        #expect(ratio[2] == "0: 1.50×, 1: 1.47×, 2: 1.52×")
    }

    @Test func aStudyOfOneSeedSaysNoIntervalIsPossible() throws {
        let text = try report(ReportFixtures.guideLike())
        #expect(try row(text, startingWith: "| `none`").contains("0.600 (1 seed, no interval)"))
        let paired = try row(text, startingWith: "| `backbone` | mAP@0.5 final − none |")
        #expect(paired[4] == "no interval possible (1 seed)")
        #expect(text.contains("### (b) Freezing lowers final accuracy slightly. — **not shown with 1 seed**"))
        let summary = try summaryCSV(ReportFixtures.guideLike()).split(separator: "\n")
        let columns = summary[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let backbone = Dictionary(uniqueKeysWithValues: zip(columns, summary[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        #expect(backbone["final_map50_mean"] == "0.59" && backbone["final_map50_ci95_low"] == "" && backbone["final_map50_vs_none_ci95_low"] == "")
    }

    private func summaryCSV(_ results: StudyResults) throws -> String {
        let folder = TemporaryFolder()
        let out = folder.file("report")
        try ReportWriter.write(results: results, to: out, reproduceCommand: "")
        return try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
    }

    @Test func timeToTargetIsPerSeedAgainstThatSeedsNone() throws {
        let text = try report(SeededFixtures.threeSeeds())
        // none reaches its own 95 % between epochs 1 and 2; all-but-detect (−0.03, behind by 0.05 an epoch) as well.
        let none = try row(text, startingWith: "| `none` | 0: 0.570")
        #expect(none[1].hasPrefix("0: 0.570, 1: 0.52"))
        // seed 0: epochs end at 60, 120, 180 s; mAP 0.50, 0.55, 0.60; target 0.57 → 120 + 0.4·60 = 144 s.
        #expect(none[2].hasPrefix("0: 2m24s (e2)"))
    }

    @Test func costAccountingPutsTheAmdahlPredictionBesideTheMeasuredSpeedUp() throws {
        let text = try report(SeededFixtures.threeSeeds())
        #expect(text.contains("## Where the time goes"))
        let split = try row(text, startingWith: "| `none` | 3.0 s")
        // Phases of the mean epoch: 3 + 21 + 25 + 4 + 1 + 6 = 60 s.
        #expect(split[2] == "21.0 s (35 %)" && split[3] == "25.0 s (42 %)")
        let work = try row(text, startingWith: "| `all-but-detect` | 2.500 |")
        #expect(work[2] == "0.300 (0.200 + 0.100)")
        // By hand: none's training phases 3 + 21 + 25 + 4 + 1 = 54 s; all-but-detect keeps data wait 3,
        // forward 21, EMA 1; backward 25 · 0.3/3.5; optimizer 4 · 100/5000 → 27.2229 s; 54/27.2229 = 1.98×.
        #expect(work[5] == "1.98×")
        #expect(text.contains("`all-but-detect`: measured 1.50×, predicted 1.98× — less than predicted"))
    }

    @Test func olderResultsWithoutTheTimeSplitSayWhatIsMissing() throws {
        var results = ReportFixtures.guideLike()
        for s in results.scenarios.indices {
            for epoch in results.scenarios[s].runs[0].epochs.indices {
                for series in EpochSeries.timeSplit { results.scenarios[s].runs[0].epochs[epoch][keyPath: series.field] = .nan }
            }
            results.scenarios[s].runs[0].info.flopsPerImage = nil
        }
        let text = try report(results)
        #expect(text.contains("did not record the time split (`seconds_*`) or the FLOPs per image"))
    }
}
