import ConfigFile
import Foundation
import NeuralCore

extension TextMutator {
    /// YAML: its punctuation as junk, `[[[…]]]` as nesting.
    public static let yaml = TextMutator(punctuation: ":[]{},-#&*!|>'\"?%@` \t\n",
                                         nested: { String(repeating: "[", count: $0) + String(repeating: "]", count: $0) })
}

/// Runs `Damage.casesPerKind` seeded mutations of each kind of a valid YAML file through `read`,
/// which parses the damaged text as the file `file` (and may check the value it got). A thrown
/// `ConfigError` is a good refusal when it names `file` and a line (an empty file has none);
/// any other error is a bad one.
public func mutateYAML(_ base: String, file: String, seed: UInt64, read: (String) throws -> Void) -> MutationTally {
    var rng = SeededGenerator(seed: seed)
    var tally = MutationTally()
    let bytes = Array(base.utf8)
    for damage in Damage.allCases {
        for i in 0..<Damage.casesPerKind {
            let damaged = TextMutator.yaml.apply(damage, to: bytes, using: &rng)
            do {
                try read(TextFile.decode(Data(damaged), file: file))
                tally.record(damage, case: i, error: nil)
            } catch let error as ConfigError {
                let good = error.file == file && (error.line != nil || error.reason.contains("empty"))
                tally.record(damage, case: i, error: ("\(error)", good))
            } catch {
                tally.record(damage, case: i, error: ("\(type(of: error)): \(error)", false))
            }
        }
    }
    return tally
}
