import Foundation

/// A real single-node Slurm cluster for one test: `munged`, `slurmctld` and `slurmd` from
/// Debian's `munge` and `slurm-wlm` packages, each run in the foreground as a child process of the
/// test, with a generated `slurm.conf` and a fresh munge key in a temporary folder, on ports free at
/// start. No cgroups (`proctrack/linuxproc`, `task/none`); needs root, as slurmd does. Client
/// commands find it through `environment` (`SLURM_CONF`).
///
/// Nothing waits without a bound: each daemon must answer within seconds, and after `timeLimit`
/// a watchdog cancels the jobs and stops the daemons, so a stuck test fails (`timedOut`) instead of
/// hanging. `stop()` (also on deinit) cancels what is still queued and stops the daemons by pid,
/// SIGTERM then SIGKILL.
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
    /// The daemons started, in order; stopped in reverse.
    private var daemons: [Process] = []
    private let lock = NSLock()
    private var stopped = false
    private var expired = false
    private let watchdog: DispatchSourceTimer

    /// The environment for Slurm's client commands: this process's, with `SLURM_CONF` set.
    public var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_CONF"] = configuration.path
        return environment
    }

    /// Whether the watchdog stopped the cluster because the test ran past its time limit.
    public var timedOut: Bool { lock.withLock { expired } }

    /// Starts the daemons and waits until each answers (munge credential, controller ping, idle
    /// node). After `timeLimit` seconds the cluster is stopped whatever the test is doing.
    public init(cpus: Int = 2, timeLimit: TimeInterval = 240) throws {
        // A short name: munged's socket path must fit in 108 bytes.
        folder = TemporaryFolder("slurm")
        configuration = folder.file("slurm.conf")
        nodeName = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        self.cpus = cpus
        watchdog = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        // Resumed before anything can throw: libdispatch traps on releasing a suspended source.
        watchdog.schedule(deadline: .now() + timeLimit)
        watchdog.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.withLock { self.expired = true }
            FileHandle.standardError.write(Data("SlurmCluster: the test ran past its \(Int(timeLimit)) s limit; stopping the cluster\n".utf8))
            self.stop()
        }
        watchdog.resume()

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

        do {
            let socket = folder.file("munge.sock")
            try start(munged, ["--foreground", "--force", "--key-file", key.path, "--socket", socket.path,
                               "--pid-file", folder.file("munged.pid").path, "--log-file", folder.file("log/munged.log").path,
                               "--seed-file", folder.file("munge.seed").path],
                      ready: "munge answers on \(socket.path)", within: 10) { [unowned self] in
                (try? self.run("munge", ["--no-input", "--socket", socket.path]).status) == 0
            }
            try start(slurmctld, ["-D", "-i", "-f", configuration.path], ready: "slurmctld answers scontrol ping", within: 20) { [unowned self] in
                (try? self.run("scontrol", ["ping"]))?.output.contains("is UP") == true
            }
            try start(slurmd, ["-D", "-f", configuration.path], ready: "the node is idle", within: 30) { [unowned self] in
                (try? self.run("sinfo", ["--noheader", "--format", "%T"]))?.output.trimmingCharacters(in: .whitespacesAndNewlines) == "idle"
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Cancels the cluster's jobs (waiting up to 10 s for them to end), then stops the daemons this
    /// cluster started, each by its pid: SIGTERM, then SIGKILL after 5 s. Safe to call twice.
    public func stop() {
        let daemons: [Process] = lock.withLock {
            if stopped { return [] }
            stopped = true
            return self.daemons
        }
        watchdog.cancel()
        guard !daemons.isEmpty else { return }
        if daemons.count == 3 && daemons.allSatisfy(\.isRunning) {
            // Jobs still queued would keep training after slurmd is gone.
            if (try? run("scancel", ["--user", NSUserName()]))?.status == 0 {
                let deadline = Date().addingTimeInterval(10)
                while Date() < deadline, let lines = try? queue([]), !lines.isEmpty { usleep(250_000) }
            }
        }
        for process in daemons.reversed() where process.isRunning {
            // The shell passes SIGTERM on and ends with the daemon; SIGKILL goes to both.
            let pid = process.processIdentifier
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning {
                for daemon in Self.children(of: pid) { kill(daemon, SIGKILL) }
                kill(pid, SIGKILL)
            }
            process.waitUntilExit()
        }
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
        try Self.withNoSignalBlocked { try process.run() }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }

    /// The queue's lines for `jobs` (every job when empty; `squeue --array`), "id state reason"
    /// each; empty once they all ended.
    public func queue(_ jobs: [String]) throws -> [String] {
        let selection = jobs.isEmpty ? [] : ["--jobs", jobs.joined(separator: ",")]
        let result = try run("squeue", ["--noheader", "--array", "--format", "%i %T %r"] + selection)
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

    /// Runs a daemon under `sh` and keeps it there until it ends: SIGTERM to the shell is passed
    /// on. Foundation's `Process` learns that a child ended when the child closes a socket it
    /// inherited, and then blocks its one reaping thread in `waitpid` for that child; slurmctld
    /// closes every inherited descriptor as it starts, so run directly it would stop every later
    /// `Process` of the test from being reaped (`scontrol ping` never returned). The shell keeps
    /// the socket open until the daemon has really ended.
    static let supervisor = """
        "$@" &
        daemon=$!
        trap 'kill -TERM "$daemon" 2>/dev/null' TERM INT
        wait "$daemon"; status=$?
        while kill -0 "$daemon" 2>/dev/null; do wait "$daemon"; status=$?; done
        exit "$status"
        """

    /// Starts a daemon in the foreground as a grandchild of this process (`supervisor`), its output
    /// in `log/<name>.out`, and polls `isReady` until it holds; an error with the daemon's output
    /// when the daemon exits or is not ready `within` seconds.
    private func start(_ executable: URL, _ arguments: [String], ready: String, within seconds: TimeInterval,
                       isReady: () -> Bool) throws {
        let name = executable.lastPathComponent
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", Self.supervisor, name, executable.path] + arguments
        process.environment = environment
        let log = folder.file("log/\(name).out")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try lock.withLock {
            guard !stopped else { throw SlurmClusterError("the cluster was stopped before \(name) started") }
            // A child inherits the starting thread's blocked signals, and a test runs on a pool
            // thread that blocks them all: the daemons (and through slurmd, the jobs' batch shells)
            // would never see SIGTERM or USR1. Start them with none blocked.
            try Self.withNoSignalBlocked { try process.run() }
            daemons.append(process)
        }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && process.isRunning && !timedOut {
            if isReady() { return }
            usleep(100_000)
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let logFile = (try? String(contentsOf: folder.file("log/\(name).log"), encoding: .utf8)) ?? ""
        let state = process.isRunning ? "running, not ready within \(Int(seconds)) s" : "exited with status \(process.terminationStatus)"
        throw SlurmClusterError("\(executable.path) \(arguments.joined(separator: " ")) did not start (\(ready): \(state)):\n\(output)\(logFile)")
    }

    /// Runs `body` (which starts a process) with this thread's signal mask empty, so that the child
    /// starts with none blocked (Slurm's clients time out by signals too).
    static func withNoSignalBlocked(_ body: () throws -> Void) rethrows {
        var none = sigset_t(), previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try body()
    }

    /// The processes whose parent is `pid` (from /proc/<pid>/task/<pid>/children).
    static func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
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
