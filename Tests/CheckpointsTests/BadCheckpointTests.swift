@testable import Checkpoints
import Foundation
import TestSupport
import Testing

/// The fixture's bytes, patched and written to a temporary file.
struct PatchedFixture {
    var bytes: [UInt8]

    init() throws { bytes = [UInt8](try Data(contentsOf: try Fixtures.url("yolov5n-ckpt.pt"))) }

    /// Offset of the central-directory record of entry `name`.
    func centralRecord(_ name: String) throws -> Int {
        let signature: [UInt8] = [0x50, 0x4B, 0x01, 0x02], target = Array(name.utf8)
        var i = bytes.count - 46
        while i >= 0 {
            if Array(bytes[i..<(i + 4)]) == signature {
                let length = Int(bytes[i + 28]) | Int(bytes[i + 29]) << 8
                if length == target.count, Array(bytes[(i + 46)..<(i + 46 + length)]) == target { return i }
            }
            i -= 1
        }
        throw CheckpointError(.missingEntry, file: "yolov5n-ckpt.pt", location: "central directory", reason: "no record for \(name)")
    }

    mutating func write32(_ value: UInt32, at offset: Int) {
        for k in 0..<4 { bytes[offset + k] = UInt8((value >> (8 * UInt32(k))) & 0xFF) }
    }

    func load(_ folder: TemporaryFolder, verifyChecksums: Bool = true) throws -> TorchCheckpoint {
        try TorchCheckpoint.load(try folder.write("patched.pt", bytes), verifyChecksums: verifyChecksums)
    }
}

/// Expects `body` to throw a `CheckpointError` of `kind` whose location and reason contain the given texts.
func expectCheckpointError(_ kind: CheckpointError.Kind, location: String = "", reason: String = "",
                           sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("no error; expected \(kind)", sourceLocation: sourceLocation)
    } catch let error as CheckpointError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(location.isEmpty || error.location.contains(location), "\(error)", sourceLocation: sourceLocation)
        #expect(reason.isEmpty || error.reason.contains(reason), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct BadCheckpointTests {
    /// torch < 1.6: `pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)` (the magic number) opens the file.
    @Test func legacyFormatSaysHowToConvert() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let legacy: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
        let url = try folder.write("old.pt", legacy)
        expectCheckpointError(.legacyFormat, location: "offset 0", reason: "torch>=1.6") { _ = try TorchCheckpoint.load(url) }
    }

    @Test func missingFileIsAnIOError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        expectCheckpointError(.io) { _ = try TorchCheckpoint.load(folder.file("absent.pt")) }
    }

    @Test(arguments: [7_000_000, 7_512_190, 7_512_150, 100, 0])
    func truncatedArchives(_ length: Int) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var fixture = try PatchedFixture()
        fixture.bytes = Array(fixture.bytes.prefix(length))
        expectCheckpointError(.corruptArchive) { _ = try fixture.load(folder) }
    }

    @Test func centralDirectoryOutsideTheFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var fixture = try PatchedFixture()
        // The ZIP64 end record (56 bytes before the 20-byte locator and 22-byte end record) holds the offset at +48.
        let record = fixture.bytes.count - 22 - 20 - 56
        #expect(Array(fixture.bytes[record..<(record + 4)]) == [0x50, 0x4B, 0x06, 0x06])
        fixture.write32(0x7FFF_FFFF, at: record + 48)
        expectCheckpointError(.corruptArchive, location: "end-of-central-directory", reason: "does not fit") {
            _ = try fixture.load(folder)
        }
    }

    @Test func compressedEntryIsRefusedByName() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var fixture = try PatchedFixture()
        fixture.bytes[try fixture.centralRecord("yolov5n-ckpt/data/3") + 10] = 8  // method: deflate
        expectCheckpointError(.compressedEntry, location: "yolov5n-ckpt/data/3", reason: "deflate") { _ = try fixture.load(folder) }
    }

    @Test func corruptStorageBytesFailTheChecksum() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var fixture = try PatchedFixture()
        let record = try fixture.centralRecord("yolov5n-ckpt/data/0")
        let local = (0..<4).reduce(0) { $0 | Int(fixture.bytes[record + 42 + $1]) << (8 * $1) }
        fixture.bytes[local + 200] ^= 0x40  // inside data/0, whose data starts within the first 200 bytes after its header
        expectCheckpointError(.corruptArchive, location: "yolov5n-ckpt/data/0", reason: "CRC-32") { _ = try fixture.load(folder) }
        _ = try fixture.load(folder, verifyChecksums: false)  // the bytes still parse; only the check notices
    }

    @Test func missingStorageEntry() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var fixture = try PatchedFixture()
        fixture.bytes[try fixture.centralRecord("yolov5n-ckpt/data/1") + 46 + 16] = UInt8(ascii: "_")  // data/1 → dat_/1
        expectCheckpointError(.missingEntry, location: "data.pkl offset", reason: "'yolov5n-ckpt/data/1'") { _ = try fixture.load(folder) }
    }

    /// data/0 holds model.0.conv.weight, 16·3·6·6 float16 = 3456 bytes; shrink the entry below that.
    @Test func storageEntryShorterThanDeclared() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var fixture = try PatchedFixture()
        let record = try fixture.centralRecord("yolov5n-ckpt/data/0")
        fixture.write32(3000, at: record + 20)
        fixture.write32(3000, at: record + 24)
        expectCheckpointError(.storageOutOfRange, reason: "3456 bytes") { _ = try fixture.load(folder) }
    }

    /// The first opcode after PROTO (EMPTY_DICT at offset 2) replaced by 0xff, with the CRC fixed up.
    @Test func unknownOpcodeInTheFixture() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var fixture = try PatchedFixture()
        let record = try fixture.centralRecord("yolov5n-ckpt/data.pkl")
        let start = 30 + 21 + 13  // local header, name, torch's alignment padding (from the fixture's layout)
        #expect(Array(fixture.bytes[start..<(start + 3)]) == [0x80, 0x02, 0x7D])
        fixture.bytes[start + 2] = 0xFF
        let size = 171_534
        fixture.write32(fixture.bytes[start..<(start + size)].withUnsafeBytes { CRC32.checksum($0) }, at: record + 16)
        expectCheckpointError(.unknownOpcode, location: "yolov5n-ckpt/data.pkl offset 2", reason: "0xff") { _ = try fixture.load(folder) }
    }

    @Test func tensorReachingPastItsStorage() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pickle = PickleBuilder().proto(2).tensor("0", numel: 4, offset: 1, size: [2, 2], stride: [2, 1]).stop()
        let url = try folder.checkpoint(pickle: pickle, storages: [("0", floatBytes([1, 2, 3, 4]))])
        expectCheckpointError(.storageOutOfRange, location: "data.pkl offset", reason: "storage '0'") { _ = try TorchCheckpoint.load(url) }
    }

    @Test func rebuildArgumentsOfTheWrongType() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let storages = [("0", floatBytes([1, 2]))]
        let stringSize = PickleBuilder().proto(2).global("torch._utils", "_rebuild_tensor_v2").tuple {
            $0.storage("0", numel: 2).int(0).string("2").ints([1]).bool(false).orderedDict()
        }.op(.REDUCE).stop()
        let url = try folder.checkpoint(pickle: stringSize, storages: storages)
        expectCheckpointError(.wrongType, reason: "argument 3 (size) must be a tuple of ints, found str") { _ = try TorchCheckpoint.load(url) }

        let floatOffset = PickleBuilder().proto(2).global("torch._utils", "_rebuild_tensor_v2").tuple {
            $0.storage("0", numel: 2).float(0).ints([2]).ints([1]).bool(false).orderedDict()
        }.op(.REDUCE).stop()
        let url2 = try folder.checkpoint("b.pt", pickle: floatOffset, storages: storages)
        expectCheckpointError(.wrongType, reason: "storage_offset") { _ = try TorchCheckpoint.load(url2) }

        let noStorage = PickleBuilder().proto(2).global("torch._utils", "_rebuild_tensor_v2").tuple {
            $0.int(0).int(0).ints([2]).ints([1]).bool(false).orderedDict()
        }.op(.REDUCE).stop()
        let url3 = try folder.checkpoint("c.pt", pickle: noStorage, storages: storages)
        expectCheckpointError(.wrongType, reason: "argument 1 (storage)") { _ = try TorchCheckpoint.load(url3) }

        let unknownStorage = PickleBuilder().proto(2).tuple {
            $0.string("storage").global("torch", "ComplexFloatStorage").string("0").string("cpu").int(2)
        }.op(.BINPERSID).stop()
        let url4 = try folder.checkpoint("d.pt", pickle: unknownStorage, storages: storages)
        expectCheckpointError(.wrongType, reason: "ComplexFloatStorage") { _ = try TorchCheckpoint.load(url4) }
    }

    @Test func archiveWithoutDataPickle() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var zip = ZipBuilder()
        zip.add("something/else.txt", [1, 2, 3])
        let url = try folder.write("other.zip", zip.bytes())
        expectCheckpointError(.missingEntry, reason: "not a PyTorch checkpoint") { _ = try TorchCheckpoint.load(url) }
    }
}
