import Foundation
import Results

/// Which run each task of a Slurm job array trains: array index → (scenario, seed), written once
/// before the array is submitted and never changed, so a requeued or rerun task trains the same
/// run. A tab-separated text file, one line per task:
///
/// ```
/// # freeze-study job array: index, scenario, seed
/// 0	none	0
/// 1	backbone	0
/// ```
public struct SlurmManifest: Equatable, Sendable {
    /// The runs, in array-index order (index i trains `runs[i]`).
    public let runs: [RunKey]

    /// A manifest of `runs`, in that order.
    public init(runs: [RunKey]) { self.runs = runs }

    static let header = "# freeze-study job array: index, scenario, seed"

    /// The file's text.
    public var text: String {
        ([Self.header] + runs.enumerated().map { "\($0.offset)\t\($0.element.scenario)\t\($0.element.seed)" })
            .joined(separator: "\n") + "\n"
    }

    /// Reads a manifest; errors name the file and line.
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw StudyError("\(url.path): cannot read the job array's manifest (\(error.localizedDescription))")
        }
        var runs: [RunKey] = []
        // Lines, whatever their ending: a manifest copied through another system may have CRLF.
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3, let index = Int(fields[0]), let seed = Int(fields[2]), !fields[1].isEmpty else {
                throw StudyError("\(url.path), line \(number + 1): expected 'index<TAB>scenario<TAB>seed', found '\(line)'")
            }
            guard index == runs.count else {
                throw StudyError("\(url.path), line \(number + 1): index \(index) where \(runs.count) was expected (indices count from 0 in order)")
            }
            runs.append(RunKey(scenario: fields[1], seed: seed))
        }
        self.runs = runs
    }

    /// The run of array task `index`; an error names the file and the valid range.
    public func run(at index: Int, file: URL) throws -> RunKey {
        guard runs.indices.contains(index) else {
            throw StudyError("\(file.path) has no array index \(index) (it lists \(runs.count) run\(runs.count == 1 ? "" : "s"), "
                             + "indices 0-\(runs.count - 1))")
        }
        return runs[index]
    }
}
