import Foundation

/// What makes a results file belong to one study: written on the root group when the file is
/// created, and compared (by `configurationDigest`) every time a sweep opens it.
public struct StudyIdentity: Equatable, Sendable {
    /// The study's name (e.g. `freeze-study`); also the default report folder `reports/<name>`.
    public var name: String
    /// A digest the sweep computes over what makes scenarios comparable (model, data, hyp, image
    /// size, batch, epochs, weights). It covers neither the list of scenarios nor the seeds, so
    /// that adding a scenario or a seed to the study keeps the existing results.
    public var configurationDigest: String
    /// `freeze-study` version that wrote the file (or this session of it).
    public var toolVersion: String
    /// The machine the study runs on.
    public var machine: MachineDescription
    /// When the file was created (set by the store on creation; ignored when opening).
    public var created: Date?

    /// An identity; `created` is filled in by the store.
    public init(name: String, configurationDigest: String, toolVersion: String, machine: MachineDescription, created: Date? = nil) {
        self.name = name
        self.configurationDigest = configurationDigest
        self.toolVersion = toolVersion
        self.machine = machine
        self.created = created
    }
}

/// The machine a scenario ran on: training speed is only comparable on one machine.
public struct MachineDescription: Equatable, Sendable {
    /// Logical cores the process may use.
    public var cores: Int
    /// CPU model, e.g. `AMD EPYC 7B13` (`model name` in /proc/cpuinfo).
    public var cpu: String
    /// BLAS library and core, as the caller names it (e.g. `OpenBLAS 0.3.21 Zen`).
    public var blas: String

    /// A machine description.
    public init(cores: Int, cpu: String, blas: String) {
        self.cores = cores
        self.cpu = cpu
        self.blas = blas
    }

    /// This machine: active processor count and the first `model name` of /proc/cpuinfo
    /// ("unknown CPU" where that file does not exist); `blas` is passed in by the caller, who
    /// knows which library NeuralCore linked.
    public static func current(blas: String) -> MachineDescription {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return MachineDescription(cores: ProcessInfo.processInfo.activeProcessorCount,
                                  cpu: cpuModel(fromCPUInfo: cpuinfo) ?? "unknown CPU", blas: blas)
    }

    /// The value of the first `model name` line of /proc/cpuinfo text (x86), or of `Model name`,
    /// `Hardware`, `uarch` or `cpu model` on other architectures.
    static func cpuModel(fromCPUInfo text: String) -> String? {
        let keys = ["model name", "Model name", "Hardware", "uarch", "cpu model"]
        for key in keys {
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == key else { continue }
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                if !value.isEmpty { return value }
            }
        }
        return nil
    }

    /// One line for reports: `2 cores, AMD EPYC, OpenBLAS`.
    public var summary: String { "\(cores) cores, \(cpu), \(blas)" }
}
