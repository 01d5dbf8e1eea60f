@testable import Checkpoints
import Foundation
import Testing

/// Tensors and state dicts from hand-made archives laid out as torch.save does.
@Suite struct TorchTensorTests {
    /// `storage[2 + i + 2j]` for size [2, 3], stride [1, 2]: a transposed, offset view.
    @Test func nonContiguousViewHonoursOffsetSizeAndStride() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pickle = PickleBuilder().proto(2)
        pickle.tensor("0", numel: 12, offset: 2, size: [2, 3], stride: [1, 2])
        pickle.tensor("0", numel: 12, offset: 11, size: [], stride: [])  // a scalar sharing the storage
        pickle.tensor("0", numel: 12, offset: 0, size: [2, 0], stride: [0, 1])  // empty
        pickle.op(.TUPLE3).stop()
        let url = try folder.checkpoint(pickle: pickle, storages: [("0", floatBytes((0..<12).map(Float.init)))])
        let checkpoint = try TorchCheckpoint.load(url)
        let tensors = try #require(checkpoint.root.sequenceItems?.compactMap { $0.tensorValue })
        #expect(tensors.map(\.shape) == [[2, 3], [], [2, 0]])
        #expect(tensors[0].floatValues() == [2, 4, 6, 3, 5, 7])
        #expect(tensors[0].tensor()[1, 2] == 7)
        #expect(tensors[1].floatValues() == [11])
        #expect(tensors[2].floatValues() == [])
        #expect(checkpoint.storages.count == 1 && checkpoint.archiveName == "archive")
    }

    @Test func everyStorageDtypeConverts() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }
        let cases: [(String, [UInt8], [Float], [Int64]?)] = [
            // 1, -2, 2^-24 (smallest subnormal), 65504 (largest), +inf
            ("HalfStorage", le([UInt16(0x3C00), 0xC000, 0x0001, 0x7BFF, 0x7C00]), [1, -2, 0x1p-24, 65504, .infinity], nil),
            ("BFloat16Storage", le([UInt16(0x3F80), 0xC0A0]), [1, -5], nil),
            ("FloatStorage", floatBytes([0.1, -0]), [0.1, -0], nil),
            ("DoubleStorage", le([(0.5 as Double).bitPattern, (1e300 as Double).bitPattern]), [0.5, .infinity], nil),
            ("LongStorage", le([Int64.min, 7]), [Float(Int64.min), 7], [Int64.min, 7]),
            ("IntStorage", le([Int32(-3)]), [-3], [-3]),
            ("ShortStorage", le([Int16(-4)]), [-4], [-4]),
            ("CharStorage", [0xFB], [-5], [-5]),
            ("ByteStorage", [250], [250], [250]),
            ("BoolStorage", [0, 1], [0, 1], [0, 1]),
        ]
        let pickle = PickleBuilder().proto(2).mark()
        for (i, (storageClass, _, floats, _)) in cases.enumerated() {
            pickle.tensor("\(i)", storageClass, numel: floats.count, size: [floats.count], stride: [1])
        }
        pickle.op(.TUPLE).stop()
        let url = try folder.checkpoint(pickle: pickle, storages: cases.enumerated().map { ("\($0)", $1.1) })
        let tensors = try #require(try TorchCheckpoint.load(url).root.sequenceItems?.compactMap { $0.tensorValue })
        for ((storageClass, _, floats, integers), tensor) in zip(cases, tensors) {
            #expect(tensor.floatValues().map(\.bitPattern) == floats.map(\.bitPattern), "\(storageClass)")
            #expect(tensor.int64Values() == integers, "\(storageClass)")
        }
    }

    /// `_rebuild_parameter(tensor, False, OrderedDict())` and `_rebuild_tensor_v3` over an untyped storage.
    @Test func parametersAndUntypedStorages() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pickle = PickleBuilder().proto(2)
        pickle.global("torch._utils", "_rebuild_parameter").tuple {
            $0.tensor("0", numel: 2, size: [2], stride: [1], requiresGrad: true).bool(false).orderedDict()
        }.op(.REDUCE)
        pickle.global("torch._utils", "_rebuild_tensor_v3").tuple {
            $0.storage("1", "UntypedStorage", numel: 4).int(1).ints([1]).ints([1]).bool(false).orderedDict().global("torch", "float16")
        }.op(.REDUCE)
        pickle.op(.TUPLE2).stop()
        let url = try folder.checkpoint(pickle: pickle, storages: [("0", floatBytes([1, 2])), ("1", [0, 0, 0x00, 0x3C])])
        let tensors = try #require(try TorchCheckpoint.load(url).root.sequenceItems?.compactMap { $0.tensorValue })
        #expect(tensors[0].isParameter && !tensors[0].requiresGrad && tensors[0].floatValues() == [1, 2])
        #expect(tensors[1].dtype == .float16 && tensors[1].floatValues() == [1])
    }

    @Test func bigEndianArchivesAreSwapped() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pickle = PickleBuilder().proto(2).tensor("0", numel: 2, size: [2], stride: [1]).stop()
        let big = [Float(1.5), -3].flatMap { withUnsafeBytes(of: $0.bitPattern.bigEndian, Array.init) }
        let url = try folder.checkpoint(pickle: pickle, storages: [("0", big)], byteorder: "big")
        #expect(try TorchCheckpoint.load(url).root.tensorValue?.floatValues() == [1.5, -3])
    }

    @Test func zip64RecordsAndOtherFolderNamesAreRead() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pickle = PickleBuilder().proto(2).tensor("0", numel: 1, size: [1], stride: [1]).stop()
        let url = try folder.checkpoint("best.pt", folder: "best", pickle: pickle, storages: [("0", floatBytes([4]))], zip64: true)
        let checkpoint = try TorchCheckpoint.load(url)
        #expect(checkpoint.archiveName == "best")
        #expect(checkpoint.root.tensorValue?.floatValues() == [4])
    }
}
