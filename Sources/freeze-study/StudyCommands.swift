import ArgumentParser
import Foundation
import Study
import YOLOv5

/// This process's command line, for the report and the results (`ShellCommand.recorded`).
func commandLine() -> String { ShellCommand.recorded(Array(CommandLine.arguments.dropFirst())) }

/// `--weights`: the special values, or a file relative to the working folder (made absolute
/// here, once, as typed; the study file's paths stay relative to the study file).
extension WeightsSource: ExpressibleByArgument {
    public init?(argument: String) {
        switch WeightsSource(argument) {
        case .file(let path): self = .file(URL(fileURLWithPath: path).standardizedFileURL.path)
        case let special: self = special
        }
    }
}

extension BatchNormPolicy: ExpressibleByArgument {}

/// `freeze-study sweep`: trains every run of a study that is not complete, then the report.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train the study's runs (scenarios × seeds) that are not complete, each as its own process, then merge and write the report.")

    @OptionGroup var options: StudyOptions
    @OptionGroup var jobOptions: JobOptions

    @Option(parsing: .upToNextOption, help: "Run only these scenarios.")
    var only: [String] = []

    @Flag(help: "Train complete runs again.")
    var force = false

    @OptionGroup(title: "Slurm") var slurm: SlurmFlags

    func validate() throws {
        if !slurm.slurm && slurm.isUsed { throw ValidationError("the Slurm options need --slurm") }
        if slurm.slurm && jobOptions.jobs != nil { throw ValidationError("--jobs is for a sweep on this machine; with --slurm, Slurm decides") }
        if slurm.slurm && jobOptions.mpiRanks != nil { throw ValidationError("--mpi is for a sweep on this machine; with --slurm, each array task is one process") }
    }

    func run() throws {
        var sweepOptions = options.sweepOptions()
        sweepOptions.only = only
        sweepOptions.force = force
        jobOptions.apply(to: &sweepOptions)
        let sweep = try Sweep(options: sweepOptions)
        if slurm.slurm {
            try sweep.submitToSlurm(slurm.options)
        } else {
            do {
                try sweep.run()
            } catch let stopped as SweepStopped {
                FileHandle.standardError.write(Data("\(stopped)\n".utf8))
                throw ExitCode(stopped.exitStatus)
            }
        }
    }
}

/// `freeze-study status`: each run's state from its part, and its Slurm task's from squeue.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each run of the study: complete, training, stopped or missing, with its Slurm task's state when it was submitted.")

    @OptionGroup var options: StudyOptions

    func run() throws {
        for line in try Sweep(options: options.sweepOptions()).statusLines() { print(line) }
    }
}

/// `freeze-study run`: one ad-hoc scenario, recorded like the study's own (one run per seed).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train one ad-hoc freeze scenario with the study's shared settings and seeds, and record it with the study's results.")

    @OptionGroup var options: StudyOptions
    @OptionGroup var jobOptions: JobOptions

    @Option(help: "Freeze spec: a count (10), a range (0-9), a list ([0,1,2]) or name patterns (model.2.cv1.).")
    var freeze: String

    @Option(help: "Scenario name (default: freeze-<spec>).")
    var name: String?

    @Option(help: "BatchNorm of frozen layers: update (YOLOv5), frozen (statistics fixed) or frozen-bn (statistics and affine fixed, folded into the convolution).")
    var bn: BatchNormPolicy?

    @OptionGroup var schedule: ScheduleOptions

    @Flag(help: "Train its complete runs again.")
    var force = false

    func run() throws {
        let spec = try FreezeSpec(parsing: freeze)
        let study = try StudyFile(contentsOf: options.studyFile.url)
        var settings = study.shared
        if let bn { settings.bn = bn }
        try schedule.apply(to: &settings)
        // "[0, 1, 2]" → freeze-0_1_2, "0-9" → freeze-0-9, "model.2.cv1." → freeze-model.2.cv1.
        let scenarioName = name ?? "freeze-" + spec.text.replacingOccurrences(of: ",", with: "_")
            .filter { $0.isLetter || $0.isNumber || "-._".contains($0) }
        var sweepOptions = options.sweepOptions()
        sweepOptions.extraScenarios = [ScenarioDefinition(name: scenarioName, freeze: spec, settings: settings, line: nil)]
        sweepOptions.only = [scenarioName]
        sweepOptions.force = force
        jobOptions.apply(to: &sweepOptions)
        try Sweep(options: sweepOptions).run()
    }
}

/// `freeze-study merge`: rebuilds the results file from the runs' parts, training nothing.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Assemble the study's results file from its runs' part files (parts that cannot be read are reported and left out).")

    @OptionGroup var options: StudyOptions

    func run() throws {
        let sweep = try Sweep(options: options.sweepOptions())
        let outcome = try sweep.merge()
        print("merged \(outcome.runs.count) run\(outcome.runs.count == 1 ? "" : "s") into \(sweep.resultsURL.path)"
              + (outcome.skipped.isEmpty ? "" : "; \(outcome.skipped.count) part\(outcome.skipped.count == 1 ? "" : "s") left out"))
    }
}

/// `freeze-study scenarios`: each scenario's freeze spec with trainable and frozen counts, training nothing.
struct ScenariosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "List the study's scenarios with their freeze specs and trainable/frozen parameter counts (trains nothing).")

    @OptionGroup var studyFile: StudyFileOption

    @Option(help: "Classes of the model (default: 20, VOC's).")
    var nc = 20

    func validate() throws {
        if nc < 1 { throw ValidationError("--nc must be at least 1") }
    }

    func run() throws {
        let file = try StudyFile(contentsOf: studyFile.url)
        print("study \(file.name) (\(studyFile.study)): \(file.scenarios.count) scenarios × seeds \(file.seeds.map(String.init).joined(separator: ", ")), nc \(nc)")
        print("name".padding(toLength: 18, withPad: " ", startingAt: 0) + "freeze".padding(toLength: 14, withPad: " ", startingAt: 0)
              + "bn       trainable (tensors)    frozen (tensors)   model")
        var models: [String: YOLOv5Model] = [:]
        for scenario in file.scenarios {
            let path = file.resolve(scenario.settings.model).path
            let model = try models[path] ?? YOLOv5Model(spec: ModelSpec(contentsOf: URL(fileURLWithPath: path)), classCount: nc)
            models[path] = model
            let s = try model.applyFreeze(scenario.freeze, batchNorm: scenario.settings.bn)
            print(scenario.name.padding(toLength: 18, withPad: " ", startingAt: 0)
                  + scenario.freeze.text.padding(toLength: 14, withPad: " ", startingAt: 0)
                  + scenario.settings.bn.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                  + String(format: "%10d (%3d)   %10d (%3d)   ", s.trainableParameters, s.trainableTensors, s.frozenParameters, s.frozenTensors)
                  + scenario.settings.model)
        }
    }
}
