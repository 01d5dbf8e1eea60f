import Foundation

/// Why the results store refused or failed; every message names the file and the reason.
public enum ResultsStoreError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// No file at the path (reading needs one).
    case noFile(file: String)
    /// The file exists but is not HDF5 (no signature); it is left untouched.
    case notHDF5(file: String)
    /// An HDF5 file without the root attributes of a FreezeStudy results file.
    case notAResultsFile(file: String, reason: String)
    /// HDF5 could not open a file that has the HDF5 signature and is not locked.
    case unreadable(file: String, reason: String)
    /// Another open handle kept the file locked for longer than the store waits.
    case locked(file: String, waitedSeconds: Double)
    /// The folder or the file could not be created.
    case cannotCreate(file: String, reason: String)
    /// The file records a study of another configuration.
    case differentStudy(file: String, recordedName: String, recordedDigest: String, requestedName: String, requestedDigest: String)
    /// A results file of an older schema, which merging parts would replace (its runs have no parts).
    case olderSchema(file: String, version: Int)
    /// A write was attempted before `createOrOpen(study:)` checked the file's identity.
    case notOpenedForWriting(file: String)
    /// The run is not in the file.
    case noRun(file: String, run: RunKey)
    /// The scenario name cannot be an HDF5 group and folder name.
    case invalidScenarioName(name: String, reason: String)
    /// The run is complete; it is run again only with `restart: true`.
    case runComplete(file: String, run: RunKey)
    /// A run would be begun or resumed under a scenario recorded with another configuration.
    case scenarioChanged(file: String, scenario: String, field: String, recorded: String, requested: String)
    /// A call does not fit what is recorded (epoch numbering, array lengths, …).
    case invalidRecord(file: String, run: RunKey, field: String, reason: String)
    /// Something in the file has an unexpected shape or type.
    case malformed(file: String, object: String, reason: String)

    public var description: String {
        switch self {
        case .noFile(let file):
            return "\(file): no such results file"
        case .notHDF5(let file):
            return "\(file): not an HDF5 file (no HDF5 signature); it was left untouched — move it away or choose another results path"
        case .notAResultsFile(let file, let reason):
            return "\(file): an HDF5 file but not a FreezeStudy results file (\(reason)); it was left untouched"
        case .unreadable(let file, let reason):
            return "\(file): HDF5 cannot open it (\(reason)); the file may be truncated or damaged — it was left untouched"
        case .locked(let file, let waited):
            return "\(file): locked by another open handle (h5py, HDFView, h5dump or another sweep) for \(String(format: "%.1f", waited)) s; close it and retry"
        case .cannotCreate(let file, let reason):
            return "\(file): cannot create (\(reason))"
        case .differentStudy(let file, let recordedName, let recordedDigest, let requestedName, let requestedDigest):
            return "\(file): records study '\(recordedName)' with configuration digest \(recordedDigest), "
                + "but this is study '\(requestedName)' with digest \(requestedDigest); nothing was changed — "
                + "write the results beside it (another results path) or move that file away"
        case .olderSchema(let file, let version):
            return "\(file): written in results schema version \(version), whose runs have no part files; merging would replace it, "
                + "so it was left untouched — move it away (freeze-study report still reads it) or choose another results path"
        case .notOpenedForWriting(let file):
            return "\(file): call createOrOpen(study:) before writing, so the file's study is checked"
        case .noRun(let file, let run):
            return "\(file): no run '\(run.scenario)' seed \(run.seed)"
        case .invalidScenarioName(let name, let reason):
            return "scenario name '\(name)': \(reason)"
        case .runComplete(let file, let run):
            return "\(file): run '\(run.scenario)' seed \(run.seed) is complete; run it again only with restart (its results are replaced)"
        case .scenarioChanged(let file, let scenario, let field, let recorded, let requested):
            return "\(file): scenario '\(scenario)' is recorded with \(field) \(recorded) but is now begun with \(requested); "
                + "its runs would mix two configurations — restart it (--force) or give the new one another name"
        case .invalidRecord(let file, let run, let field, let reason):
            return "\(file): run '\(run.scenario)' seed \(run.seed), \(field): \(reason)"
        case .malformed(let file, let object, let reason):
            return "\(file): \(object): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
