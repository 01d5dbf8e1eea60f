import Foundation

/// Slurm's client commands (`sbatch`, `squeue`, `scontrol`), run as processes with their output
/// captured. A missing command or a refusal is an error that says which and why.
enum SlurmCommands {
    /// What a command printed and how it ended.
    struct Output {
        let status: Int32
        let output: String
        let error: String
    }

    /// The command's path on `PATH`; nil when Slurm's clients are not installed.
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Runs `name arguments` and waits for it.
    static func run(_ name: String, _ arguments: [String]) throws -> Output {
        guard let executable = find(name) else {
            throw StudyError("\(name) was not found on PATH: Slurm's client commands are not installed on this machine "
                             + "(submit from a login node of the cluster, or train here with 'freeze-study sweep' without --slurm)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        // Standard error goes to a file and standard output to a pipe read while it runs, so that
        // neither can fill up and block the command.
        let out = Pipe()
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("freeze-study-\(name)-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return Output(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      error: errorText.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Submits `script` with `extra` options; returns the job id (`sbatch --parsable`).
    static func submit(_ script: URL, _ extra: [String] = []) throws -> String {
        let result = try run("sbatch", ["--parsable"] + extra + [script.path])
        guard result.status == 0 else {
            throw StudyError("sbatch refused \(script.path) (exit status \(result.status)): "
                             + (result.error.isEmpty ? result.output : result.error))
        }
        // `--parsable` prints `id` or `id;cluster`.
        let id = result.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw StudyError("sbatch accepted \(script.path) but printed no job id ('\(result.output)')")
        }
        return id
    }

    /// The state of every queued or running job (and array task) of `jobs`, by Slurm's job id
    /// (`123_4` for task 4 of array 123); nil when `squeue` is missing or fails.
    static func queueStates(of jobs: [String]) -> [String: String]? {
        guard !jobs.isEmpty, find("squeue") != nil,
              let result = try? run("squeue", ["--noheader", "--array", "--jobs", jobs.joined(separator: ","), "--format", "%i %T"])
        else { return nil }
        // squeue refuses ids it no longer knows (finished and purged): none of them is queued.
        if result.status != 0 { return result.error.contains("Invalid job id") ? [:] : nil }
        var states: [String: String] = [:]
        for line in result.output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count == 2 { states[String(fields[0])] = String(fields[1]) }
        }
        return states
    }
}
