import Checkpoints
import Foundation
import HDF5
import TestSupport
import Testing

/// Every float tensor of the fixture against `yolov5n-golden.h5` `/params/<key>`: the checkpoint
/// holds `golden_fp32.half()` (make_ckpt.py asserts it), so rounding the golden float32 to Float16
/// and back must reproduce each element exactly. A wrong half→float conversion or stride shows here.
@Suite struct GoldenWeightsTests {
    @Test(arguments: ["model", "ema"])
    func floatTensorsEqualTheGoldenRoundedToHalf(_ key: String) throws {
        let state = try FixtureCheckpoint.get().stateDict(key: key)
        let params = try Fixtures.hdf5("yolov5n-golden.h5").root.group("params")
        let goldenNames = try params.memberNames()
        let floatNames = state.entries.filter { $0.tensor.dtype.isFloatingPoint }.map(\.name)
        #expect(Set(goldenNames) == Set(floatNames))
        #expect(floatNames.count == 292)
        for name in floatNames {
            let dataset = try params.dataset(name)
            let tensor = try #require(state[name])
            #expect(tensor.shape == dataset.shape, "\(name)")
            let expected = try dataset.read(Float.self).map { Float(Float16($0)) }
            let actual = tensor.floatValues()
            let mismatches = zip(actual, expected).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(actual.count == expected.count && mismatches == 0, "\(name): \(mismatches) elements differ")
        }
    }

    @Test func neuralCoreTensorsCarryTheSameValues() throws {
        let state = try FixtureCheckpoint.get().stateDict()
        let tensors = state.floatTensors()
        #expect(tensors.count == 349)
        let conv = try #require(tensors["model.0.conv.weight"])
        #expect(conv.shape == [16, 3, 6, 6])
        let golden = try Fixtures.hdf5("yolov5n-golden.h5").root.group("params").dataset("model.0.conv.weight")
        #expect(conv.values == (try golden.read(Float.self)).map { Float(Float16($0)) })
        #expect(tensors["model.0.bn.num_batches_tracked"]?.shape == [])
    }
}
