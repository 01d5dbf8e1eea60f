import Foundation

/// A read-only zip archive whose entries are stored uncompressed: PyTorch's checkpoint container
/// (`torch.save` since 1.6, written by miniz with ZIP64 end records and 64-byte aligned data).
///
/// The central directory is found through the end-of-central-directory record (and its ZIP64
/// form); an entry's data offset comes from its local header. Entries are slices of `bytes`,
/// which is the memory-mapped file, so nothing is copied until a tensor is converted.
struct ZipArchive {
    /// One central-directory record.
    struct Entry {
        let name: String
        let flags: UInt16
        let method: UInt16
        let crc32: UInt32
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    let path: String
    let bytes: Data
    /// Entries in central-directory order.
    let entries: [Entry]
    private let indexByName: [String: Int]

    private static let endRecordSignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndRecordSignature: UInt32 = 0x0606_4B50
    private static let centralHeaderSignature: UInt32 = 0x0201_4B50
    private static let localHeaderSignature: UInt32 = 0x0403_4B50

    /// Parses the central directory of `bytes`, the contents of the file at `path`.
    init(bytes: Data, path: String) throws {
        self.path = path
        self.bytes = bytes.startIndex == 0 ? bytes : Data(bytes)
        let reader = ByteReader(bytes: self.bytes, path: path, kind: .corruptArchive)
        let end = try Self.findEndRecord(reader)
        var entryCount = Int(try reader.u16(end + 10, "end-of-central-directory record"))
        var directorySize = Int(try reader.u32(end + 12, "end-of-central-directory record"))
        var directoryOffset = Int(try reader.u32(end + 16, "end-of-central-directory record"))
        var directoryLimit = end
        if end >= 20, try reader.u32(end - 20, "ZIP64 locator") == Self.zip64LocatorSignature {
            let record = try reader.offset(end - 20 + 8, "ZIP64 locator")
            guard record < end - 20, try reader.u32(record, "ZIP64 end record") == Self.zip64EndRecordSignature else {
                throw reader.error("ZIP64 locator", "points to offset \(record), where there is no ZIP64 end record")
            }
            entryCount = try reader.offset(record + 32, "ZIP64 end record")
            directorySize = try reader.offset(record + 40, "ZIP64 end record")
            directoryOffset = try reader.offset(record + 48, "ZIP64 end record")
            directoryLimit = record
        }
        guard directoryOffset <= directoryLimit, directorySize <= directoryLimit - directoryOffset else {
            throw reader.error("end-of-central-directory record", "central directory at \(directoryOffset)"
                + " (\(directorySize) bytes) does not fit before offset \(directoryLimit): the file is truncated or corrupt")
        }
        var entries: [Entry] = []
        var position = directoryOffset
        for i in 0..<entryCount {
            let (entry, next) = try Self.centralEntry(reader, at: position, number: i, limit: directoryOffset + directorySize)
            entries.append(entry)
            position = next
        }
        self.entries = entries
        var index: [String: Int] = [:]
        for (i, entry) in entries.enumerated() where index[entry.name] == nil { index[entry.name] = i }
        indexByName = index
    }

    /// Opens and memory-maps the file at `url`.
    init(url: URL) throws {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError(.io, file: url.path, location: "file", reason: "cannot be read (\(error.localizedDescription))")
        }
        try self.init(bytes: bytes, path: url.path)
    }

    /// The entry called `name`, if any.
    func entry(named name: String) -> Entry? { indexByName[name].map { entries[$0] } }

    /// The stored bytes of `entry`, checked against its CRC-32 when `verifyChecksum` is set.
    func contents(of entry: Entry, verifyChecksum: Bool = true) throws -> Data {
        let location = "entry '\(entry.name)'"
        if entry.flags & 1 != 0 {
            throw CheckpointError(.compressedEntry, file: path, location: location,
                                  reason: "is encrypted; PyTorch checkpoints are never encrypted")
        }
        guard entry.method == 0 else {
            let method = entry.method == 8 ? "8, deflate" : "\(entry.method)"
            throw CheckpointError(.compressedEntry, file: path, location: location,
                                  reason: "is compressed (method \(method)); PyTorch stores entries uncompressed."
                                    + " The archive was re-packed by another zip tool: re-save it with torch.save")
        }
        guard entry.compressedSize == entry.size else {
            throw CheckpointError(.corruptArchive, file: path, location: location,
                                  reason: "is stored but its sizes differ (\(entry.compressedSize) vs \(entry.size))")
        }
        let reader = ByteReader(bytes: bytes, path: path, kind: .corruptArchive)
        let header = entry.localHeaderOffset
        guard try reader.u32(header, location) == Self.localHeaderSignature else {
            throw reader.error(location, "no local header at offset \(header): the archive is corrupt")
        }
        let start = header + 30 + Int(try reader.u16(header + 26, location)) + Int(try reader.u16(header + 28, location))
        guard start <= bytes.count, entry.size <= bytes.count - start else {
            throw reader.error(location, "\(entry.size) bytes of data at offset \(start) run past the end of the file"
                + " (\(bytes.count) bytes): the archive is truncated")
        }
        let data = bytes[start..<(start + entry.size)]
        if verifyChecksum {
            let crc = data.withUnsafeBytes { CRC32.checksum($0) }
            guard crc == entry.crc32 else {
                throw reader.error(location, String(format: "CRC-32 is %08x, the directory says %08x: the data is corrupt", crc, entry.crc32))
            }
        }
        return data
    }

    /// Offset of the end-of-central-directory record, searched backwards over the comment.
    private static func findEndRecord(_ reader: ByteReader) throws -> Int {
        let count = reader.bytes.count
        let maximumComment = 0xFFFF
        if count >= 22 {
            var offset = count - 22
            let lowest = max(0, count - 22 - maximumComment)
            while offset >= lowest {
                if try reader.u32(offset, "end record") == endRecordSignature,
                   offset + 22 + Int(try reader.u16(offset + 20, "end record")) <= count {
                    return offset
                }
                offset -= 1
            }
        }
        throw reader.error("end of file", "no end-of-central-directory record in the last \(min(count, 22 + maximumComment))"
            + " bytes: the file is truncated or not a zip archive")
    }

    /// The central-directory record number `number` at `position`, and the position after it.
    private static func centralEntry(_ reader: ByteReader, at position: Int, number: Int, limit: Int) throws -> (Entry, Int) {
        let location = "central directory record \(number) at offset \(position)"
        guard position + 46 <= limit, try reader.u32(position, location) == centralHeaderSignature else {
            throw reader.error(location, "missing or cut off: the central directory is corrupt")
        }
        let nameLength = Int(try reader.u16(position + 28, location))
        let extraLength = Int(try reader.u16(position + 30, location))
        let commentLength = Int(try reader.u16(position + 32, location))
        let next = position + 46 + nameLength + extraLength + commentLength
        guard next <= limit else { throw reader.error(location, "runs past the end of the central directory") }
        let name = String(decoding: reader.bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
        var size = Int(try reader.u32(position + 24, location))
        var compressedSize = Int(try reader.u32(position + 20, location))
        var localHeaderOffset = Int(try reader.u32(position + 42, location))
        // ZIP64 extra field (id 1): 8-byte values for exactly the fields saturated at 0xFFFFFFFF, in this order.
        var extra = position + 46 + nameLength
        let extraEnd = extra + extraLength
        while extra + 4 <= extraEnd {
            let id = try reader.u16(extra, location), length = Int(try reader.u16(extra + 2, location))
            guard extra + 4 + length <= extraEnd else { throw reader.error(location, "extra field runs past its record") }
            if id == 1 {
                var field = extra + 4
                let fieldEnd = extra + 4 + length
                func wideValue() throws -> Int {
                    guard field + 8 <= fieldEnd else { throw reader.error(location, "ZIP64 extra field is too short") }
                    defer { field += 8 }
                    return try reader.offset(field, location)
                }
                if size == 0xFFFF_FFFF { size = try wideValue() }
                if compressedSize == 0xFFFF_FFFF { compressedSize = try wideValue() }
                if localHeaderOffset == 0xFFFF_FFFF { localHeaderOffset = try wideValue() }
            }
            extra += 4 + length
        }
        let entry = Entry(name: name, flags: try reader.u16(position + 8, location), method: try reader.u16(position + 10, location),
                          crc32: try reader.u32(position + 16, location), compressedSize: compressedSize, size: size,
                          localHeaderOffset: localHeaderOffset)
        return (entry, next)
    }
}
