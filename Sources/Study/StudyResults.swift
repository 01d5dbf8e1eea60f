import Foundation

/// Everything recorded for one scenario, as read back from the results file.
public struct ScenarioResults: Equatable, Sendable {
    /// The scenario's name (its group under `/scenarios`).
    public var name: String
    /// Position in the study: scenarios are reported in the order they were first begun.
    public var order: Int
    /// What the scenario is.
    public var info: ScenarioInfo
    /// Running (or killed) or complete.
    public var status: ScenarioStatus
    /// When `beginScenario` first created it, and when `finishScenario` was called.
    public var started: Date?, finished: Date?
    /// The machine and tool version that began it.
    public var machine: MachineDescription?
    public var toolVersion: String
    /// Set by `finishScenario`; nil while running.
    public var completion: ScenarioCompletion?
    /// One record per epoch, in order (index = 0-based epoch).
    public var epochs: [EpochRecord]
    /// The iterations of each epoch: `iterations[e]` belongs to `epochs[e]`.
    public var iterations: [[IterationRecord]]
    /// Per-class AP, once the trainer has set it.
    public var perClass: PerClassAP?

    /// A scenario's results.
    public init(name: String, order: Int, info: ScenarioInfo, status: ScenarioStatus,
                started: Date? = nil, finished: Date? = nil, machine: MachineDescription? = nil, toolVersion: String = "",
                completion: ScenarioCompletion? = nil, epochs: [EpochRecord] = [], iterations: [[IterationRecord]] = [],
                perClass: PerClassAP? = nil) {
        self.name = name
        self.order = order
        self.info = info
        self.status = status
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

/// A whole study as read back from its results file: the identity on the root group and every
/// scenario in recorded order.
public struct StudyResults: Equatable, Sendable {
    /// Name, digest, tool version, machine and creation date of the file.
    public var identity: StudyIdentity
    /// Scenarios in recorded order.
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
}
