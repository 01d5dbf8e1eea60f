import Foundation
import Yams

/// A problem in a configuration file the user wrote: the file, the line (when known), the
/// field path and the reason.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int?
    public let field: String
    public let reason: String

    public init(file: String, line: Int?, field: String, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return field.isEmpty ? "\(location): \(reason)" : "\(location): \(field): \(reason)"
    }
}

/// A YAML node together with where it came from, with typed accessors that throw a
/// `ConfigError` naming the file, line and field path.
public struct ConfigNode {
    public let node: Node
    /// The file name shown in errors.
    public let file: String
    /// The field path shown in errors ("scenarios[1].freeze").
    public let path: String

    public init(node: Node, file: String, path: String = "") {
        self.node = node
        self.file = file
        self.path = path
    }

    /// Parses YAML text; a syntax error names the file and line. A leading byte-order mark is
    /// ignored, as PyYAML ignores it.
    public static func parse(_ text: String, file: String) throws -> ConfigNode {
        do {
            guard let root = try Yams.compose(yaml: TextFile.dropByteOrderMark(text)) else {
                throw ConfigError(file: file, line: nil, field: "", reason: "the file is empty")
            }
            return ConfigNode(node: root, file: file)
        } catch let error as YamlError {
            throw ConfigError(file: file, line: yamlErrorLine(error, in: text), field: "", reason: "not valid YAML: \(yamlProblem(error))")
        }
    }

    /// Reads and parses a YAML file (UTF-8, or UTF-16 with a byte-order mark: see `TextFile`).
    public static func load(_ url: URL) throws -> ConfigNode {
        try parse(TextFile.read(url), file: url.path)
    }

    /// 1-based line of this node.
    public var line: Int? { node.mark?.line }

    /// An error about this node.
    public func error(_ reason: String) -> ConfigError {
        ConfigError(file: file, line: line, field: path, reason: reason)
    }

    /// The node as a mapping, in file order.
    public func mapping() throws -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping of keys to values, found \(kind)") }
        return try mapping.map { key, value in
            guard let name = key.scalar?.string else {
                throw ConfigError(file: file, line: key.mark?.line, field: path, reason: "a key must be a plain name")
            }
            return (name, ConfigNode(node: value, file: file, path: path.isEmpty ? name : "\(path).\(name)"))
        }
    }

    /// The node as a list.
    public func sequence() throws -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(kind)") }
        return sequence.enumerated().map { ConfigNode(node: $1, file: file, path: "\(path)[\($0)]") }
    }

    /// Whether the node is a list.
    public var isSequence: Bool { if case .sequence = node { return true } else { return false } }

    /// The scalar text, or nil for a mapping or a list.
    public var scalarText: String? { node.scalar?.string }

    /// Whether the scalar was written in quotes (so `'None'` is a string, not null).
    public var isQuoted: Bool {
        guard let style = node.scalar?.style else { return false }
        return style == .singleQuoted || style == .doubleQuoted
    }

    /// An integer.
    public func int() throws -> Int {
        guard let text = scalarText, !isQuoted, let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected an integer, found \(describe)")
        }
        return value
    }

    /// A finite number (`0.001`, `1e-3`, `.5`). Swift's parser takes `nan`, `inf` and `1e400`
    /// (infinity), which no setting means; they are refused here rather than trained with.
    public func double() throws -> Double {
        guard let text = scalarText, !isQuoted, let value = Double(text) else {
            throw error("expected a number, found \(describe)")
        }
        guard value.isFinite else { throw error("expected a finite number, found \(describe)") }
        return value
    }

    /// A string (any scalar's text).
    public func string() throws -> String {
        guard let text = scalarText else { throw error("expected a text value, found \(kind)") }
        return text
    }

    /// A boolean (true/false, True/False, yes/no).
    public func bool() throws -> Bool {
        switch scalarText?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found \(describe)")
        }
    }

    /// Whether the value is YAML's null (`~`, `null`, or nothing).
    public var isNull: Bool {
        guard let scalar = node.scalar, !isQuoted else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    var kind: String {
        switch node {
        case .scalar: return "a value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    var describe: String { scalarText.map { "'\($0)'" } ?? kind }
}

extension ConfigNode {
    /// The mapping's values by key, rejecting keys not in `allowed` (nil: any key is allowed, as
    /// in a YOLOv5 data YAML, which carries `download:` scripts and other keys nobody reads) and
    /// repeated keys.
    public func fields(allowed: Set<String>?) throws -> [String: ConfigNode] {
        var result: [String: ConfigNode] = [:]
        for (key, value) in try mapping() {
            if let allowed, !allowed.contains(key) {
                throw ConfigError(file: file, line: value.line, field: value.path,
                                  reason: "unknown key '\(key)' (known keys: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard result[key] == nil else {
                throw ConfigError(file: file, line: value.line, field: value.path, reason: "key '\(key)' appears twice")
            }
            result[key] = value
        }
        return result
    }
}

private func yamlErrorLine(_ error: YamlError, in text: String) -> Int? {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
    case .duplicatedKeysInMapping(_, let context): return context.mark.line
    case .reader(_, let offset?, _, _):
        // libyaml's reader (a control character, bad UTF-8) gives a byte offset, not a mark.
        let before = String(decoding: TextFile.dropByteOrderMark(text).utf8.prefix(offset), as: UTF8.self)
        return TextFile.lines(before + "x").count  // the line the offending byte starts
    default: return nil
    }
}

private func yamlProblem(_ error: YamlError) -> String {
    switch error {
    case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
    case .duplicatedKeysInMapping(let keys, _):
        // PyYAML keeps the last value; a repeated key is nearly always a mistake, so it is named.
        return "key \(keys.map { "'\($0)'" }.joined(separator: ", ")) appears twice in one mapping"
    case .reader(let problem, _, let value, _): return problem + (value >= 0 ? String(format: " (character U+%04X)", value) : "")
    default: return "\(error)"
    }
}
