/// Something wrong in the input data: which file, where in it, why, and what was done about it.
///
/// A problem never stops a run by itself: a sample with a `skipped` problem is left out and
/// counted; any other problem was repaired (a box clipped, an object dropped) and the sample used.
public struct DataProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of problem, for counting and for tests.
    public enum Kind: String, Sendable, CaseIterable {
        case unreadableFile = "unreadable file"
        case corruptImage = "corrupt image"
        case unsupportedImage = "unsupported image"
        case malformedAnnotation = "malformed annotation"
        case missingAnnotation = "missing annotation"
        case missingImage = "missing image"
        case missingLabels = "missing labels"
        case boxClipped = "box clipped"
        case emptyBox = "empty box"
        case unknownClass = "unknown class"
        case badLabelLine = "bad label line"
        case duplicateLabel = "duplicate label"
        case sizeMismatch = "size mismatch"
        case splitOverlap = "split overlap"
    }

    /// The file concerned.
    public var file: String
    /// 1-based line in that file, when known.
    public var line: Int?
    /// The element or field concerned (`object[2]/bndbox/xmax`), when known.
    public var element: String?
    /// What is wrong, for a person.
    public var reason: String
    /// The kind of problem.
    public var kind: Kind
    /// Whether the sample was left out (true) or repaired and used (false).
    public var skipped: Bool

    /// A problem.
    public init(file: String, line: Int? = nil, element: String? = nil, kind: Kind, reason: String, skipped: Bool) {
        self.file = file
        self.line = line
        self.element = element
        self.kind = kind
        self.reason = reason
        self.skipped = skipped
    }

    /// `file:line: element: reason (sample skipped)`.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let element { text += "\(element): " }
        text += reason
        text += skipped ? " (sample skipped)" : ""
        return text
    }
}

/// A fatal data error: the layout is not one FreezeStudy can read, a configuration file is
/// invalid, or nothing usable is left. The command turns it into a non-zero exit.
public struct DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file or folder concerned.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// Why nothing can go on.
    public var reason: String

    /// An error.
    public init(file: String, line: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)" }
}
