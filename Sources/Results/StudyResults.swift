import Foundation

/// Everything recorded for one run (scenario × seed), as read back from a results file.
public struct RunResults: Equatable, Sendable {
    /// The seed (the run's group name under `seeds/`).
    public var seed: Int
    /// Running (or killed) or complete.
    public var status: RunStatus
    /// How it was started.
    public var info: RunInfo
    /// When it was first begun, and when `finishRun` was called.
    public var started: Date?, finished: Date?
    /// The machine and tool version that began it.
    public var machine: MachineDescription?
    public var toolVersion: String
    /// Set by `finishRun`; nil while running.
    public var completion: RunCompletion?
    /// One record per epoch, in order (index = 0-based epoch).
    public var epochs: [EpochRecord]
    /// The iterations of each epoch: `iterations[e]` belongs to `epochs[e]`.
    public var iterations: [[IterationRecord]]
    /// Per-class AP, once the trainer has set it.
    public var perClass: PerClassAP?
    /// Proof that frozen tensors stayed fixed (`frozen_check`), when the run recorded it.
    public var frozenCheck: FrozenTensorRecord?

    /// A run's results.
    public init(seed: Int, status: RunStatus, info: RunInfo = RunInfo(), started: Date? = nil, finished: Date? = nil,
                machine: MachineDescription? = nil, toolVersion: String = "", completion: RunCompletion? = nil,
                epochs: [EpochRecord] = [], iterations: [[IterationRecord]] = [], perClass: PerClassAP? = nil) {
        self.seed = seed
        self.status = status
        self.info = info
        self.started = started
        self.finished = finished
        self.machine = machine
        self.toolVersion = toolVersion
        self.completion = completion
        self.epochs = epochs
        self.iterations = iterations
        self.perClass = perClass
    }
}

/// One scenario as read back from a results file: what it is and its runs, by seed.
public struct ScenarioResults: Equatable, Sendable {
    /// The scenario's name (its group under `/scenarios`).
    public var name: String
    /// Position in the study (the study file's order; ad-hoc scenarios after it).
    public var order: Int
    /// What the scenario is.
    public var info: ScenarioInfo
    /// Its runs, by increasing seed.
    public var runs: [RunResults]

    /// A scenario's results.
    public init(name: String, order: Int, info: ScenarioInfo, runs: [RunResults]) {
        self.name = name
        self.order = order
        self.info = info
        self.runs = runs
    }

    /// The run of `seed`, if recorded.
    public func run(seed: Int) -> RunResults? { runs.first { $0.seed == seed } }
}

/// A whole study as read back from its results file: the identity on the root group and every
/// scenario in study order.
public struct StudyResults: Equatable, Sendable {
    /// Name, digest, tool version, machine and creation date of the file.
    public var identity: StudyIdentity
    /// Scenarios in study order.
    public var scenarios: [ScenarioResults]
    /// The results file these were read from, as given to the store (nil when built in memory).
    public var source: String?

    /// A study's results.
    public init(identity: StudyIdentity, scenarios: [ScenarioResults], source: String? = nil) {
        self.identity = identity
        self.scenarios = scenarios
        self.source = source
    }

    /// The scenario called `name`, if recorded.
    public func scenario(_ name: String) -> ScenarioResults? { scenarios.first { $0.name == name } }

    /// Every recorded run.
    public var runKeys: [RunKey] { scenarios.flatMap { s in s.runs.map { RunKey(scenario: s.name, seed: $0.seed) } } }
}
