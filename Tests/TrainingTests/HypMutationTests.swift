import ConfigFile
import Foundation
import TestSupport
import Testing
@testable import Training

/// Seeded damage to a real hyp file (issue 16 §4): every damaged file is read into finite values
/// or refused with an error naming the file and line; none traps or hangs.
@Suite struct HypMutationTests {
    @Test func damagedHypFiles() throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("Experiments/hyps/hyp.finetune.yaml")
        let base = try String(contentsOf: url, encoding: .utf8)
        _ = try Hyperparameters(yaml: base, file: "hyp.yaml")
        var unchecked: [String] = []
        let tally = mutateYAML(base, file: "hyp.yaml", seed: 21) { text in
            let hyp = try Hyperparameters(yaml: text, file: "hyp.yaml")
            // What is accepted must be usable: `nan` or `1e400` would reach the optimizer.
            if let bad = hyp.values.first(where: { !$0.1.isFinite }) { unchecked.append("\(bad)") }
        }
        #expect(tally.badErrors.isEmpty, "\(tally.badErrors.prefix(5))")
        #expect(unchecked.isEmpty, "accepted non-finite values: \(unchecked.prefix(5))")
        #expect((tally.refused[.truncation] ?? 0) > Damage.casesPerKind / 2, "\(tally)")
        print("hyp YAML mutations: \(tally)")
    }

    /// Swift's Double("nan"), Double("inf") and Double("1e400") all parse; no hyperparameter means them.
    @Test func nonFiniteValuesAreRefusedWithTheirLine() throws {
        let base = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/hyps/hyp.finetune.yaml"),
                              encoding: .utf8)
        for value in ["nan", ".nan", "inf", "-inf", "1e400"] {
            let text = base.replacingOccurrences(of: "lr0: 0.0032", with: "lr0: \(value)")
            #expect {
                _ = try Hyperparameters(yaml: text, file: "hyp.yaml")
            } throws: { error in
                let e = error as! ConfigError
                return e.file == "hyp.yaml" && e.line == 5 && e.field == "lr0" && e.reason.contains("finite number")
                    || e.reason.contains("expected a number")
            }
        }
    }

    /// `1e-3`, `.5` and `+0.5` are the numbers they look like (PyYAML would read `1e-3` as a string).
    @Test func numbersInEverySpelling() throws {
        let base = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/hyps/hyp.finetune.yaml"),
                              encoding: .utf8)
        let text = base.replacingOccurrences(of: "lr0: 0.0032", with: "lr0: 3.2e-3")
            .replacingOccurrences(of: "lrf: 0.12", with: "lrf: +.12")
        let hyp = try Hyperparameters(yaml: text, file: "hyp.yaml")
        #expect(hyp.lr0 == 0.0032 && hyp.lrf == 0.12)
    }
}
