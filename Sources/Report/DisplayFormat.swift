import Foundation

/// How the report writes numbers for people: fixed decimals, decimal units (1 MB = 10^6 bytes,
/// as YOLOv5's GPU_mem uses 10^9 bytes per G), durations the way the guide writes them (2h06m).
/// Missing values (nil, NaN) print as an em dash.
enum DisplayFormat {
    static let missing = "—"

    /// `value` with `decimals` decimals.
    static func fixed(_ value: Double?, _ decimals: Int) -> String {
        guard let value, value.isFinite else { return missing }
        return String(format: "%.\(decimals)f", value)
    }

    /// Bytes in decimal MB, or GB from 1 GB up: `812.3 MB`, `1.24 GB`.
    static func bytes(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        return value >= 1e9 ? String(format: "%.2f GB", value / 1e9) : String(format: "%.1f MB", value / 1e6)
    }

    /// A duration as the guide writes it: `2h06m`, `12m05s`, `42.0 s`.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return missing }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        let minutes = Int((seconds / 60).rounded())
        return String(format: "%dh%02dm", minutes / 60, minutes % 60)
    }

    /// Seconds with one decimal: `46.0 s`.
    static func seconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        return String(format: "%.1f s", value)
    }

    /// A fraction 0…1 as a percentage: `95.3 %`.
    static func percent(_ fraction: Double?, decimals: Int = 1) -> String {
        guard let fraction, fraction.isFinite else { return missing }
        return String(format: "%.\(decimals)f %%", fraction * 100)
    }

    /// A relative change with its sign: `+1.2 %`, `-4.6 %`.
    static func change(_ relative: Double?, decimals: Int = 1) -> String {
        guard let relative, relative.isFinite else { return missing }
        return String(format: "%+.\(decimals)f %%", relative * 100)
    }

    /// A ratio: `1.30×`.
    static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        return String(format: "%.2f×", value)
    }

    /// An integer with thousands separators: `20,856,975`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// A date as `2025-03-01 14:05 UTC`.
    static func date(_ date: Date?) -> String {
        guard let date else { return missing }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}

extension DisplayFormat {
    /// `1 epoch`, `3 epochs`.
    static func epochs(_ count: Int) -> String { "\(count) epoch\(count == 1 ? "" : "s")" }
}
