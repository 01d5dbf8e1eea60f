import Foundation

/// Open MPI's `mpirun` for the tests of data-parallel training, which run the real thing: a
/// machine without it fails those tests (it does not skip them).
public enum MPIRun {
    /// `mpirun` from PATH, or an error saying it is missing.
    public static func executable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let url = URL(fileURLWithPath: String(folder)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw MPIRunMissing(path: path)
    }

    /// `mpirun`'s arguments to start `command` on `ranks` ranks on this machine (root in a
    /// container, more ranks than cores).
    public static func arguments(ranks: Int, _ command: [String]) -> [String] {
        ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks)] + command
    }

    /// Runs `mpirun -np ranks command…` to its end; returns the status and the output of both streams.
    public static func run(ranks: Int, _ command: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments(ranks: ranks, command)
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mpirun-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? handle.close()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// Every process descended from `pid` (an `mpirun` and its ranks), from /proc.
    public static func descendants(of pid: Int32) -> [Int32] {
        var parents: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[child] = parent }
        }
        var found: [Int32] = [], frontier = [pid]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key)
            found += children
            frontier += children
        }
        return found
    }
}

/// The tests of data-parallel training need Open MPI's `mpirun`.
public struct MPIRunMissing: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "mpirun is not on PATH (\(path)): install Open MPI (Debian: openmpi-bin libopenmpi-dev)" }
}
