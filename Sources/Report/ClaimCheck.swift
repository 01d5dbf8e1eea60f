/// Whether one of the guide's claims holds in our numbers.
public enum Verdict: String, Equatable, Sendable {
    case holds = "holds"
    case doesNotHold = "does not hold"
    case mixed = "mixed"
    /// The data to decide is missing (no `none` scenario, no complete frozen scenario, …).
    case notChecked = "not checked"

    /// Several verdicts as one: all hold → holds, none holds → does not hold, otherwise mixed;
    /// `notChecked` ones are left out (all of them: not checked).
    static func combine(_ verdicts: [Verdict]) -> Verdict {
        let checked = verdicts.filter { $0 != .notChecked }
        if checked.isEmpty { return .notChecked }
        if checked.allSatisfy({ $0 == .holds }) { return .holds }
        if checked.allSatisfy({ $0 == .doesNotHold }) { return .doesNotHold }
        return .mixed
    }

    /// Two yes/no findings as one verdict: both → holds, neither → does not hold, one → mixed.
    static func of(_ parts: [Bool]) -> Verdict { combine(parts.map { $0 ? .holds : .doesNotHold }) }
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
            self.findings = [Finding(subject: "—", verdict: .notChecked, text: notCheckedBecause)]
            verdict = .notChecked
        } else {
            self.findings = findings
            verdict = Verdict.combine(findings.map(\.verdict))
        }
    }
}
