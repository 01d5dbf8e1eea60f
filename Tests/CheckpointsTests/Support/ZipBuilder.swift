@testable import Checkpoints
import Foundation

/// Writes small zip archives the way PyTorch does (stored entries), for hand-made checkpoints;
/// `zip64` writes the sizes, offsets and counts through ZIP64 records instead of the 32-bit fields.
struct ZipBuilder {
    var entries: [(name: String, data: [UInt8])] = []
    var zip64 = false

    mutating func add(_ name: String, _ data: [UInt8]) { entries.append((name, data)) }

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in entries {
            let offset = out.count
            let crc = data.withUnsafeBytes { CRC32.checksum($0) }
            let nameBytes = Array(name.utf8)
            out += le(UInt32(0x0403_4B50)) + le(UInt16(zip64 ? 45 : 20)) + le(UInt16(0)) + le(UInt16(0))
            out += le(UInt32(0)) + le(crc) + le(UInt32(data.count)) + le(UInt32(data.count))
            out += le(UInt16(nameBytes.count)) + le(UInt16(0)) + nameBytes + data
            let extra = zip64 ? le(UInt16(1)) + le(UInt16(24)) + le(UInt64(data.count)) + le(UInt64(data.count)) + le(UInt64(offset)) : []
            let small: (UInt32) -> UInt32 = { zip64 ? 0xFFFF_FFFF : $0 }
            central += le(UInt32(0x0201_4B50)) + le(UInt16(45)) + le(UInt16(zip64 ? 45 : 20)) + le(UInt16(0)) + le(UInt16(0))
            central += le(UInt32(0)) + le(crc) + le(small(UInt32(data.count))) + le(small(UInt32(data.count)))
            central += le(UInt16(nameBytes.count)) + le(UInt16(extra.count)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0))
            central += le(UInt32(0)) + le(small(UInt32(offset))) + nameBytes + extra
        }
        let directoryOffset = out.count
        out += central
        if zip64 {
            let record = out.count
            out += le(UInt32(0x0606_4B50)) + le(UInt64(44)) + le(UInt16(45)) + le(UInt16(45)) + le(UInt32(0)) + le(UInt32(0))
            out += le(UInt64(entries.count)) + le(UInt64(entries.count)) + le(UInt64(central.count)) + le(UInt64(directoryOffset))
            out += le(UInt32(0x0706_4B50)) + le(UInt32(0)) + le(UInt64(record)) + le(UInt32(1))
        }
        let count16 = zip64 ? 0xFFFF : UInt16(entries.count)
        out += le(UInt32(0x0605_4B50)) + le(UInt16(0)) + le(UInt16(0)) + le(count16) + le(count16)
        out += le(UInt32(central.count)) + le(zip64 ? 0xFFFF_FFFF : UInt32(directoryOffset)) + le(UInt16(0))
        return out
    }

    private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
}

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("CheckpointsTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `bytes` to `name` and returns its URL.
    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let target = file(name)
        try Data(bytes).write(to: target)
        return target
    }

    /// A checkpoint archive `<folder>/data.pkl` + `<folder>/data/<key>` storages, as torch.save lays it out.
    func checkpoint(_ name: String = "tiny.pt", folder: String = "archive", pickle: PickleBuilder,
                    storages: [(String, [UInt8])] = [], byteorder: String = "little", zip64: Bool = false) throws -> URL {
        var zip = ZipBuilder(zip64: zip64)
        zip.add("\(folder)/data.pkl", pickle.bytes)
        zip.add("\(folder)/byteorder", Array(byteorder.utf8))
        for (key, bytes) in storages { zip.add("\(folder)/data/\(key)", bytes) }
        zip.add("\(folder)/version", Array("3\n".utf8))
        return try write(name, zip.bytes())
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Little-endian bytes of Float32 values (a FloatStorage's entry).
func floatBytes(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
