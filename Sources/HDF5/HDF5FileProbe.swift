import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Questions about a file on disk that explain why `HDF5File(path:mode:)` failed: is it an HDF5
/// file at all, and does another open handle hold its lock?
extension HDF5File {
    /// The 8-byte HDF5 format signature `\x89HDF\r\n\x1a\n`.
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Whether `path` starts with the HDF5 signature, at offset 0 or, after a user block, at
    /// 512, 1024, 2048, … (the HDF5 file format specification, "Format Signature").
    public static func hasSignature(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return false }
        var offset: UInt64 = 0
        while offset + UInt64(signature.count) <= size {
            guard (try? handle.seek(toOffset: offset)) != nil,
                  let bytes = try? handle.read(upToCount: signature.count) else { return false }
            if Array(bytes) == signature { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
        return false
    }

    /// Whether another open handle (in this process or another) holds a lock on `path` that
    /// conflicts with opening it for writing (any lock) or reading (an exclusive lock). HDF5 ≥ 1.10
    /// takes these `flock` locks for as long as a file is open, unless `HDF5_USE_FILE_LOCKING=FALSE`.
    public static func isLocked(path: String, forWriting: Bool) -> Bool {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, (forWriting ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// Asks the operating system to write the file's buffered pages to the disk (`fsync`), so a
    /// closed file survives a power loss as well as a killed process.
    public static func synchronize(path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
