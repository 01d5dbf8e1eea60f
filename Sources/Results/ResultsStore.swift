import Foundation
import HDF5

/// An HDF5 results file (DESIGN.md "What is recorded"; the layout is `Schema`'s): a run's part,
/// which its process records epoch by epoch, or a study's `results.h5`, merged from the parts,
/// from which the report is generated alone.
///
/// Every call opens the file, does its work, flushes, closes and `fsync`s it: between calls the
/// file is complete and readable by h5dump and h5py, and a killed run loses at most the epoch being
/// written. While another handle holds the file's lock (a reader in h5py, an h5dump), a call waits
/// up to `lockWait` seconds and then throws `ResultsStoreError.locked`. A file the store did not
/// create is never truncated or replaced.
///
/// Writing starts with `createOrOpen(study:)`, which creates the file or checks that the existing
/// one records the same study configuration (by digest). Reading needs no identity.
public final class ResultsStore {
    /// The results file.
    public let url: URL
    /// How long a call waits for another handle's lock, seconds.
    public let lockWait: TimeInterval
    /// The study checked by `createOrOpen(study:)`; writes are refused until it is set.
    public private(set) var identity: StudyIdentity?
    /// The clock for `created`, `started` and `finished` (tests pass a fixed one).
    let now: () -> Date
    let access: ResultsFileAccess

    /// A store for the file at `url` (nothing is opened until a call needs it).
    public init(url: URL, lockWait: TimeInterval = 10, now: @escaping () -> Date = Date.init) {
        self.url = url
        self.lockWait = lockWait
        self.now = now
        access = ResultsFileAccess(path: url.path, lockWait: lockWait)
    }

    /// Creates the file for `study` (and its folder), or opens the existing one after checking it
    /// is a results file of the same configuration digest. Returns the identity as recorded
    /// (its `created` date is the file's). Throws `differentStudy` naming both digests and study
    /// names when the digests differ, `notHDF5`/`notAResultsFile` for a file of anything else.
    @discardableResult
    public func createOrOpen(study: StudyIdentity) throws -> StudyIdentity {
        let created = now()
        let didCreate = try access.createIfAbsent { file in
            var root = study
            root.created = created
            try Self.writeRoot(root, on: file.root)
            _ = try file.root.makeGroup(Schema.scenariosGroup)
        }
        let recorded = try readIdentity()
        if !didCreate { try check(recorded, matches: study) }
        var opened = study
        opened.created = recorded.created
        identity = opened
        return recorded
    }

    /// The identity recorded on the root group.
    public func readIdentity() throws -> StudyIdentity {
        try access.reading { try Self.identity(of: $0) }
    }

    /// Scenario names in study order.
    public func scenarioNames() throws -> [String] {
        try access.reading { file in try Self.orderedScenarios(in: file).map(\.name) }
    }

    /// The status of run `key`, or nil when it is not in the file.
    public func runStatus(_ key: RunKey) throws -> RunStatus? {
        try access.reading { file in
            guard let group = try Self.runGroupIfPresent(key, in: file) else { return nil }
            return try Self.status(of: group)
        }
    }

    // MARK: - Shared by the other files of the store

    /// Runs a write after checking the file still belongs to the study of `createOrOpen`.
    func writing<T>(_ body: (HDF5File) throws -> T) throws -> T {
        guard let identity else { throw ResultsStoreError.notOpenedForWriting(file: url.path) }
        return try access.writing { file in
            try check(Self.identity(of: file), matches: identity)
            return try body(file)
        }
    }

    func check(_ recorded: StudyIdentity, matches study: StudyIdentity) throws {
        guard recorded.configurationDigest == study.configurationDigest else {
            throw ResultsStoreError.differentStudy(
                file: url.path, recordedName: recorded.name, recordedDigest: recorded.configurationDigest,
                requestedName: study.name, requestedDigest: study.configurationDigest)
        }
    }

    static func identity(of file: HDF5File) throws -> StudyIdentity {
        let root = file.root
        guard let digest = try root.optionalString(Schema.Root.configurationDigest) else {
            throw ResultsStoreError.notAResultsFile(file: file.path, reason: "no root attribute '\(Schema.Root.configurationDigest)'")
        }
        return StudyIdentity(
            name: try root.optionalString(Schema.Root.studyName) ?? "",
            configurationDigest: digest,
            toolVersion: try root.optionalString(Schema.Root.toolVersion) ?? "",
            machine: try machine(of: root) ?? MachineDescription(cores: 0, cpu: "", blas: ""),
            created: try root.optionalDate(Schema.Root.created))
    }

    /// The root attributes of `study` (its `created` date: now when nil).
    static func writeRoot(_ study: StudyIdentity, on root: HDF5Group) throws {
        try root.setAttribute(Schema.Root.studyName, .string(study.name))
        try root.setAttribute(Schema.Root.configurationDigest, .string(study.configurationDigest))
        try root.setAttribute(Schema.Root.toolVersion, .string(study.toolVersion))
        try root.setAttribute(Schema.Root.created, .string(Timestamp.format(study.created ?? Date())))
        try root.setAttribute(Schema.Root.schemaVersion, .int(Schema.version))
        try writeMachine(study.machine, on: root)
    }

    static func writeMachine(_ machine: MachineDescription, on object: HDF5Object) throws {
        try object.setAttribute(Schema.Machine.cores, .int(Int64(machine.cores)))
        try object.setAttribute(Schema.Machine.cpu, .string(machine.cpu))
        try object.setAttribute(Schema.Machine.blas, .string(machine.blas))
    }

    static func machine(of object: HDF5Object) throws -> MachineDescription? {
        guard let cores = try object.optionalInt(Schema.Machine.cores) else { return nil }
        return MachineDescription(cores: cores, cpu: try object.optionalString(Schema.Machine.cpu) ?? "",
                                  blas: try object.optionalString(Schema.Machine.blas) ?? "")
    }

    static func status(of group: HDF5Group) throws -> RunStatus {
        // A group without a status was cut short while being begun: it never completed.
        guard let text = try group.optionalString(Schema.Run.status) else { return .running }
        guard let status = RunStatus(rawValue: text) else {
            throw group.malformed(Schema.Run.status, "'\(text)' is not running or complete")
        }
        return status
    }

    /// The group of run `key`, or nil when the file does not hold it. A version 1 file holds one
    /// run per scenario in the scenario's own group, under the seed recorded on it.
    static func runGroupIfPresent(_ key: RunKey, in file: HDF5File) throws -> HDF5Group? {
        let root = file.root
        guard !key.scenario.isEmpty, !key.scenario.contains("/") else { return nil }
        if root.contains(Schema.runPath(key)) { return try root.group(Schema.runPath(key)) }
        let scenarioPath = "\(Schema.scenariosGroup)/\(key.scenario)"
        guard root.contains(scenarioPath), !root.contains("\(scenarioPath)/\(Schema.seedsGroup)") else { return nil }
        let scenario = try root.group(scenarioPath)
        return try scenario.optionalInt(Schema.Run.seed) == key.seed ? scenario : nil
    }

    /// The run groups of a scenario by seed (version 1: the scenario group itself).
    static func runGroups(of scenario: HDF5Group) throws -> [(seed: Int, group: HDF5Group)] {
        guard scenario.contains(Schema.seedsGroup) else {
            return [(try scenario.optionalInt(Schema.Run.seed) ?? 0, scenario)]
        }
        let seeds = try scenario.group(Schema.seedsGroup)
        return try seeds.memberNames().map { name in
            guard let seed = Int(name) else {
                throw ResultsStoreError.malformed(file: seeds.file.path, object: "\(seeds.path)/\(name)",
                                                  reason: "a run group is named by its seed, an integer")
            }
            return (seed, try seeds.group(name))
        }.sorted { $0.seed < $1.seed }
    }

    /// Scenario groups sorted by their `order` attribute (then name).
    static func orderedScenarios(in file: HDF5File) throws -> [(name: String, order: Int)] {
        let root = file.root
        guard root.contains(Schema.scenariosGroup) else { return [] }
        let scenarios = try root.group(Schema.scenariosGroup)
        return try scenarios.memberNames().map { name in
            (name, try scenarios.group(name).optionalInt(Schema.Scenario.order) ?? Int.max)
        }.sorted { ($0.order, $0.name) < ($1.order, $1.name) }
    }

    /// Throws unless `name` can be an HDF5 group name and a folder name of the report and the parts.
    public static func validate(scenarioName name: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.+=@,"))
        guard !name.isEmpty else { throw ResultsStoreError.invalidScenarioName(name: name, reason: "empty") }
        guard !name.hasPrefix(".") else {
            throw ResultsStoreError.invalidScenarioName(name: name, reason: "must not start with '.'")
        }
        guard name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw ResultsStoreError.invalidScenarioName(name: name, reason: "use letters, digits and - _ . + = @ , only")
        }
    }
}
