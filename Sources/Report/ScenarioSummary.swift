import Foundation
import Results
import Statistics

/// The numbers of one run that the report computes from its epochs. Every value that needs data
/// not recorded is nil.
///
/// Definitions (stated in the report too):
/// - final = the last recorded epoch; best = the epoch of highest YOLOv5 fitness
///   0.1·mAP@0.5 + 0.9·mAP@0.5:0.95 (utils/metrics.py `fitness`, the epoch best.pt is saved at);
/// - images/s = mean over epochs of `images_per_second` (training phase only);
/// - wall time = Σ `epoch_seconds` (training + validation); mean epoch seconds = its mean;
/// - peak memory = max `tracked_peak_bytes`; peak RSS = max `rss_peak_bytes`;
/// - CPU utilisation = mean of `cpu_utilization`; data wait = mean of `data_wait_fraction`.
public struct RunSummary: Equatable, Sendable {
    public var seed: Int
    public var isComplete: Bool
    public var epochsRecorded: Int
    public var finalMAP50: Double?, finalMAP50to95: Double?
    /// 0-based epoch of the highest fitness, and its mAPs.
    public var bestEpoch: Int?, bestMAP50: Double?, bestMAP50to95: Double?
    public var imagesPerSecond: Double?
    public var wallSeconds: Double?, meanEpochSeconds: Double?
    public var trackedPeakBytes: Double?, rssPeakBytes: Double?
    public var cpuUtilization: Double?, dataWaitFraction: Double?
    /// The frozen-tensor check of `finishRun`; nil until complete.
    public var frozenTensorsUnchanged: Bool?
    /// The mean epoch's time split (`seconds_*`, each the mean over epochs); nil when not recorded.
    public var timeSplit: PhaseSeconds?
    /// The convolution FLOPs of one training image as the run's graph ran; nil when not recorded.
    public var flopsPerImage: FLOPsPerImage?
    /// mAP@0.5 against cumulative wall time at each epoch's end; nil without epochs or timings.
    public var map50Curve: TrainingCurve?

    /// The numbers of `run`.
    public init(_ run: RunResults) {
        let epochs = run.epochs
        seed = run.seed
        isComplete = run.status == .complete
        epochsRecorded = epochs.count
        finalMAP50 = Statistic.finite(epochs.last?.map50)
        finalMAP50to95 = Statistic.finite(epochs.last?.map50to95)
        bestEpoch = Self.bestEpoch(epochs)
        bestMAP50 = bestEpoch.flatMap { Statistic.finite(epochs[$0].map50) }
        bestMAP50to95 = bestEpoch.flatMap { Statistic.finite(epochs[$0].map50to95) }
        imagesPerSecond = Statistic.mean(epochs.map(\.imagesPerSecond))
        wallSeconds = Statistic.sum(epochs.map(\.epochSeconds))
        meanEpochSeconds = Statistic.mean(epochs.map(\.epochSeconds))
        trackedPeakBytes = Statistic.maximum(epochs.map(\.trackedPeakBytes))
        rssPeakBytes = Statistic.maximum(epochs.map(\.rssPeakBytes))
        cpuUtilization = Statistic.mean(epochs.map(\.cpuUtilization))
        dataWaitFraction = Statistic.mean(epochs.map(\.dataWaitFraction))
        frozenTensorsUnchanged = run.completion?.frozenTensorsUnchanged
        timeSplit = Self.meanTimeSplit(epochs)
        flopsPerImage = run.info.flopsPerImage
        map50Curve = epochs.isEmpty ? nil : try? TrainingCurve(epochSeconds: epochs.map(\.epochSeconds), values: epochs.map(\.map50))
    }

    /// Each phase's mean over the epochs; nil when a phase has no finite value.
    static func meanTimeSplit(_ epochs: [EpochRecord]) -> PhaseSeconds? {
        let phases = EpochSeries.timeSplit.map { series in Statistic.mean(epochs.map { $0[keyPath: series.field] }) }
        guard phases.allSatisfy({ $0 != nil }) else { return nil }
        let p = phases.map { $0! }
        return PhaseSeconds(dataWait: p[0], forward: p[1], backward: p[2], optimizer: p[3], ema: p[4], validation: p[5])
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
}

/// The numbers of one scenario that the report's table, `summary.csv`, the claims and the bar
/// charts show: each the plain mean over the scenario's summarised runs (its complete runs, or
/// its running ones while none is complete) of the `RunSummary` value of that name.
///
/// Against the baseline `none`: speed-up = images/s ÷ images/s of none; wall speed-up = mean
/// epoch seconds of none ÷ mean epoch seconds (per epoch, so an unfinished run compares fairly);
/// memory ratio = peak memory ÷ peak memory of none (same for RSS).
public struct ScenarioSummary: Equatable, Sendable {
    public var name: String
    public var order: Int
    public var info: ScenarioInfo
    /// The runs summarised, by seed.
    public var runs: [RunSummary]
    /// Seeds of every recorded run, complete or not.
    public var recordedSeeds: [Int]
    /// Whether every recorded run is complete (there is at least one).
    public var isComplete: Bool
    /// Epochs recorded (the fewest of the summarised runs), and epochs planned (config `epochs`, if recorded).
    public var epochsRecorded: Int, epochsPlanned: Int?
    public var finalMAP50: Double?, finalMAP50to95: Double?
    /// The best epoch when every summarised run has the same one; the best mAPs are means over runs.
    public var bestEpoch: Int?, bestMAP50: Double?, bestMAP50to95: Double?
    public var imagesPerSecond: Double?, speedUp: Double?
    public var wallSeconds: Double?, meanEpochSeconds: Double?, wallSpeedUp: Double?
    public var trackedPeakBytes: Double?, memoryRatio: Double?
    public var rssPeakBytes: Double?, rssRatio: Double?
    public var cpuUtilization: Double?, dataWaitFraction: Double?
    /// Every summarised run's frozen-tensor check held (false: one failed); nil until one is complete.
    public var frozenTensorsUnchanged: Bool?

    /// Seeds of the summarised runs.
    public var seeds: [Int] { runs.map(\.seed) }

    /// The numbers of `scenario`; ratios are against `baseline` (nil: none are computed).
    init(_ scenario: ScenarioResults, baseline: ScenarioSummary?) {
        let all = scenario.runs.map(RunSummary.init)
        let complete = all.filter(\.isComplete)
        runs = complete.isEmpty ? all : complete
        name = scenario.name
        order = scenario.order
        info = scenario.info
        recordedSeeds = all.map(\.seed)
        isComplete = !all.isEmpty && complete.count == all.count
        epochsRecorded = runs.map(\.epochsRecorded).min() ?? 0
        epochsPlanned = ResolvedConfig(json: scenario.info.configJSON).int("epochs")
        func mean(_ value: KeyPath<RunSummary, Double?>) -> Double? { Statistic.mean(runs.compactMap { $0[keyPath: value] }) }
        finalMAP50 = mean(\.finalMAP50)
        finalMAP50to95 = mean(\.finalMAP50to95)
        bestEpoch = Set(runs.map(\.bestEpoch)).count == 1 ? runs.first?.bestEpoch : nil
        bestMAP50 = mean(\.bestMAP50)
        bestMAP50to95 = mean(\.bestMAP50to95)
        imagesPerSecond = mean(\.imagesPerSecond)
        wallSeconds = mean(\.wallSeconds)
        meanEpochSeconds = mean(\.meanEpochSeconds)
        trackedPeakBytes = mean(\.trackedPeakBytes)
        rssPeakBytes = mean(\.rssPeakBytes)
        cpuUtilization = mean(\.cpuUtilization)
        dataWaitFraction = mean(\.dataWaitFraction)
        let checks = runs.compactMap(\.frozenTensorsUnchanged)
        frozenTensorsUnchanged = checks.isEmpty ? nil : checks.allSatisfy { $0 }
        speedUp = Statistic.ratio(imagesPerSecond, baseline?.imagesPerSecond)
        wallSpeedUp = Statistic.ratio(baseline?.meanEpochSeconds, meanEpochSeconds)
        memoryRatio = Statistic.ratio(trackedPeakBytes, baseline?.trackedPeakBytes)
        rssRatio = Statistic.ratio(rssPeakBytes, baseline?.rssPeakBytes)
    }
}

/// Every scenario's summary, in study order, with the baseline they are compared against.
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

/// Plain statistics over values that may be missing (nil, NaN).
enum Statistic {
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

extension ScenarioResults {
    /// The runs the report summarises: the complete ones, or the running ones while none is complete.
    var summarisedRuns: [RunResults] {
        let complete = runs.filter { $0.status == .complete }
        return complete.isEmpty ? runs : complete
    }
}
