/// One run of a study: a scenario trained with one seed.
public struct RunKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The scenario's name (its group under `/scenarios`).
    public var scenario: String
    /// The seed of every random generator of the run (data order, augmentation, initialisation).
    public var seed: Int

    /// A run.
    public init(scenario: String, seed: Int) {
        self.scenario = scenario
        self.seed = seed
    }

    /// `none seed 0`.
    public var description: String { "\(scenario) seed \(seed)" }

    /// By scenario name, then seed.
    public static func < (a: RunKey, b: RunKey) -> Bool { (a.scenario, a.seed) < (b.scenario, b.seed) }
}
