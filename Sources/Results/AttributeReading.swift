import Foundation
import HDF5

/// Lenient attribute reading for the results file: a missing attribute is nil (files written by
/// older versions, or a scenario cut short), a present one of the wrong kind is an error naming
/// the object and the attribute.
extension HDF5Object {
    func optionalString(_ name: String) throws -> String? {
        guard hasAttribute(name) else { return nil }
        switch try attribute(name) {
        case .string(let s): return s
        case .strings(let s) where s.count == 1: return s[0]
        default: throw malformed(name, "expected a string")
        }
    }

    func optionalInt(_ name: String) throws -> Int? {
        guard hasAttribute(name) else { return nil }
        switch try attribute(name) {
        case .int(let i): return Int(i)
        case .ints(let i) where i.count == 1: return Int(i[0])
        case .double(let d) where d == d.rounded() && abs(d) < 9e15: return Int(d)
        default: throw malformed(name, "expected an integer")
        }
    }

    func optionalDouble(_ name: String) throws -> Double? {
        guard hasAttribute(name) else { return nil }
        switch try attribute(name) {
        case .double(let d): return d
        case .doubles(let d) where d.count == 1: return d[0]
        case .int(let i): return Double(i)
        default: throw malformed(name, "expected a number")
        }
    }

    func optionalStrings(_ name: String) throws -> [String]? {
        guard hasAttribute(name) else { return nil }
        switch try attribute(name) {
        case .strings(let s): return s
        case .string(let s): return [s]
        default: throw malformed(name, "expected strings")
        }
    }

    /// An ISO 8601 timestamp attribute.
    func optionalDate(_ name: String) throws -> Date? {
        guard let text = try optionalString(name) else { return nil }
        guard let date = Timestamp.parse(text) else { throw malformed(name, "'\(text)' is not an ISO 8601 time") }
        return date
    }

    func malformed(_ attribute: String, _ reason: String) -> ResultsStoreError {
        .malformed(file: file.path, object: "\(path) attribute '\(attribute)'", reason: reason)
    }
}

/// Timestamps in the results file: ISO 8601 in UTC with whole seconds (`2025-03-01T14:05:09Z`).
enum Timestamp {
    static func format(_ date: Date) -> String { formatter().string(from: date) }
    static func parse(_ text: String) -> Date? { formatter().date(from: text) }

    private static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }
}
