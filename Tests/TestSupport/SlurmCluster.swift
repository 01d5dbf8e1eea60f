import Foundation

/// A real single-node Slurm cluster for one test: `munged`, `slurmctld` and `slurmd` from
/// Debian's `munge` and `slurm-wlm` packages, started with a generated `slurm.conf` and a fresh
/// munge key in a temporary folder, on ports free at start, and stopped by `stop()` (or when the
/// value goes away). No cgroups (`proctrack/linuxproc`, `task/none`); needs root, as slurmd does.
/// Client commands find it through `environment` (`SLURM_CONF`).
///
/// Missing binaries are an error, never a skip: the tests that need Slurm fail without it.
public final class SlurmCluster {
    /// Everything of the cluster: configuration, key, socket, state, spool and logs.
    public let folder: TemporaryFolder
    /// The generated `slurm.conf`.
    public let configuration: URL
    /// The node's name (this machine's short host name) and its CPUs.
    public let nodeName: String
    public let cpus: Int
    private var pidFiles: [URL] = []

    /// The environment for Slurm's client commands: this process's, with `SLURM_CONF` set.
    public var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_CONF"] = configuration.path
        return environment
    }

    /// Starts the daemons and waits (up to 30 s) until the node is idle.
    public init(cpus: Int = 2, label: String = #function) throws {
        // A short name: munged's socket path must fit in 108 bytes.
        folder = TemporaryFolder("slurm")
        configuration = folder.file("slurm.conf")
        nodeName = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        self.cpus = cpus
        let munged = try Self.daemon("munged"), slurmctld = try Self.daemon("slurmctld"), slurmd = try Self.daemon("slurmd")
        for name in ["state", "spool", "log"] {
            try FileManager.default.createDirectory(at: folder.file(name), withIntermediateDirectories: true)
        }
        let key = folder.file("munge.key")
        var bytes = [UInt8](repeating: 0, count: 1024)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        try Data(bytes).write(to: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: key.path)
        let (controllerPort, nodePort) = (try Self.freePort(), try Self.freePort())
        try configurationText(controllerPort: controllerPort, nodePort: nodePort).write(to: configuration, atomically: true, encoding: .utf8)

        try start(munged, ["--key-file", key.path, "--socket", folder.file("munge.sock").path, "--pid-file", folder.file("munged.pid").path,
                           "--log-file", folder.file("log/munged.log").path, "--seed-file", folder.file("munge.seed").path, "--force"],
                  pidFile: folder.file("munged.pid"))
        try start(slurmctld, ["-f", configuration.path, "-i"], pidFile: folder.file("slurmctld.pid"))
        try start(slurmd, ["-f", configuration.path], pidFile: folder.file("slurmd.pid"))
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let state = try? run("sinfo", ["--noheader", "--format", "%T"]), state.status == 0,
               state.output.trimmingCharacters(in: .whitespacesAndNewlines) == "idle" { return }
            usleep(250_000)
        }
        let logs = ["slurmctld", "slurmd"].map { (try? String(contentsOf: folder.file("log/\($0).log"), encoding: .utf8)) ?? "" }
        stop()
        throw SlurmClusterError("the single-node Slurm did not become idle within 30 s; logs:\n" + logs.joined(separator: "\n"))
    }

    deinit { stop() }

    /// Stops the daemons this cluster started (SIGTERM, then SIGKILL after 5 s), each by its pid.
    public func stop() {
        for pidFile in pidFiles.reversed() {
            guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
                  let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else { continue }
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while kill(pid, 0) == 0 && Date() < deadline { usleep(50_000) }
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        pidFiles = []
    }

    /// Runs a Slurm client command (`sbatch`, `squeue`, `scontrol`, `scancel`) against this cluster.
    public func run(_ command: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = try Self.executable(command)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        let errorFile = folder.file("client-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }

    /// The queue's lines for `jobs` (`squeue --array`), "id state reason" each; empty once they all ended.
    public func queue(_ jobs: [String]) throws -> [String] {
        let result = try run("squeue", ["--noheader", "--array", "--jobs", jobs.joined(separator: ","), "--format", "%i %T %r"])
        if result.status != 0 && result.error.contains("Invalid job id") { return [] }
        guard result.status == 0 else { throw SlurmClusterError("squeue failed: \(result.error)") }
        return result.output.split(whereSeparator: \.isNewline).map(String.init)
    }

    /// Waits up to `seconds` until none of `jobs` is queued or running; false on timeout.
    public func waitUntilEnded(_ jobs: [String], seconds: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try queue(jobs).isEmpty { return true }
            usleep(250_000)
        }
        return try queue(jobs).isEmpty
    }

    // MARK: - Setting up

    private func configurationText(controllerPort: Int, nodePort: Int) -> String {
        let path = folder.url.path
        // cred_expire: a requeued job waits cred_expire + 1 s before it may start again (120 s by default).
        return """
            ClusterName=freezestudytest
            SlurmctldHost=\(nodeName)
            AuthType=auth/munge
            CredType=cred/munge
            AuthInfo=socket=\(path)/munge.sock,cred_expire=5
            SlurmUser=root
            SlurmdUser=root
            SlurmctldPort=\(controllerPort)
            SlurmdPort=\(nodePort)
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            MpiDefault=none
            ReturnToService=2
            KillWait=30
            StateSaveLocation=\(path)/state
            SlurmdSpoolDir=\(path)/spool
            SlurmctldPidFile=\(path)/slurmctld.pid
            SlurmdPidFile=\(path)/slurmd.pid
            SlurmctldLogFile=\(path)/log/slurmctld.log
            SlurmdLogFile=\(path)/log/slurmd.log
            NodeName=\(nodeName) CPUs=\(cpus) State=UNKNOWN
            PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP

            """
    }

    /// Starts a daemon that detaches itself and writes `pidFile`; waits for the file.
    private func start(_ executable: URL, _ arguments: [String], pidFile: URL) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let log = folder.file("log/\(executable.lastPathComponent).start")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        pidFiles.append(pidFile)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let text = try? String(contentsOf: pidFile, encoding: .utf8), pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) != nil { return }
            usleep(50_000)
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        stop()
        throw SlurmClusterError("\(executable.path) did not start (exit status \(process.terminationStatus)): \(output)")
    }

    /// A daemon's path; an error naming the package when it is not installed.
    static func daemon(_ name: String) throws -> URL { try executable(name) }

    static func executable(_ name: String) throws -> URL {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw SlurmClusterError("\(name) is not installed: the Slurm tests need Debian's slurm-wlm and munge packages "
                                + "(apt-get install slurm-wlm munge)")
    }

    /// A TCP port nobody listens on now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SlurmClusterError("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = 0  // any address
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw SlurmClusterError("could not find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why the test cluster could not be used.
public struct SlurmClusterError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
