import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock (`flock`) on a lock file, held from `acquire` until `release()`,
/// the value's end or the process's end. The kernel drops a `flock` when its holder dies, so a
/// killed holder (`kill -9` included) never leaves a stale lock. The holder writes who it is
/// (pid, host, since when, what for) into the file, so a refused process can name it.
///
/// The lock file itself is never removed: removing it would let a second process lock a new
/// file of the same name while the first still holds the old one.
public final class FileLock {
    /// Who holds a lock, as written into its lock file.
    public struct Holder: Equatable, Sendable, CustomStringConvertible {
        /// The holder's process id, on `host`.
        public var pid: Int32
        /// The holder's host name.
        public var host: String
        /// When it took the lock.
        public var since: Date?
        /// What the holder is doing (its command line).
        public var purpose: String

        /// `pid 4711 on node-3 since 2025-03-01T14:05:09Z (freeze-study sweep …)`.
        public var description: String {
            "pid \(pid) on \(host) since \(since.map(Timestamp.format) ?? "an unknown time")" + (purpose.isEmpty ? "" : " (\(purpose))")
        }

        /// The lock file's text.
        var text: String {
            "pid=\(pid)\nhost=\(host)\nsince=\(since.map(Timestamp.format) ?? "")\npurpose=\(purpose)\n"
        }

        /// Parses a lock file's text; nil when it names no pid (empty, or not written yet).
        init?(text: String) {
            var fields: [String: String] = [:]
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            guard let pid = fields["pid"].flatMap(Int32.init) else { return nil }
            self.init(pid: pid, host: fields["host"] ?? "an unknown host", since: fields["since"].flatMap(Timestamp.parse),
                      purpose: fields["purpose"] ?? "")
        }

        init(pid: Int32, host: String, since: Date?, purpose: String) {
            self.pid = pid
            self.host = host
            self.since = since
            self.purpose = purpose
        }
    }

    /// The lock file.
    public let url: URL
    private var descriptor: Int32

    private init(url: URL, descriptor: Int32) {
        self.url = url
        self.descriptor = descriptor
    }

    deinit { release() }

    /// Takes the lock on `url` (creating the file and its folder) or throws `FileLockError.held`
    /// naming the holder at once, without waiting. `purpose` is written for others to read.
    public static func acquire(_ url: URL, purpose: String) throws -> FileLock {
        let descriptor = try open(url)
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let failure = errno
            defer { close(descriptor) }
            guard failure == EWOULDBLOCK else { throw FileLockError.cannotLock(file: url.path, reason: String(cString: strerror(failure))) }
            throw FileLockError.held(file: url.path, holder: holder(of: url))
        }
        return try locked(url, descriptor, purpose: purpose)
    }

    /// Takes the lock on `url`, waiting as long as another process holds it; `waiting` is told
    /// who that is once, before the wait.
    public static func acquireWaiting(_ url: URL, purpose: String, waiting: (Holder?) -> Void) throws -> FileLock {
        let descriptor = try open(url)
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            waiting(holder(of: url))
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let reason = String(cString: strerror(errno))
                    close(descriptor)
                    throw FileLockError.cannotLock(file: url.path, reason: reason)
                }
            }
        }
        return try locked(url, descriptor, purpose: purpose)
    }

    /// Who holds the lock on `url` now, or nil when nobody does (or the holder has not written
    /// its name yet).
    public static func currentHolder(of url: URL) -> Holder? {
        let descriptor = Glibc.open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return holder(of: url)
    }

    /// Gives the lock up (the file stays).
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    // MARK: - Helpers

    private static func open(_ url: URL) throws -> Int32 {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw FileLockError.cannotLock(file: url.path, reason: ResultsFileAccess.reason(error))
        }
        // Close-on-exec: processes this one starts must not inherit (and so keep) its lock.
        let descriptor = Glibc.open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileLockError.cannotLock(file: url.path, reason: String(cString: strerror(errno))) }
        return descriptor
    }

    private static func locked(_ url: URL, _ descriptor: Int32, purpose: String) throws -> FileLock {
        let lock = FileLock(url: url, descriptor: descriptor)
        let me = Holder(pid: getpid(), host: hostName(), since: Date(), purpose: purpose)
        let bytes = Array(me.text.utf8)
        guard ftruncate(descriptor, 0) == 0, pwrite(descriptor, bytes, bytes.count, 0) == bytes.count else {
            throw FileLockError.cannotLock(file: url.path, reason: "cannot write the holder: \(String(cString: strerror(errno)))")
        }
        return lock
    }

    /// The holder named in the file. A holder that has just locked may not have written yet: a
    /// file without a name, or naming a process of this host that no longer exists (an earlier
    /// holder's), is read again for up to half a second.
    private static func holder(of url: URL) -> Holder? {
        for _ in 0..<10 {
            if let text = try? String(contentsOf: url, encoding: .utf8), let holder = Holder(text: text),
               !(holder.host == hostName() && kill(holder.pid, 0) != 0 && errno == ESRCH) {
                return holder
            }
            usleep(50_000)
        }
        return nil
    }

    /// This machine's host name (`gethostname`), as a holder writes it.
    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "an unknown host" }
        return String(cString: buffer)
    }
}

/// Why a lock could not be taken; names the lock file.
public enum FileLockError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// Another process holds it (nil: it has not written its name).
    case held(file: String, holder: FileLock.Holder?)
    /// The lock file cannot be created, opened or locked.
    case cannotLock(file: String, reason: String)

    public var description: String {
        switch self {
        case .held(let file, let holder):
            return "\(file): locked by \(holder?.description ?? "another process (it has not said which)")"
        case .cannotLock(let file, let reason):
            return "\(file): cannot lock (\(reason))"
        }
    }

    public var errorDescription: String? { description }
}
