import Foundation
import Results
import Statistics

/// One study trained by two programs, FreezeStudy and YOLOv5's train.py (Experiments/crosscheck/),
/// compared scenario by scenario: each program's mean over seeds with its 95 % interval, whether
/// the two agree (0 inside the Welch interval of the difference of their means; their seeds are
/// not paired, each program draws its own random streams), and the verdicts on the guide's claims
/// from each program's own results. Only complete runs count.
public struct CrossCheckComparison: Sendable {
    /// The two programs, in the order every table shows them.
    public enum Program: String, CaseIterable, Sendable {
        case freezeStudy = "FreezeStudy"
        case yolov5 = "YOLOv5 train.py"
    }

    /// One scenario of both files: per program and quantity, the value of each complete run by seed.
    public struct Scenario: Sendable {
        public var name: String
        public var values: [Program: [CrossCheckQuantity.ID: [Int: Double]]]

        /// The values of `quantity` by seed for `program` (empty when it has none).
        public func values(_ program: Program, _ quantity: CrossCheckQuantity) -> [Int: Double] {
            values[program]?[quantity.id] ?? [:]
        }

        /// `program`'s mean over seeds of `quantity`, with its t-interval (nil without values).
        public func estimate(_ program: Program, _ quantity: CrossCheckQuantity) -> MeanEstimate? {
            try? MeanEstimate(seeds: values(program, quantity))
        }

        /// Whether the programs agree on `quantity` (VerdictRules.agree: FreezeStudy − YOLOv5).
        public func agreement(_ quantity: CrossCheckQuantity) -> IntervalVerdict {
            VerdictRules.agree(Self.ordered(values(.freezeStudy, quantity)), Self.ordered(values(.yolov5, quantity)))
        }

        static func ordered(_ values: [Int: Double]) -> [Double] { values.keys.sorted().map { values[$0]! } }
    }

    /// One claim of the guide for one frozen scenario, decided from each program's own results.
    public struct ClaimVerdicts: Sendable {
        public var claim: CrossCheckClaim
        public var scenario: String
        public var verdicts: [Program: IntervalVerdict]

        /// Whether both programs reach the same outcome.
        public var same: Bool { verdicts[.freezeStudy]?.outcome == verdicts[.yolov5]?.outcome }
    }

    /// Each program's whole study: the results as read, and the wall time of its complete runs.
    public var results: [Program: StudyResults]
    /// Scenarios recorded by both programs, in FreezeStudy's study order.
    public var scenarios: [Scenario]
    /// Scenarios only one program recorded (left out of every comparison).
    public var onlyIn: [Program: [String]]
    /// Every claim for every frozen scenario (those other than the baseline `none`).
    public var claims: [ClaimVerdicts]

    /// The comparison of two results files of the same study; throws when their study names differ.
    public init(freezeStudy: StudyResults, yolov5: StudyResults) throws {
        guard freezeStudy.identity.name == yolov5.identity.name else {
            throw CrossCheckError.differentStudies(freezeStudy: freezeStudy.source ?? "", freezeStudyName: freezeStudy.identity.name,
                                                   yolov5: yolov5.source ?? "", yolov5Name: yolov5.identity.name)
        }
        results = [.freezeStudy: freezeStudy, .yolov5: yolov5]
        let names = Set(yolov5.scenarios.map(\.name))
        let scenarios = freezeStudy.scenarios.filter { names.contains($0.name) }.map { scenario in
            var values: [Program: [CrossCheckQuantity.ID: [Int: Double]]] = [:]
            for (program, study) in [(Program.freezeStudy, freezeStudy), (.yolov5, yolov5)] {
                let runs = study.scenario(scenario.name)!.runs.filter { $0.status == .complete }
                values[program] = Dictionary(uniqueKeysWithValues: CrossCheckQuantity.all.map { quantity in
                    (quantity.id, runs.reduce(into: [Int: Double]()) { byseed, run in
                        if let value = quantity.value(run), value.isFinite { byseed[run.seed] = value }
                    })
                })
            }
            return Scenario(name: scenario.name, values: values)
        }
        self.scenarios = scenarios
        let shared = Set(scenarios.map(\.name))
        onlyIn = [.freezeStudy: freezeStudy.scenarios.map(\.name).filter { !shared.contains($0) },
                  .yolov5: yolov5.scenarios.map(\.name).filter { !shared.contains($0) }]
        let baseline = scenarios.first { $0.name == StudySummary.baselineName }
        claims = baseline.map { baseline in
            scenarios.filter { $0.name != baseline.name }.flatMap { frozen in
                CrossCheckClaim.all.map { claim in
                    ClaimVerdicts(claim: claim, scenario: frozen.name, verdicts: Dictionary(uniqueKeysWithValues: Program.allCases.map {
                        ($0, claim.rule(baseline.values($0, claim.quantity), frozen.values($0, claim.quantity)))
                    }))
                }
            }
        } ?? []
    }

    /// Wall seconds of `program`'s complete runs, summed (runs one after another, as `--jobs 1`
    /// and the driver run them), and how many there were.
    public func wallSeconds(_ program: Program) -> (seconds: Double, runs: Int) {
        let runs = results[program]!.scenarios.filter { scenario in scenarios.contains { $0.name == scenario.name } }
            .flatMap(\.runs).filter { $0.status == .complete }
        let seconds = runs.compactMap { run in CrossCheckQuantity.runSeconds(run) }
        return (seconds.reduce(0, +), seconds.count)
    }
}

/// A cross-check that cannot be made; names both files.
public enum CrossCheckError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case differentStudies(freezeStudy: String, freezeStudyName: String, yolov5: String, yolov5Name: String)

    public var description: String {
        switch self {
        case let .differentStudies(freezeStudy, freezeStudyName, yolov5, yolov5Name):
            return "\(freezeStudy) records study '\(freezeStudyName)' but \(yolov5) records '\(yolov5Name)': "
                + "a cross-check compares one study trained by both programs"
        }
    }

    public var errorDescription: String? { description }
}
