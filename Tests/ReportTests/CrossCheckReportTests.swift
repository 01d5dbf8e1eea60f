import Foundation
@testable import Report
import Results
import Statistics
import Testing
import TestSupport

/// The cross-check report: both programs' results of one study side by side, their agreement by
/// Welch's interval, and the guide's claims from each program's own seeds.
@Suite struct CrossCheckReportTests {
    typealias Program = CrossCheckComparison.Program

    /// One program's study: per scenario, the final (mAP@0.5, mAP@0.5:0.95, images/s) of each seed.
    static func study(name: String = "crosscheck", tool: String, _ scenarios: [(String, [(Double, Double, Double)])],
                      running: [String] = []) -> StudyResults {
        let runs = scenarios.enumerated().map { order, entry in
            ScenarioResults(name: entry.0, order: order, info: StudyFixtures.info(), runs: entry.1.enumerated().map { seed, values in
                var last = StudyFixtures.epoch(1)
                (last.map50, last.map50to95, last.imagesPerSecond) = values
                last.rssPeakBytes = 1e9 - 1e8 * Double(order) + Double(seed)
                var first = StudyFixtures.epoch(0)
                first.imagesPerSecond = values.2
                first.rssPeakBytes = last.rssPeakBytes
                let complete = !running.contains(entry.0)
                return RunResults(seed: seed, status: complete ? .complete : .running,
                                  started: StudyFixtures.clock(Double(seed) * 1000)(), finished: StudyFixtures.clock(Double(seed) * 1000 + 100)(),
                                  epochs: [first, last])
            })
        }
        var identity = StudyFixtures.identity(name: name)
        identity.toolVersion = tool
        return StudyResults(identity: identity, scenarios: runs, source: "\(tool).h5")
    }

    /// Three seeds of the guide's shape: freezing is faster and costs a little accuracy.
    static let freezeStudy = study(tool: "fs", [
        ("none", [(0.500, 0.300, 100), (0.510, 0.310, 101), (0.505, 0.305, 99)]),
        ("backbone", [(0.490, 0.295, 150), (0.500, 0.300, 152), (0.495, 0.296, 149)]),
    ])

    @Test func programsThatAgreeAndOneThatDoesNot() throws {
        let close = Self.study(tool: "y5", [
            ("none", [(0.505, 0.304, 30), (0.498, 0.302, 31), (0.512, 0.309, 29)]),
            ("backbone", [(0.493, 0.297, 45), (0.497, 0.299, 46), (0.489, 0.294, 44)]),
        ])
        let comparison = try CrossCheckComparison(freezeStudy: Self.freezeStudy, yolov5: close)
        for scenario in comparison.scenarios {
            #expect(scenario.agreement(.finalMAP50).outcome == .holds, "\(scenario.name): \(scenario.agreement(.finalMAP50).reason)")
            #expect(scenario.agreement(.finalMAP50to95).outcome == .holds)
        }
        // YOLOv5 0.1 lower on none's mAP@0.5, with the same spread: the interval excludes 0.
        let low = Self.study(tool: "y5", [
            ("none", [(0.400, 0.304, 30), (0.410, 0.302, 31), (0.405, 0.309, 29)]),
            ("backbone", [(0.493, 0.297, 45), (0.497, 0.299, 46), (0.489, 0.294, 44)]),
        ])
        let disagreeing = try CrossCheckComparison(freezeStudy: Self.freezeStudy, yolov5: low)
        let none = try #require(disagreeing.scenarios.first { $0.name == "none" })
        let verdict = none.agreement(.finalMAP50)
        #expect(verdict.outcome == .doesNotHold)
        // FreezeStudy − YOLOv5 = 0.505 − 0.405; Welch's interval is checked against scipy in StatisticsTests.
        #expect(abs(try #require(verdict.estimate) - 0.1) < 1e-12)
        let markdown = CrossCheckReport.markdown(disagreeing, command: "freeze-study crosscheck-report …")
        #expect(markdown.contains("| `none` | final mAP@0.5 | 0.505 | 0.405 | +0.100 ["), "\(markdown)")
        #expect(markdown.contains("**disagree**") && markdown.contains("**agree**"))
        #expect(markdown.contains("In all: 3 of 4 agree, 1 of 4 disagree."))
    }

    @Test func eachProgramsClaimsFromItsOwnSeeds() throws {
        // YOLOv5: backbone is not faster (the same images/s): FreezeStudy says "holds", YOLOv5 not.
        let notFaster = Self.study(tool: "y5", [
            ("none", [(0.505, 0.304, 30), (0.498, 0.302, 31), (0.512, 0.309, 29)]),
            ("backbone", [(0.493, 0.297, 31), (0.497, 0.299, 29), (0.489, 0.294, 30)]),
        ])
        let comparison = try CrossCheckComparison(freezeStudy: Self.freezeStudy, yolov5: notFaster)
        let speed = try #require(comparison.claims.first { $0.claim.quantity.id == CrossCheckQuantity.imagesPerSecond.id })
        #expect(speed.scenario == "backbone")
        #expect(speed.verdicts[.freezeStudy]?.outcome == .holds)
        #expect(speed.verdicts[.yolov5]?.outcome == .notShown)
        #expect(!speed.same)
        // Each program's own rule with its own values, not a mix of the two files.
        #expect(speed.verdicts[.freezeStudy] == VerdictRules.speedsUp(baseline: [0: 100, 1: 101, 2: 99], frozen: [0: 150, 1: 152, 2: 149]))
        #expect(comparison.claims.count == CrossCheckClaim.all.count, "one frozen scenario: every claim once")
        let markdown = CrossCheckReport.markdown(comparison, command: "")
        #expect(markdown.contains("| speeds training up (images/s) | `backbone` | holds | not shown | **no** |"), "\(markdown)")
    }

    @Test func onlyCompleteRunsAndSharedScenariosCount() throws {
        let yolov5 = Self.study(tool: "y5", [
            ("none", [(0.505, 0.304, 30), (0.498, 0.302, 31), (0.512, 0.309, 29)]),
            ("backbone", [(0.493, 0.297, 45), (0.497, 0.299, 46), (0.489, 0.294, 44)]),
            ("extra", [(0.1, 0.1, 1)]),
        ], running: ["backbone"])
        let comparison = try CrossCheckComparison(freezeStudy: Self.freezeStudy, yolov5: yolov5)
        #expect(comparison.scenarios.map(\.name) == ["none", "backbone"])
        #expect(comparison.onlyIn[.yolov5] == ["extra"] && comparison.onlyIn[.freezeStudy] == [])
        let backbone = try #require(comparison.scenarios.first { $0.name == "backbone" })
        #expect(backbone.values(.yolov5, .finalMAP50).isEmpty, "running runs are left out")
        #expect(backbone.agreement(.finalMAP50).outcome == .notAvailable)
        // Wall time: 100 s per complete run of the shared scenarios; YOLOv5's backbone runs are not complete.
        #expect(comparison.wallSeconds(.freezeStudy) == (600, 6))
        #expect(comparison.wallSeconds(.yolov5) == (300, 3))
        let markdown = CrossCheckReport.markdown(comparison, command: "")
        #expect(markdown.contains("Recorded by YOLOv5 train.py only, and left out: `extra`."))
    }

    @Test func differentStudiesAreRefusedNamingBothFiles() throws {
        let other = Self.study(name: "freeze-study", tool: "y5", [("none", [(0.5, 0.3, 30)])])
        #expect(throws: CrossCheckError.differentStudies(freezeStudy: "fs.h5", freezeStudyName: "crosscheck",
                                                         yolov5: "y5.h5", yolov5Name: "freeze-study")) {
            try CrossCheckComparison(freezeStudy: Self.freezeStudy, yolov5: other)
        }
    }

    @Test func csvHasARowPerScenarioProgramAndQuantity() throws {
        let comparison = try CrossCheckComparison(freezeStudy: Self.freezeStudy, yolov5: Self.freezeStudy)
        let lines = CrossCheckReport.csv(comparison).split(separator: "\n")
        #expect(lines.count == 1 + 2 * 2 * CrossCheckQuantity.all.count)
        #expect(lines[0] == "scenario,program,quantity,seeds,mean,ci95_lower,ci95_upper,difference_to_yolov5,welch95_lower,welch95_upper,agreement")
        // The same results on both sides: difference 0, inside a Welch interval as wide as both
        // spreads: ± t(0.975, 4) · √(2 s² / 3), s² = 2.5e-5 (equal variances and sizes: df 2(n − 1) = 4).
        let fields = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(fields.count == 11)
        #expect(fields.prefix(7).joined(separator: ",") == "none,FreezeStudy,final_map50,0 1 2,0.505,\(try Self.interval([0.500, 0.510, 0.505]))")
        let halfWidth = 2.7764451051977987 * (2 * 2.5e-5 / 3).squareRoot()
        #expect(fields[7] == "0" && fields[10] == "agree", "\(lines[1])")
        let (lower, upper) = (try #require(Double(fields[8])), try #require(Double(fields[9])))
        #expect(abs(lower + halfWidth) < 1e-6 && abs(upper - halfWidth) < 1e-6, "\(lines[1])")
        #expect(lines.contains("none,YOLOv5 train.py,images_per_second,0 1 2,100,\(try Self.interval([100, 101, 99])),,,,"))
    }

    /// "lower,upper" of the 95 % t-interval of `values`, as CSV writes it.
    static func interval(_ values: [Double]) throws -> String {
        let interval = try #require(try MeanEstimate(values).interval)
        return "\(CSV.number(interval.lower)),\(CSV.number(interval.upper))"
    }

    /// A results file the cross-check driver (Python, h5py) wrote, read by the store's reader:
    /// the driver's layout and attribute types are the ones FreezeStudy reads. Made by
    /// `python Experiments/crosscheck/crosscheck.py --write-test-fixture Tests/ReportTests/CrossCheckFixtures/yolov5-results.h5`.
    @Test func theDriversFileReadsBack() throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("Tests/ReportTests/CrossCheckFixtures/yolov5-results.h5")
        let study = try ResultsStore(url: url).readStudy()
        #expect(study.identity.name == "tiny")
        #expect(study.identity.toolVersion.hasPrefix("YOLOv5 train.py (yolov5 7.0.14"))
        #expect(study.scenarios.map(\.name) == ["none", "backbone"])
        let backbone = try #require(study.scenario("backbone"))
        #expect(backbone.info.freeze == "10" && backbone.info.frozenParameters == 500 && backbone.info.freezePatterns.count == 10)
        #expect(backbone.runs.map(\.seed) == [0, 4] && backbone.runs.allSatisfy { $0.status == .complete })
        let run = backbone.runs[1]
        #expect(run.epochs.count == 2)
        #expect(run.epochs.map(\.map50) == [6.0, 6.01] && run.epochs.map(\.imagesPerSecond) == [6, 6])
        #expect(run.epochs.allSatisfy { $0.trackedPeakBytes.isNaN })
        #expect(run.completion?.frozenTensorsUnchanged == true && run.completion?.frozenTensorsChecked == 5)
        #expect(run.info.threads == 2 && run.started != nil && run.finished != nil)
        #expect(run.perClass?.nLabels == [4, 0, 2] && run.perClass?.ap50[1].isNaN == true)
        #expect(run.iterations.map(\.count) == [2, 2])
        #expect(study.scenario("none")?.runs.first?.status == .running, "a failed run is not complete")
    }
}
