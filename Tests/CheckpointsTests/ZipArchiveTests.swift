@testable import Checkpoints
import Foundation
import TestSupport
import Testing

@Suite struct ZipArchiveTests {
    /// PyTorch pads local headers so that every entry's data starts on a 64-byte boundary.
    @Test func fixtureEntriesAreListedAndAligned() throws {
        let archive = try ZipArchive(url: try Fixtures.url("yolov5n-ckpt.pt"))
        let pickle = try Manifest.load().pickle
        #expect(archive.entries.count == pickle.zipEntryCount)
        #expect(archive.entries.first?.name == pickle.dataPkl)
        let data = try #require(archive.entry(named: "yolov5n-ckpt/data.pkl"))
        #expect(data.size == 171_534 && data.method == 0)
        for entry in archive.entries where entry.name.contains("/data/") {
            let contents = try archive.contents(of: entry, verifyChecksum: false)
            #expect(contents.startIndex % 64 == 0, "\(entry.name) at \(contents.startIndex)")
        }
        let version = try #require(archive.entry(named: "yolov5n-ckpt/version"))
        #expect(String(decoding: try archive.contents(of: version), as: UTF8.self) == "3\n")
    }

    @Test(arguments: [false, true])
    func handMadeArchivesRoundTrip(_ zip64: Bool) throws {
        var zip = ZipBuilder(zip64: zip64)
        zip.add("a/x", [1, 2, 3])
        zip.add("a/empty", [])
        zip.add("a/ü", Array(repeating: 7, count: 1000))
        let archive = try ZipArchive(bytes: Data(zip.bytes()), path: "test.zip")
        #expect(archive.entries.map(\.name) == ["a/x", "a/empty", "a/ü"])
        #expect(Array(try archive.contents(of: archive.entry(named: "a/x")!)) == [1, 2, 3])
        #expect(try archive.contents(of: archive.entry(named: "a/empty")!).isEmpty)
        #expect(try archive.contents(of: archive.entry(named: "a/ü")!).count == 1000)
    }

    /// CRC-32 check value of "123456789" (the catalogue's `check` for CRC-32/ISO-HDLC).
    @Test func crc32CheckValue() {
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
        #expect([UInt8]().withUnsafeBytes { CRC32.checksum($0) } == 0)
    }

    @Test func entryDataPastTheEndIsTruncation() throws {
        var zip = ZipBuilder()
        zip.add("a", [UInt8](repeating: 1, count: 100))
        var bytes = zip.bytes()
        bytes[26] = 200  // a 200-byte name in the local header moves the data past the file's 200 bytes
        let archive = try ZipArchive(bytes: Data(bytes), path: "test.zip")
        #expect {
            try archive.contents(of: archive.entries[0])
        } throws: { error in
            (error as? CheckpointError)?.kind == .corruptArchive && "\(error)".contains("truncated")
        }
    }
}
