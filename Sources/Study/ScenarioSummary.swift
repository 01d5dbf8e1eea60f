import Foundation

/// The numbers of one scenario that the report's table, `summary.csv`, the claims and the bar
/// charts show, computed from its epochs. Every value that needs data not recorded is nil.
///
/// Definitions (stated in the report too):
/// - final = the last recorded epoch; best = the epoch of highest YOLOv5 fitness
///   0.1·mAP@0.5 + 0.9·mAP@0.5:0.95 (utils/metrics.py `fitness`, the epoch best.pt is saved at);
/// - images/s = mean over epochs of `images_per_second` (training phase only);
/// - wall time = Σ `epoch_seconds` (training + validation); mean epoch seconds = its mean;
/// - peak memory = max `tracked_peak_bytes`; peak RSS = max `rss_peak_bytes`;
/// - CPU utilisation = mean of `cpu_utilization`; data wait = mean of `data_wait_fraction`;
/// - against the baseline `none`: speed-up = images/s ÷ images/s of none; wall speed-up = mean
///   epoch seconds of none ÷ mean epoch seconds (per epoch, so an unfinished run compares
///   fairly); memory ratio = peak memory ÷ peak memory of none (same for RSS).
public struct ScenarioSummary: Equatable, Sendable {
    public var name: String
    public var order: Int
    public var status: ScenarioStatus
    public var info: ScenarioInfo
    /// Epochs recorded, and epochs planned (config `epochs`, if recorded).
    public var epochsRecorded: Int, epochsPlanned: Int?
    public var finalMAP50: Double?, finalMAP50to95: Double?
    /// 0-based epoch of the highest fitness, and its mAPs.
    public var bestEpoch: Int?, bestMAP50: Double?, bestMAP50to95: Double?
    public var imagesPerSecond: Double?, speedUp: Double?
    public var wallSeconds: Double?, meanEpochSeconds: Double?, wallSpeedUp: Double?
    public var trackedPeakBytes: Double?, memoryRatio: Double?
    public var rssPeakBytes: Double?, rssRatio: Double?
    public var cpuUtilization: Double?, dataWaitFraction: Double?
    /// The frozen-tensor check of `finishScenario`; nil until complete.
    public var frozenTensorsUnchanged: Bool?

    /// Whether the scenario is complete (finished all its epochs).
    public var isComplete: Bool { status == .complete }

    /// The numbers of `scenario`; ratios are against `baseline` (nil: none are computed).
    init(_ scenario: ScenarioResults, baseline: ScenarioSummary?) {
        let epochs = scenario.epochs
        name = scenario.name
        order = scenario.order
        status = scenario.status
        info = scenario.info
        epochsRecorded = epochs.count
        epochsPlanned = ResolvedConfig(json: scenario.info.configJSON).int("epochs")
        finalMAP50 = Self.finite(epochs.last?.map50)
        finalMAP50to95 = Self.finite(epochs.last?.map50to95)
        bestEpoch = Self.bestEpoch(epochs)
        bestMAP50 = bestEpoch.flatMap { Self.finite(epochs[$0].map50) }
        bestMAP50to95 = bestEpoch.flatMap { Self.finite(epochs[$0].map50to95) }
        imagesPerSecond = Self.mean(epochs.map(\.imagesPerSecond))
        wallSeconds = Self.sum(epochs.map(\.epochSeconds))
        meanEpochSeconds = Self.mean(epochs.map(\.epochSeconds))
        trackedPeakBytes = Self.maximum(epochs.map(\.trackedPeakBytes))
        rssPeakBytes = Self.maximum(epochs.map(\.rssPeakBytes))
        cpuUtilization = Self.mean(epochs.map(\.cpuUtilization))
        dataWaitFraction = Self.mean(epochs.map(\.dataWaitFraction))
        frozenTensorsUnchanged = scenario.completion?.frozenTensorsUnchanged
        speedUp = Self.ratio(imagesPerSecond, baseline?.imagesPerSecond)
        wallSpeedUp = Self.ratio(baseline?.meanEpochSeconds, meanEpochSeconds)
        memoryRatio = Self.ratio(trackedPeakBytes, baseline?.trackedPeakBytes)
        rssRatio = Self.ratio(rssPeakBytes, baseline?.rssPeakBytes)
    }

    /// YOLOv5 fitness (utils/metrics.py): weights [P, R, mAP@0.5, mAP@0.5:0.95] = [0, 0, 0.1, 0.9].
    static let fitnessWeights = (map50: 0.1, map50to95: 0.9)

    /// The first epoch of highest fitness, among epochs with both mAPs.
    static func bestEpoch(_ epochs: [EpochRecord]) -> Int? {
        var best: (epoch: Int, fitness: Double)?
        for (index, epoch) in epochs.enumerated() where epoch.map50.isFinite && epoch.map50to95.isFinite {
            let fitness = fitnessWeights.map50 * epoch.map50 + fitnessWeights.map50to95 * epoch.map50to95
            if best == nil || fitness > best!.fitness { best = (index, fitness) }
        }
        return best?.epoch
    }

    static func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }

    static func mean(_ values: [Double]) -> Double? {
        let finite = values.filter(\.isFinite)
        return finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)
    }

    static func sum(_ values: [Double]) -> Double? {
        let finite = values.filter(\.isFinite)
        return finite.isEmpty ? nil : finite.reduce(0, +)
    }

    static func maximum(_ values: [Double]) -> Double? { values.filter(\.isFinite).max() }

    static func ratio(_ numerator: Double?, _ denominator: Double?) -> Double? {
        guard let numerator, let denominator, denominator > 0 else { return nil }
        return numerator / denominator
    }
}

/// Every scenario's summary, in recorded order, with the baseline they are compared against.
public struct StudySummary: Equatable, Sendable {
    /// The scenario every ratio is taken against: YOLOv5's default fine-tuning, nothing frozen.
    public static let baselineName = "none"

    public var scenarios: [ScenarioSummary]
    /// The `none` scenario, if recorded.
    public var baseline: ScenarioSummary? { scenarios.first { $0.name == Self.baselineName } }

    /// Summaries of every scenario of `results`.
    public init(_ results: StudyResults) {
        let baseline = results.scenario(Self.baselineName).map { ScenarioSummary($0, baseline: nil) }
        scenarios = results.scenarios.map { ScenarioSummary($0, baseline: baseline) }
    }
}
