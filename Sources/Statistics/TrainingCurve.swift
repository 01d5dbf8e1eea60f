/// One run's metric over training: at the end of epoch k (0-based), `cumulativeSeconds[k]` of
/// wall time had passed since training began and the metric (e.g. mAP@0.5) was `values[k]`.
public struct TrainingCurve: Equatable, Sendable {
    /// Wall time at the end of each epoch, from the start of training, non-decreasing.
    public let cumulativeSeconds: [Double]
    /// The metric measured at the end of each epoch.
    public let values: [Double]

    /// A curve from cumulative wall times; throws when the lengths differ, a time is NaN/±∞ or
    /// negative, or time goes backwards. `values` may hold NaN (an epoch whose metric failed):
    /// whoever reads past it finds out (`TimeToTarget` throws when it matters).
    public init(cumulativeSeconds: [Double], values: [Double]) throws(StatisticsError) {
        guard cumulativeSeconds.count == values.count else {
            throw .lengthsDiffer(first: cumulativeSeconds.count, second: values.count)
        }
        var previous = 0.0
        for (epoch, seconds) in cumulativeSeconds.enumerated() {
            _ = try requireNonNegative(seconds, at: "the wall time of epoch \(epoch)")
            guard seconds >= previous else { throw .timeDecreases(at: "epoch \(epoch)") }
            previous = seconds
        }
        self.cumulativeSeconds = cumulativeSeconds
        self.values = values
    }

    /// A curve from each epoch's own duration (the results file's `epoch_seconds`), summed.
    public init(epochSeconds: [Double], values: [Double]) throws(StatisticsError) {
        var total = 0.0, cumulative: [Double] = []
        for (epoch, seconds) in epochSeconds.enumerated() {
            total += try requireNonNegative(seconds, at: "the wall time of epoch \(epoch)")
            cumulative.append(total)
        }
        try self.init(cumulativeSeconds: cumulative, values: values)
    }
}
