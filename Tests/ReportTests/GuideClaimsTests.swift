import Foundation
import Testing
import Results
import TestSupport
@testable import Report

@Suite struct GuideClaimsTests {
    private func verdicts(_ results: StudyResults) -> [Verdict] { GuideClaims.check(StudySummary(results)).map(\.verdict) }

    @Test func theGuidesShapeHoldsOnEveryClaim() {
        #expect(verdicts(SeededFixtures.guideLike()) == [.holds, .holds, .holds])
    }

    @Test func theOppositeShapeHoldsOnNone() {
        let claims = GuideClaims.check(StudySummary(SeededFixtures.contrary()))
        #expect(claims.map(\.verdict) == [.doesNotHold, .doesNotHold, .doesNotHold])
        // The figures that decide are named: backbone runs at 0.95× of none on every seed.
        #expect(claims[0].findings.first { $0.subject == "backbone" }?.text.contains("speed-up (images/s ratio) 0.950×") == true)
        #expect(claims[1].findings.first { $0.subject == "all-but-detect" }?.text.contains("the interval lies below 0") == true)
        #expect(claims[2].findings.first { $0.subject == "`all-but-detect` vs `backbone`" }?.text.contains("memory ratio 1.167×") == true)
    }

    @Test func aDropBeyondTheMarginDoesNotHoldAndOneWithinItDoes() {
        var results = SeededFixtures.guideLike()
        // all-but-detect loses 25 % of mAP on every seed: it costs accuracy, but not little.
        results.scenarios[2] = SeededFixtures.scenario("all-but-detect", order: 2, frozen: 4900, map50: [0.45, 0.4125, 0.4875],
                                                       imagesPerSecond: [30, 44, 38], peakBytes: 300e6)
        let claim = GuideClaims.check(StudySummary(results))[1]
        #expect(claim.findings.map(\.verdict) == [.holds, .doesNotHold])
        #expect(claim.verdict == .mixed)
        #expect(claim.findings[1].text.contains("the interval lies above the margin +10.00 %"))
    }

    @Test func withTooFewSeedsNothingIsDecided() {
        // One seed per scenario: every interval rule says "not shown with 1 seed", whatever the numbers.
        let claims = GuideClaims.check(StudySummary(ReportFixtures.guideLike()))
        #expect(claims.map(\.verdict) == [.notShown, .notShown, .notShown])
        #expect(claims.map(\.verdictText) == ["not shown with 1 seed", "not shown with 1 seed", "not shown with 1 seed"])
    }

    @Test func withoutNoneSpeedAndAccuracyAreNotChecked() {
        var results = SeededFixtures.guideLike()
        results.scenarios.removeFirst()
        #expect(verdicts(results) == [.notChecked, .notChecked, .holds])
    }

    @Test func aRunningScenarioCountsForSpeedButNotForAccuracy() {
        var results = SeededFixtures.guideLike()
        for index in results.scenarios[2].runs.indices {
            results.scenarios[2].runs[index].status = .running
            results.scenarios[2].runs[index].completion = nil
        }
        let claims = GuideClaims.check(StudySummary(results))
        #expect(claims[0].findings.count == 2)
        #expect(claims[0].findings[1].text.hasPrefix("running, 3 epochs of 3"))
        #expect(claims[1].findings.map(\.subject) == ["backbone"])
        #expect(claims[1].excluded == ["`all-but-detect` (running, 3 epochs of 3)"])
        #expect(claims[1].verdict == .holds)
    }

    @Test func summaryComputesRatiosAgainstNone() throws {
        let summary = StudySummary(ReportFixtures.guideLike())
        let backbone = try #require(summary.scenarios.first { $0.name == "backbone" })
        #expect(backbone.imagesPerSecond == 26)
        #expect(backbone.speedUp == 26.0 / 20.0)
        #expect(backbone.wallSeconds == 138.0)
        #expect(backbone.wallSpeedUp == 60.0 / 46.0)
        #expect(backbone.trackedPeakBytes == 400e6)
        #expect(backbone.memoryRatio == 0.8)
        #expect(backbone.finalMAP50 == 0.59)
        #expect(backbone.bestEpoch == 2)
        #expect(backbone.epochsPlanned == 3)
        #expect(summary.baseline?.speedUp == 1)
    }

    @Test func bestEpochFollowsYOLOv5Fitness() {
        // Epoch 1 has the higher mAP@0.5, epoch 2 the higher fitness 0.1·mAP@0.5 + 0.9·mAP@0.5:0.95.
        let epochs = [EpochRecord(map50: 0.5, map50to95: 0.30), EpochRecord(map50: 0.7, map50to95: 0.31), EpochRecord(map50: 0.6, map50to95: 0.33)]
        #expect(RunSummary.bestEpoch(epochs) == 2)
    }
}
