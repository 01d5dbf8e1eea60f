import Foundation
import HDF5

/// The HDF5 results file of one study (DESIGN.md "What is recorded"): the sweep records every
/// scenario's epochs into it and the report is generated from it alone.
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
            let root = file.root
            try root.setAttribute(Schema.Root.studyName, .string(study.name))
            try root.setAttribute(Schema.Root.configurationDigest, .string(study.configurationDigest))
            try root.setAttribute(Schema.Root.toolVersion, .string(study.toolVersion))
            try root.setAttribute(Schema.Root.created, .string(Timestamp.format(created)))
            try root.setAttribute(Schema.Root.schemaVersion, .int(Schema.version))
            try Self.writeMachine(study.machine, on: root)
            _ = try root.makeGroup(Schema.scenariosGroup)
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

    /// Scenario names in recorded order (the order they were first begun).
    public func scenarioNames() throws -> [String] {
        try access.reading { file in try Self.orderedScenarios(in: file).map(\.name) }
    }

    /// The status of scenario `name`, or nil when it is not in the file.
    public func scenarioStatus(_ name: String) throws -> ScenarioStatus? {
        try access.reading { file in
            let root = file.root
            guard root.contains("\(Schema.scenariosGroup)/\(name)") else { return nil }
            return try Self.status(of: root.group("\(Schema.scenariosGroup)/\(name)"))
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

    static func status(of group: HDF5Group) throws -> ScenarioStatus {
        // A group without a status was cut short while being begun: it never completed.
        guard let text = try group.optionalString(Schema.Scenario.status) else { return .running }
        guard let status = ScenarioStatus(rawValue: text) else {
            throw group.malformed(Schema.Scenario.status, "'\(text)' is not running or complete")
        }
        return status
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

    /// Throws unless `name` can be an HDF5 group name and a folder name of the report.
    static func validate(scenarioName name: String) throws {
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
