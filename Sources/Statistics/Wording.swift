import Foundation

/// How numbers read inside verdict reasons (C locale, so always a decimal point).
enum Wording {
    /// 0.046 → "+4.60 %".
    static func percent(_ fraction: Double) -> String { String(format: "%+.2f %%", 100 * fraction) }

    /// 1.2345 → "1.235×".
    static func ratio(_ value: Double) -> String { String(format: "%.3f×", value) }

    /// −0.01234 → "-0.0123" (4 significant digits, signed).
    static func number(_ value: Double) -> String { String(format: "%+.4g", value) }

    /// 3.4567 → "3.457" (4 significant digits, unsigned).
    static func plain(_ value: Double) -> String { String(format: "%.4g", value) }

    /// 0.95 → "95 %".
    static func level(_ level: Double) -> String { String(format: "%g %%", 100 * level) }

    /// 1 → "1 seed", 3 → "3 seeds".
    static func seeds(_ count: Int) -> String { "\(count) seed\(count == 1 ? "" : "s")" }

    /// "+4.60 % (95 % interval +2.10 % to +7.10 %, 3 seeds)", each figure formatted by `format`.
    static func estimate(_ value: Double, _ interval: ConfidenceInterval, seeds: Int, _ format: (Double) -> String) -> String {
        "\(format(value)) (\(level(interval.level)) interval \(format(interval.lower)) to \(format(interval.upper)), \(Wording.seeds(seeds)))"
    }
}
