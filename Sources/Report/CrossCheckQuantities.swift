import Foundation
import Results
import Statistics

/// A number the cross-check reads from each complete run of both programs. One list drives the
/// side-by-side table, the agreement table and `crosscheck.csv`.
public struct CrossCheckQuantity: Sendable {
    /// The CSV column stem and identity, e.g. `final_map50`.
    public typealias ID = String

    public let id: ID
    /// How the report names it, e.g. "final mAP@0.5".
    public let name: String
    /// Its value in one run (nil: not recorded).
    let value: @Sendable (RunResults) -> Double?
    /// How the report writes it.
    let format: @Sendable (Double?) -> String
    /// Whether the two programs are expected to agree on it (accuracy), so that agreement is tested;
    /// speed and memory are compared, not expected equal.
    public let isTestedForAgreement: Bool

    /// Final mAP@0.5: the last epoch's (RunSummary, as the study's own report defines it).
    public static let finalMAP50 = CrossCheckQuantity(
        id: "final_map50", name: "final mAP@0.5", value: { RunSummary($0).finalMAP50 }, format: { DisplayFormat.fixed($0, 3) },
        isTestedForAgreement: true)
    /// Final mAP@0.5:0.95.
    public static let finalMAP50to95 = CrossCheckQuantity(
        id: "final_map50_95", name: "final mAP@0.5:0.95", value: { RunSummary($0).finalMAP50to95 },
        format: { DisplayFormat.fixed($0, 3) }, isTestedForAgreement: true)
    /// Training images per second: the mean over epochs of `images_per_second` (validation excluded).
    public static let imagesPerSecond = CrossCheckQuantity(
        id: "images_per_second", name: "train images/s", value: { RunSummary($0).imagesPerSecond },
        format: { DisplayFormat.fixed($0, 1) }, isTestedForAgreement: false)
    /// Peak RSS of the run's process: the maximum over epochs of `rss_peak_bytes`.
    public static let rssPeakBytes = CrossCheckQuantity(
        id: "rss_peak_bytes", name: "peak RSS", value: { RunSummary($0).rssPeakBytes }, format: { DisplayFormat.bytes($0) },
        isTestedForAgreement: false)
    /// Wall time of the whole run, start to finish (process start, data caching and validation
    /// included), from the run's `started` and `finished` attributes.
    public static let runSeconds = CrossCheckQuantity(
        id: "run_seconds", name: "run wall time", value: { Self.runSeconds($0) }, format: { DisplayFormat.duration($0) },
        isTestedForAgreement: false)

    /// Every quantity, in table order.
    public static let all = [finalMAP50, finalMAP50to95, imagesPerSecond, rssPeakBytes, runSeconds]

    /// finished − started of a run, in seconds (nil while either is missing).
    static func runSeconds(_ run: RunResults) -> Double? {
        guard let started = run.started, let finished = run.finished else { return nil }
        return finished.timeIntervalSince(started)
    }
}

/// One of the guide's claims as a rule over the per-seed values of the baseline `none` and a
/// frozen scenario, decided within one program's results (Statistics.VerdictRules).
public struct CrossCheckClaim: Sendable {
    /// The claim in words, e.g. "speeds training up".
    public let name: String
    /// The quantity it reads.
    public let quantity: CrossCheckQuantity
    /// The rule: baseline values by seed, frozen values by seed → verdict.
    let rule: @Sendable ([Int: Double], [Int: Double]) -> IntervalVerdict

    /// The guide's claims as the cross-check checks them. Memory is peak RSS here: both programs
    /// measure it the same way, while FreezeStudy's memory meter has no PyTorch-on-CPU counterpart.
    public static let all = [
        CrossCheckClaim(name: "speeds training up (images/s)", quantity: .imagesPerSecond, rule: { VerdictRules.speedsUp(baseline: $0, frozen: $1) }),
        CrossCheckClaim(name: "lowers final mAP@0.5 slightly", quantity: .finalMAP50, rule: { VerdictRules.lowersAccuracySlightly(baseline: $0, frozen: $1) }),
        CrossCheckClaim(name: "lowers final mAP@0.5:0.95 slightly", quantity: .finalMAP50to95,
                        rule: { VerdictRules.lowersAccuracySlightly(baseline: $0, frozen: $1) }),
        CrossCheckClaim(name: "uses less memory (peak RSS)", quantity: .rssPeakBytes, rule: { VerdictRules.usesLessMemory(baseline: $0, frozen: $1) }),
    ]
}
