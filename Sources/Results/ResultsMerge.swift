import Foundation
import HDF5
#if canImport(Glibc)
import Glibc
#endif

/// What a merge did: the runs it assembled and the parts it left out, each with the reason.
public struct MergeOutcome: Equatable, Sendable {
    /// Runs now in the results file, by scenario then seed.
    public var runs: [RunKey]
    /// Parts left out (unreadable, half-written, of another configuration, …) and why.
    public var skipped: [Skipped]

    /// A part that was not merged.
    public struct Skipped: Equatable, Sendable, CustomStringConvertible {
        /// The part file.
        public var part: String
        /// Why it was left out.
        public var reason: String
        public var description: String { "\(part): \(reason); left out of the results" }
    }
}

/// Assembles a study's `results.h5` from its run parts (`StudyFolder`): the file readers see is
/// the union of the parts, in the schema of `Schema`. The new file is built beside the old one
/// and renamed over it, so a reader sees the old file or the new one, never half of one. Runs
/// are copied by HDF5 itself (`H5Ocopy`). A part that cannot be read (killed while being created,
/// truncated, damaged), holds something else than its name says, or records another
/// configuration, is reported and left out; it never corrupts the results.
///
/// The caller holds the study's lock (`StudyFolder.lock`), so that two merges never race.
public enum ResultsMerge {
    /// Merges every part under `folder` into `folder.results`. `identity` is the study's: a part
    /// of another configuration digest is left out, and an existing results file of another
    /// digest, or of schema version 1 (which holds runs no part has), is refused, unchanged.
    @discardableResult
    public static func merge(_ folder: StudyFolder, identity: StudyIdentity, lockWait: TimeInterval = 10) throws -> MergeOutcome {
        let target = folder.results.path
        let created = try checkExisting(folder.results, identity: identity, lockWait: lockWait) ?? identity.created ?? Date()
        var outcome = MergeOutcome(runs: [], skipped: [])
        let parts = readParts(folder, identity: identity, lockWait: lockWait, outcome: &outcome)

        try FileManager.default.createDirectory(at: folder.results.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = folder.results.deletingLastPathComponent().appendingPathComponent(".\(folder.results.lastPathComponent).merging-\(getpid())").path
        defer { unlink(temporary) }
        do {
            let file = try HDF5File(path: temporary, mode: .truncate)
            var root = identity
            root.created = created
            try ResultsStore.writeRoot(root, on: file.root)
            let scenarios = try file.root.makeGroup(Schema.scenariosGroup)
            for part in parts {
                do {
                    try copy(part, into: scenarios, lockWait: lockWait)
                    outcome.runs.append(part.key)
                } catch {
                    outcome.skipped.append(.init(part: part.url.path, reason: "cannot be copied (\(error))"))
                }
            }
            try file.flush()
        } catch let error as HDF5Error {
            throw ResultsStoreError.cannotCreate(file: target, reason: error.description)
        }
        HDF5File.synchronize(path: temporary)
        guard rename(temporary, target) == 0 else {
            throw ResultsStoreError.cannotCreate(file: target, reason: "rename: \(String(cString: strerror(errno)))")
        }
        outcome.runs.sort()
        return outcome
    }

    // MARK: - Helpers

    /// A part that read back completely, with what it holds.
    struct Part {
        let key: RunKey
        let url: URL
        let order: Int
        let info: ScenarioInfo
    }

    /// The `created` date of an existing results file after checking it may be replaced; nil
    /// when there is none.
    private static func checkExisting(_ url: URL, identity: StudyIdentity, lockWait: TimeInterval) throws -> Date? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try ResultsFileAccess(path: url.path, lockWait: lockWait).reading { file in
            let recorded = try ResultsStore.identity(of: file)
            guard recorded.configurationDigest == identity.configurationDigest else {
                throw ResultsStoreError.differentStudy(file: url.path, recordedName: recorded.name, recordedDigest: recorded.configurationDigest,
                                                       requestedName: identity.name, requestedDigest: identity.configurationDigest)
            }
            let version = try file.root.optionalInt(Schema.Root.schemaVersion) ?? 1
            guard version >= Schema.version else { throw ResultsStoreError.olderSchema(file: url.path, version: version) }
            return recorded.created
        }
    }

    /// Every part that reads back completely and holds the run its name says, of `identity`'s
    /// configuration; per scenario, the parts that describe it as its first readable part does.
    private static func readParts(_ folder: StudyFolder, identity: StudyIdentity, lockWait: TimeInterval,
                                  outcome: inout MergeOutcome) -> [Part] {
        var parts: [Part] = []
        for (key, url) in folder.existingParts() {
            func skip(_ reason: String) { outcome.skipped.append(.init(part: url.path, reason: reason)) }
            let study: StudyResults
            do {
                study = try ResultsFileAccess(path: url.path, lockWait: lockWait).reading { try ResultsStore.readStudy($0, source: url.path) }
            } catch {
                skip("unreadable (\(error))")
                continue
            }
            guard study.identity.configurationDigest == identity.configurationDigest else {
                skip("records another configuration (digest \(study.identity.configurationDigest), the study's is \(identity.configurationDigest))")
                continue
            }
            guard study.scenarios.count == 1, let scenario = study.scenarios.first, scenario.name == key.scenario,
                  scenario.runs.map(\.seed) == [key.seed] else {
                skip("holds \(study.runKeys.map(\.description)) instead of only \(key)")
                continue
            }
            if let first = parts.first(where: { $0.key.scenario == key.scenario }),
               let difference = ResultsStore.difference(first.info, scenario.info) {
                skip("describes scenario '\(key.scenario)' with \(difference.name) '\(difference.requested)', "
                     + "but \(first.url.lastPathComponent) with '\(difference.recorded)'")
                continue
            }
            parts.append(Part(key: key, url: url, order: scenario.order, info: scenario.info))
        }
        return parts
    }

    /// Copies the part's run (and, for the scenario's first, its scenario group) into `scenarios`;
    /// on failure removes what was copied.
    private static func copy(_ part: Part, into scenarios: HDF5Group, lockWait: TimeInterval) throws {
        try ResultsFileAccess(path: part.url.path, lockWait: lockWait).reading { file in
            let source = try file.root.group(Schema.scenariosGroup)
            let name = part.key.scenario
            if !scenarios.contains(name) {
                do {
                    try source.copy(name, to: scenarios, as: name)
                } catch {
                    if scenarios.contains(name) { try? scenarios.remove(name) }
                    throw error
                }
            } else {
                let seeds = "\(Schema.seedsGroup)/\(part.key.seed)"
                do {
                    try source.group(name).copy(seeds, to: scenarios.group(name), as: seeds)
                } catch {
                    if scenarios.contains("\(name)/\(seeds)") { try? scenarios.group("\(name)/\(Schema.seedsGroup)").remove("\(part.key.seed)") }
                    throw error
                }
            }
        }
    }
}
