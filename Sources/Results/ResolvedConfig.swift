import Foundation

/// A scenario's resolved configuration (the `config_json` attribute), read defensively: the
/// report shows what is there and "—" for what is not, and never fails on an odd value.
public struct ResolvedConfig {
    /// The top-level object; empty when the JSON is missing, invalid or not an object.
    public let values: [String: Any]

    public init(json: String) {
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        values = object as? [String: Any] ?? [:]
    }

    /// An integer value (a whole number or a numeric string).
    public func int(_ key: String) -> Int? {
        switch values[key] {
        case let number as NSNumber where !(number is Bool) && number.doubleValue == number.doubleValue.rounded():
            return number.intValue
        case let text as String: return Int(text)
        default: return nil
        }
    }

    /// Any value as one line of text: strings verbatim, numbers as JSON writes them, arrays and
    /// objects as compact JSON with sorted keys; nil when the key is absent or null.
    public func text(_ key: String) -> String? {
        guard let value = values[key], !(value is NSNull) else { return nil }
        return Self.describe(value)
    }

    /// A JSON value as one line of text: strings verbatim, numbers as JSON writes them, arrays and
    /// objects as compact JSON with sorted keys.
    public static func describe(_ value: Any) -> String {
        if let text = value as? String { return text }
        if JSONSerialization.isValidJSONObject(value),
           let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) {
            return String(decoding: data, as: UTF8.self)
        }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }
}
