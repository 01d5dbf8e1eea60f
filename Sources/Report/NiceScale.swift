import Foundation

/// An axis range with "nice" tick values (1, 2, 2.5 or 5 times a power of ten; Heckbert,
/// "Nice numbers for graph labels", Graphics Gems 1990) covering the data.
struct NiceScale: Equatable {
    let lower: Double, upper: Double, step: Double

    /// A scale covering `minimum…maximum` with about `ticks` ticks; `includeZero` extends it to 0
    /// (bars); `integer` keeps steps whole (epochs).
    init(minimum: Double, maximum: Double, ticks: Int = 5, includeZero: Bool = false, integer: Bool = false) {
        var low = includeZero ? min(0, minimum) : minimum
        var high = includeZero ? max(0, maximum) : maximum
        if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
        if high - low < 1e-12 * max(1, abs(high)) {
            let pad = integer ? 1 : (high == 0 ? 1 : abs(high) * 0.1)
            (low, high) = (includeZero && low >= 0 ? low : low - pad, high + pad)
        }
        var step = Self.nice((high - low) / Double(max(1, ticks - 1)), round: true)
        if integer { step = max(1, step.rounded()) }
        self.step = step
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
    }

    /// The tick values from `lower` to `upper`.
    var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { lower + Double($0) * step }
    }

    /// Where `value` falls, 0 at `lower` and 1 at `upper`.
    func fraction(_ value: Double) -> Double { (value - lower) / (upper - lower) }

    /// A tick label with just the decimals the step needs (`0.25`, `10`, `1.5`).
    func label(_ value: Double) -> String {
        var decimals = max(0, Int(-(log10(step) + 1e-9).rounded(.down)))
        while decimals < 6, abs(step * pow(10, Double(decimals)) - (step * pow(10, Double(decimals))).rounded()) > 1e-6 { decimals += 1 }
        let text = String(format: "%.\(decimals)f", value)
        return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
    }

    /// The nice number (1, 2, 2.5, 5 × 10^k) nearest to `value` (`round`) or not below it.
    static func nice(_ value: Double, round: Bool) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let exponent = (log10(value)).rounded(.down)
        let power = pow(10, exponent)
        let fraction = value / power
        let candidates: [Double] = [1, 2, 2.5, 5, 10]
        let chosen = round
            ? candidates.min { abs($0 - fraction) < abs($1 - fraction) }!
            : candidates.first { $0 >= fraction }!
        return chosen * power
    }
}
