import Foundation
import NeuralCore

/// Kinds of seeded damage the reader mutation tests apply to a valid input (issue 16 §4).
public enum Damage: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The file cut short at a random byte (an interrupted copy or download).
    case truncation
    /// One to three bytes set to random values (including 0x00, 0xFF, CR, LF).
    case byteFlip
    /// A run of random bytes or of the format's own punctuation inserted anywhere.
    case insertedJunk
    /// A number replaced by a huge one (1e400, 2^63, forty nines …).
    case hugeNumber
    /// A number made negative (a negative size, index or count).
    case negativeNumber
    /// A deeply nested construct of the format (`[[[…]]]`, `<a><a>…`) put in place of a value.
    case deepNesting

    public var description: String { rawValue }

    /// `MUTATIONS_PER_KIND=2000 swift test --filter Mutation` runs longer.
    public static let casesPerKind = Int(ProcessInfo.processInfo.environment["MUTATIONS_PER_KIND"] ?? "") ?? 100
}

/// Applies `Damage` to the bytes of a text format, from a seeded generator (the same seed gives
/// the same damaged files, so a failure is reproducible from its seed and case index).
public struct TextMutator: Sendable {
    /// The format's punctuation, inserted as junk half of the time (`:[]{}-#&` for YAML, `<>/&` for XML).
    public var punctuation: [UInt8]
    /// A nested construct of the given depth (`[` × d + `]` × d for YAML).
    public var nested: @Sendable (Int) -> [UInt8]

    public init(punctuation: String, nested: @escaping @Sendable (Int) -> String) {
        self.punctuation = Array(punctuation.utf8)
        self.nested = { Array(nested($0).utf8) }
    }

    static let hugeNumbers = ["1e400", "-1e400", "9223372036854775808", "18446744073709551616", "99999999999999999999999999999999999999999",
                              "1e30", "2147483648", "4294967296", ".inf", "nan", "1e-400", "0x7FFFFFFFFFFFFFFF"]
    static let negativeNumbers = ["-1", "-0", "-2147483649", "-9223372036854775809", "-1e9", "-0.5", "-65536"]

    /// `bytes` with one `damage`.
    public func apply(_ damage: Damage, to bytes: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var copy = bytes
        let position = Int.random(in: 0...bytes.count, using: &rng)
        switch damage {
        case .truncation:
            copy = Array(copy.prefix(Int.random(in: 0..<max(copy.count, 1), using: &rng)))
        case .byteFlip:
            for _ in 0..<Int.random(in: 1...3, using: &rng) where !copy.isEmpty {
                let special: [UInt8] = [0x00, 0xFF, 0x0D, 0x0A, 0x80, 0xC3]
                copy[Int.random(in: 0..<copy.count, using: &rng)] = Bool.random(using: &rng)
                    ? special.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
        case .insertedJunk:
            let count = Int.random(in: 1...32, using: &rng)
            let junk: [UInt8] = Bool.random(using: &rng)
                ? (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : (0..<count).map { _ in punctuation.randomElement(using: &rng)! }
            copy.insert(contentsOf: junk, at: position)
        case .hugeNumber, .negativeNumber:
            let sites = Self.numbers(in: copy)
            let pool = damage == .hugeNumber ? Self.hugeNumbers : Self.negativeNumbers
            let replacement = Array(pool.randomElement(using: &rng)!.utf8)
            if let site = sites.randomElement(using: &rng) {
                copy.replaceSubrange(site, with: damage == .negativeNumber && Bool.random(using: &rng) ? [0x2D] + copy[site] : replacement)
            } else {
                copy.insert(contentsOf: replacement, at: position)
            }
        case .deepNesting:
            // Depths around the libraries' limits (libxml2 256, libyaml 1000) and far beyond.
            let depth = [8, 255, 257, 999, 1001, 20_000].randomElement(using: &rng)!
            let nest = nested(depth)
            if let site = Self.numbers(in: copy).randomElement(using: &rng), Bool.random(using: &rng) {
                copy.replaceSubrange(site, with: nest)
            } else {
                copy.insert(contentsOf: nest, at: position)
            }
        }
        return copy
    }

    /// The byte ranges of the decimal numbers in `bytes` (digits with an optional fraction).
    static func numbers(in bytes: [UInt8]) -> [Range<Int>] {
        var sites: [Range<Int>] = []
        var i = 0
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        while i < bytes.count {
            guard isDigit(bytes[i]) else { i += 1; continue }
            let start = i
            while i < bytes.count, isDigit(bytes[i]) || bytes[i] == 0x2E { i += 1 }
            sites.append(start..<i)
        }
        return sites
    }
}

/// What a mutation test saw, per kind of damage: cases, inputs read anyway, inputs refused with an
/// error, and every refusal that did not name the file (and line).
public struct MutationTally: CustomStringConvertible {
    public private(set) var cases: [Damage: Int] = [:]
    public private(set) var refused: [Damage: Int] = [:]
    /// Messages of errors that failed the test's check, with the damage and case index.
    public private(set) var badErrors: [String] = []

    public init() {}

    /// Records one case: nil error = the damaged input was read; otherwise whether it was a good error.
    public mutating func record(_ damage: Damage, case index: Int, error: (message: String, good: Bool)?) {
        cases[damage, default: 0] += 1
        guard let error else { return }
        refused[damage, default: 0] += 1
        if !error.good { badErrors.append("\(damage) #\(index): \(error.message)") }
    }

    /// Total cases.
    public var total: Int { cases.values.reduce(0, +) }

    /// `truncation 100 (93 refused), …`.
    public var description: String {
        Damage.allCases.compactMap { d in cases[d].map { "\(d) \($0) (\(refused[d] ?? 0) refused)" } }.joined(separator: ", ")
    }
}

/// A file a mutation test rewrites for every case. Truncating and writing one open handle takes
/// ~10 µs here; `Data.write(to:)` takes ~2 ms, which the loops would spend most of their time in.
public final class ScratchFile {
    public let url: URL
    private let handle: FileHandle

    /// Creates (or empties) the file at `url` and keeps it open.
    public init(_ url: URL) throws {
        self.url = url
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)  // FileHandle(forUpdating:) says it if this failed
        handle = try FileHandle(forUpdating: url)
    }

    deinit { try? handle.close() }

    /// Replaces the file's contents with `bytes`.
    public func replace(with bytes: [UInt8]) throws {
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: bytes)
    }
}
