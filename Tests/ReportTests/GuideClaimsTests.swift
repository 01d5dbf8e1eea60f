import Foundation
import Testing
import Results
import TestSupport
@testable import Report

@Suite struct GuideClaimsTests {
    private func verdicts(_ results: StudyResults) -> [Verdict] { GuideClaims.check(StudySummary(results)).map(\.verdict) }

    @Test func theGuidesShapeHoldsOnEveryClaim() {
        #expect(verdicts(ReportFixtures.guideLike()) == [.holds, .holds, .holds])
    }

    @Test func theOppositeShapeHoldsOnNone() {
        let claims = GuideClaims.check(StudySummary(ReportFixtures.contrary()))
        #expect(claims.map(\.verdict) == [.doesNotHold, .doesNotHold, .doesNotHold])
        // The figures that decide are named: backbone's 19 images/s against none's 20.
        #expect(claims[0].findings.first { $0.subject == "backbone" }?.text.contains("19.0 vs 20.0 images/s (0.95×)") == true)
        #expect(claims[1].findings.first { $0.subject == "all-but-detect" }?.text.contains("+3.3 %, no drop") == true)
        #expect(claims[2].findings.first { $0.subject == "peak memory" }?.text.contains("`all-but-detect` 700.0 MB is not below `backbone` 600.0 MB") == true)
    }

    @Test func aDropBeyondSlightAndASpeedUpWithinNoiseAreMixed() {
        var results = ReportFixtures.guideLike()
        // all-but-detect loses 25 % of mAP@0.5:0.95 (more than "slightly"); backbone is only 2 % faster.
        results.scenarios[2] = ReportFixtures.scenario("all-but-detect", order: 2, frozen: 4900, imagesPerSecond: 30, epochSeconds: 40,
                                                       peakBytes: 300e6, cpu: 0.80, map50: 0.57, map50to95: 0.30)
        results.scenarios[1] = ReportFixtures.scenario("backbone", order: 1, frozen: 2000, imagesPerSecond: 20.4, epochSeconds: 59,
                                                       peakBytes: 400e6, cpu: 0.85, map50: 0.59, map50to95: 0.39)
        let claims = GuideClaims.check(StudySummary(results))
        #expect(claims[0].verdict == .mixed)
        #expect(claims[0].findings.map(\.verdict) == [.doesNotHold, .holds])
        #expect(claims[1].verdict == .mixed)
        #expect(claims[1].findings.map(\.verdict) == [.holds, .mixed])
    }

    @Test func memoryOrderedButUtilisationFlatIsMixed() {
        var results = ReportFixtures.guideLike()
        for index in results.scenarios.indices {
            for epoch in results.scenarios[index].runs[0].epochs.indices {
                results.scenarios[index].runs[0].epochs[epoch].cpuUtilization = 0.9 - 0.005 * Double(index)
            }
        }
        let claim = GuideClaims.check(StudySummary(results))[2]
        #expect(claim.findings.map(\.verdict) == [.holds, .doesNotHold])
        #expect(claim.verdict == .mixed)
    }

    @Test func withoutNoneSpeedAndAccuracyAreNotChecked() {
        var results = ReportFixtures.guideLike()
        results.scenarios.removeFirst()
        #expect(verdicts(results) == [.notChecked, .notChecked, .holds])
    }

    @Test func aRunningScenarioCountsForSpeedButNotForAccuracy() {
        var results = ReportFixtures.guideLike()
        results.scenarios[2] = ReportFixtures.scenario("all-but-detect", order: 2, frozen: 4900, imagesPerSecond: 30, epochSeconds: 40,
                                                       peakBytes: 300e6, cpu: 0.80, map50: 0.2, map50to95: 0.1, epochs: 1, complete: false)
        let claims = GuideClaims.check(StudySummary(results))
        #expect(claims[0].findings.count == 2)
        #expect(claims[1].findings.map(\.subject) == ["backbone"])
        #expect(claims[1].excluded == ["`all-but-detect` (running, 1 epoch of 3)"])
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
