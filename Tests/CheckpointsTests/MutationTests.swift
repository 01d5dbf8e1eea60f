@testable import Checkpoints
import Foundation
import NeuralCore
import TestSupport
import Testing

/// Seeded random damage to valid inputs: every outcome must be a value or a thrown error, never a trap.
/// `CHECKPOINT_MUTATIONS=20000 swift test --filter MutationTests` runs longer (20,000 each passed, ~30 s).
@Suite struct MutationTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["CHECKPOINT_MUTATIONS"] ?? "") ?? 400

    func mutated(_ bytes: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var copy = bytes
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: copy = Array(copy.prefix(Int.random(in: 0..<copy.count, using: &rng)))
        case 1:
            for _ in 0..<Int.random(in: 1...3, using: &rng) { copy[Int.random(in: 0..<copy.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
        case 2:
            let i = Int.random(in: 0..<copy.count, using: &rng)
            copy[i] = [0x00, 0x7F, 0x80, 0xFF][Int.random(in: 0..<4, using: &rng)]
        default:
            let i = Int.random(in: 0..<copy.count, using: &rng)
            copy.remove(at: i)
        }
        return copy
    }

    @Test(arguments: [2, 4, 5])
    func damagedPicklesNeverTrap(_ version: Int) {
        var rng = SeededGenerator(seed: UInt64(version))
        let original = PythonPickles.bytes(protocol: version)
        var refused = 0
        for _ in 0..<Self.iterations {
            // May hold cycles (a list inside itself): not printed.
            if (try? unpickle(mutated(original, using: &rng))) == nil { refused += 1 }
        }
        // Most damage is detected and reported as an error (a flipped byte inside a string is not).
        #expect(refused > Self.iterations / 4, "\(refused) of \(Self.iterations) damaged pickles refused")
    }

    @Test func damagedCheckpointsNeverTrap() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pickle = PickleBuilder().proto(2).dict([
            ("model", { b in
                b.module("models.yolo", "Model", parameters: [("w", { $0.parameter("0", count: 2) })],
                         buffers: [("b", { $0.tensor("1", numel: 6, offset: 1, size: [2, 2], stride: [1, 2]) })])
            }),
            ("epoch", { $0.int(3) }),
        ]).stop()
        let url = try folder.checkpoint(pickle: pickle, storages: [("0", floatBytes([1, 2])), ("1", floatBytes((0..<6).map(Float.init)))],
                                        zip64: true)
        let original = [UInt8](try Data(contentsOf: url))
        var rng = SeededGenerator(seed: 99)
        var refused = 0
        for i in 0..<Self.iterations {
            let damaged = try folder.write("damaged\(i % 4).pt", mutated(original, using: &rng))
            for verify in [true, false] {
                guard let checkpoint = try? TorchCheckpoint.load(damaged, verifyChecksums: verify),
                      let state = try? checkpoint.stateDict() else { refused += 1; continue }
                for (_, tensor) in state.entries { _ = (tensor.floatValues(), tensor.int64Values(), tensor.tensor()) }
            }
        }
        // With checksums on, almost every damaged archive is refused with an error.
        #expect(refused > Self.iterations / 2, "\(refused) of \(2 * Self.iterations) loads refused")
    }

    @Test func damagedSafeTensorsNeverTrap() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.file("ok.safetensors")
        try SafeTensors.write(tensors: [("a", .init(shape: [2, 2], values: [1, 2, 3, 4])), ("b", .init(shape: [0, 5]))],
                              metadata: ["epoch": "1"], to: url)
        let original = [UInt8](try Data(contentsOf: url))
        var rng = SeededGenerator(seed: 7)
        var refused = 0
        for i in 0..<Self.iterations {
            let damaged = try folder.write("damaged\(i % 4).safetensors", mutated(original, using: &rng))
            if (try? SafeTensors.read(damaged)) == nil { refused += 1 }
        }
        #expect(refused > Self.iterations / 4, "\(refused) of \(Self.iterations) damaged files refused")
    }
}
