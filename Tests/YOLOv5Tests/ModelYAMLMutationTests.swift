import Foundation
import TestSupport
import Testing
@testable import YOLOv5

/// Seeded damage to a real model YAML (issue 16 §4): every damaged file is read into a spec with
/// finite multiples and anchors, or refused with an error naming the file and line; none traps.
@Suite struct ModelYAMLMutationTests {
    @Test func damagedModelYAMLs() throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5s.yaml")
        let base = try String(contentsOf: url, encoding: .utf8)
        _ = try ModelSpec(yaml: base, file: "model.yaml")
        var unchecked: [String] = []
        let tally = mutateYAML(base, file: "model.yaml", seed: 22) { text in
            let spec = try ModelSpec(yaml: text, file: "model.yaml")
            // A multiple of 1e400 (infinity) would trap later in Int(n · depth_multiple).
            if !(spec.depthMultiple.isFinite && spec.widthMultiple.isFinite && spec.anchors.joined().allSatisfy(\.isFinite)) {
                unchecked.append("depth \(spec.depthMultiple), width \(spec.widthMultiple), anchors \(spec.anchors)")
            }
        }
        #expect(tally.badErrors.isEmpty, "\(tally.badErrors.prefix(5))")
        #expect(unchecked.isEmpty, "accepted non-finite values: \(unchecked.prefix(5))")
        print("model YAML mutations: \(tally)")
    }
}
