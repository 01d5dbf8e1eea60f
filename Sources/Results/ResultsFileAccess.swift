import Foundation
import HDF5
#if canImport(Glibc)
import Glibc
#endif

/// Opens the results file for one operation and closes it afterwards, so the file on disk is
/// complete and readable (h5dump, h5py) between operations and a killed run loses at most the
/// operation in progress. Waits while another handle holds the file's lock and explains every
/// failure by file and reason.
struct ResultsFileAccess {
    /// The results file.
    let path: String
    /// How long to wait for a lock held by another handle, seconds.
    let lockWait: TimeInterval

    /// Runs `body` on the file opened read-only.
    func reading<T>(_ body: (HDF5File) throws -> T) throws -> T {
        let file = try open(.readOnly)
        return try body(file)
    }

    /// Runs `body` on the file opened for writing, flushes, closes and `fsync`s it.
    func writing<T>(_ body: (HDF5File) throws -> T) throws -> T {
        let result: T
        do {
            let file = try open(.readWrite)
            result = try body(file)
            try file.flush()
        }  // the last reference to `file` is gone here: H5Fclose has run
        HDF5File.synchronize(path: path)
        return result
    }

    /// Opens the existing file, waiting up to `lockWait` while another handle holds its lock.
    func open(_ mode: HDF5File.Mode) throws -> HDF5File {
        guard FileManager.default.fileExists(atPath: path) else { throw ResultsStoreError.noFile(file: path) }
        guard HDF5File.hasSignature(path: path) else { throw ResultsStoreError.notHDF5(file: path) }
        let start = Date()
        var retriedUnlocked = false
        while true {
            do {
                return try HDF5File(path: path, mode: mode)
            } catch let error as HDF5Error {
                let waited = Date().timeIntervalSince(start)
                if HDF5File.isLocked(path: path, forWriting: mode != .readOnly) {
                    guard waited < lockWait else { throw ResultsStoreError.locked(file: path, waitedSeconds: waited) }
                    Thread.sleep(forTimeInterval: min(0.1, max(0.01, lockWait / 20)))
                } else if !retriedUnlocked {
                    retriedUnlocked = true  // the other handle may have closed between our attempt and the probe
                } else if mode != .readOnly, access(path, W_OK) != 0 {
                    throw ResultsStoreError.unreadable(file: path, reason: "no permission to write: \(String(cString: strerror(errno)))")
                } else {
                    throw ResultsStoreError.unreadable(file: path, reason: error.operation)
                }
            }
        }
    }

    /// Creates the file with its root written by `body`, without ever replacing an existing file:
    /// the file is built under a temporary name beside the target and linked into place only if
    /// no file appeared there meanwhile. Returns false (and creates nothing) when the target exists.
    func createIfAbsent(_ body: (HDF5File) throws -> Void) throws -> Bool {
        let target = URL(fileURLWithPath: path)
        let folder = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ResultsStoreError.cannotCreate(file: path, reason: "folder \(folder.path) cannot be created: \(Self.reason(error))")
        }
        if FileManager.default.fileExists(atPath: path) { return false }
        let temporary = folder.appendingPathComponent(".\(target.lastPathComponent).creating-\(getpid())").path
        defer { unlink(temporary) }
        do {
            let file = try HDF5File(path: temporary, mode: .truncate)
            try body(file)
            try file.flush()
        } catch let error as HDF5Error {
            let why = access(folder.path, W_OK) != 0 ? "folder \(folder.path) is not writable" : error.description
            throw ResultsStoreError.cannotCreate(file: path, reason: why)
        }
        HDF5File.synchronize(path: temporary)
        if link(temporary, path) == 0 { return true }
        let linkError = errno
        if linkError == EEXIST { return false }
        // File systems without hard links: rename, which is atomic but would replace, so check first.
        guard !FileManager.default.fileExists(atPath: path) else { return false }
        guard rename(temporary, path) == 0 else {
            throw ResultsStoreError.cannotCreate(file: path, reason: String(cString: strerror(linkError)))
        }
        return true
    }

    /// The most useful sentence of a Foundation error.
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return nsError.localizedDescription
    }
}
