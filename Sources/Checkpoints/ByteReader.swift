import Foundation

/// Bounds-checked little-endian reads from a file's bytes; a read past the end throws an error
/// of `kind` naming the file and the structure being read, instead of trapping.
struct ByteReader {
    /// The file's bytes, indexed from 0.
    let bytes: Data
    let path: String
    let kind: CheckpointError.Kind

    func error(_ location: String, _ reason: String) -> CheckpointError {
        CheckpointError(kind, file: path, location: location, reason: reason)
    }

    func u16(_ offset: Int, _ location: String) throws -> UInt16 { try load(offset, location) }
    func u32(_ offset: Int, _ location: String) throws -> UInt32 { try load(offset, location) }
    func u64(_ offset: Int, _ location: String) throws -> UInt64 { try load(offset, location) }

    /// An unsigned 64-bit size or offset that must also fit in `Int`.
    func offset(_ offset: Int, _ location: String) throws -> Int {
        let value = try u64(offset, location)
        guard value <= UInt64(Int.max) else { throw error(location, "value \(value) at offset \(offset) is too large") }
        return Int(value)
    }

    private func load<T: FixedWidthInteger>(_ offset: Int, _ location: String) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= bytes.count - size else {
            throw error(location, "needs bytes \(offset)..<\(offset + size) but the file has \(bytes.count) bytes: it is truncated")
        }
        return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}
