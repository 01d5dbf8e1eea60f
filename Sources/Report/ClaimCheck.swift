import Statistics

/// Whether one of the guide's claims holds in our numbers.
public enum Verdict: String, Equatable, Sendable {
    case holds = "holds"
    case doesNotHold = "does not hold"
    /// Holds for some scenarios or measures and does not hold for others.
    case mixed = "mixed"
    /// The intervals straddle the threshold or there are too few seeds: the data cannot tell.
    case notShown = "not shown"
    /// The data to decide is missing (no `none` scenario, no complete frozen scenario, …).
    case notChecked = "not checked"

    /// The verdict an interval rule reached.
    init(_ outcome: IntervalVerdict.Outcome) {
        switch outcome {
        case .holds: self = .holds
        case .doesNotHold: self = .doesNotHold
        case .notShown: self = .notShown
        case .notAvailable: self = .notChecked
        }
    }

    /// Several verdicts as one: all hold → holds, all do not hold → does not hold, all not shown
    /// → not shown, any other mixture → mixed; `notChecked` ones are left out (all of them: not checked).
    static func combine(_ verdicts: [Verdict]) -> Verdict {
        let checked = verdicts.filter { $0 != .notChecked }
        guard let first = checked.first else { return .notChecked }
        return checked.allSatisfy { $0 == first } ? first : .mixed
    }
}

/// One claim of the guide checked against the study: its verdict, the rule that decided it and
/// the figures behind it.
public struct ClaimCheck: Equatable, Sendable {
    /// One decided part of a claim (usually one scenario against `none`).
    public struct Finding: Equatable, Sendable {
        public let subject: String
        public let verdict: Verdict
        /// The figures, in words.
        public let text: String
        /// The fewest paired seeds any of its rules rested on (0: none).
        public let seeds: Int
    }

    /// `a`, `b`, `c`.
    public let id: String
    /// The claim in the guide's words.
    public let claim: String
    /// The rule applied, with its thresholds.
    public let criterion: String
    public let verdict: Verdict
    public let findings: [Finding]
    /// Scenarios left out, and why (e.g. still running).
    public let excluded: [String]

    init(id: String, claim: String, criterion: String, findings: [Finding], excluded: [String] = [], notCheckedBecause: String? = nil) {
        self.id = id
        self.claim = claim
        self.criterion = criterion
        self.excluded = excluded
        if let notCheckedBecause {
            self.findings = [Finding(subject: "—", verdict: .notChecked, text: notCheckedBecause, seeds: 0)]
            verdict = .notChecked
        } else {
            self.findings = findings
            verdict = Verdict.combine(findings.map(\.verdict))
        }
    }

    /// The verdict as the report's heading writes it: "not shown with 2 seeds" names the seeds.
    public var verdictText: String {
        guard verdict == .notShown else { return verdict.rawValue }
        let seeds = findings.map(\.seeds).min() ?? 0
        return "not shown with \(seeds) seed\(seeds == 1 ? "" : "s")"
    }
}
