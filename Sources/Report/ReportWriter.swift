import Foundation
import Results

/// Why a report could not be written; names the file or folder and the reason.
public enum ReportError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case cannotCreateFolder(path: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreateFolder(let path, let reason): return "\(path): cannot create the report folder (\(reason))"
        case .cannotWrite(let path, let reason): return "\(path): cannot write (\(reason))"
        }
    }

    public var errorDescription: String? { description }
}

/// Writes the comparison report of a study (DESIGN.md "The report") into a folder:
/// `report.md`, `summary.csv`, `curves.csv`, `results/<scenario>/seed-<seed>/results.csv` and `charts/*.svg`.
/// Everything comes from a `StudyResults`, i.e. from the results file alone.
public enum ReportWriter {
    /// The report's default folder, `reports/<study name>` (relative to the working directory).
    public static func defaultFolder(for identity: StudyIdentity) -> String { "reports/" + fileName(identity.name) }

    /// `name` as one path component: characters other than letters, digits and `-_.+=@,` become
    /// `_`, leading dots are dropped (names the store accepts are kept as they are).
    static func fileName(_ name: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.+=@,"))
        let safe = String(name.unicodeScalars.map { allowed.contains($0) ? Character($0) : "_" })
        let trimmed = String(safe.drop { $0 == "." })
        return trimmed.isEmpty ? "study" : trimmed
    }

    /// Reads the results file at `resultsFile` and writes its report into `folder` (default
    /// `reports/<study name>`). Returns the folder and the files written.
    @discardableResult
    public static func write(resultsAt resultsFile: URL, to folder: URL? = nil, reproduceCommand: String = "") throws -> (folder: URL, files: [URL]) {
        let results = try ResultsStore(url: resultsFile).readStudy()
        let folder = folder ?? URL(fileURLWithPath: defaultFolder(for: results.identity))
        return (folder, try write(results: results, to: folder, reproduceCommand: reproduceCommand))
    }

    /// Writes the report of `results` into `folder` (created if needed) and returns the files
    /// written. `reproduceCommand` (the sweep's command line) is shown in the report's
    /// "Reproduce" section with the scenarios' recorded commands and the report command.
    @discardableResult
    public static func write(results: StudyResults, to folder: URL, reproduceCommand: String) throws -> [URL] {
        let summary = StudySummary(results)
        let charts = StudyCharts.render(results, summary)
        var written: [URL] = []
        try makeFolder(folder)
        try makeFolder(folder.appendingPathComponent("charts"))

        var resultsCSVPaths: [RunKey: String] = [:]
        for scenario in results.scenarios {
            for run in scenario.runs {
                let runFolder = "results/\(fileName(scenario.name))/seed-\(run.seed)"
                try makeFolder(folder.appendingPathComponent(runFolder))
                written.append(try write(YOLOv5ResultsCSV.render(run.epochs), to: folder.appendingPathComponent("\(runFolder)/results.csv")))
                resultsCSVPaths[RunKey(scenario: scenario.name, seed: run.seed)] = "\(runFolder)/results.csv"
            }
        }
        for chart in charts { written.append(try write(chart.svg, to: folder.appendingPathComponent("charts/\(chart.file)"))) }
        written.append(try write(SummaryCSV.render(summary), to: folder.appendingPathComponent("summary.csv")))
        written.append(try write(CurvesCSV.render(results), to: folder.appendingPathComponent("curves.csv")))

        let report = MarkdownReport(
            results: results, summary: summary, claims: GuideClaims.check(summary),
            charts: charts.map { ("charts/\($0.file)", $0.title) }, resultsCSVPaths: resultsCSVPaths,
            reproduceCommand: reproduceCommand,
            reportCommand: "freeze-study report --results \(results.source.map { shellQuoted(displayPath($0)) } ?? "<results file>") --out \(shellQuoted(displayPath(folder.path)))")
        written.insert(try write(report.render(), to: folder.appendingPathComponent("report.md")), at: 0)
        return written
    }

    private static func makeFolder(_ url: URL) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw ReportError.cannotCreateFolder(path: url.path, reason: "a file of that name exists") }
            guard FileManager.default.isWritableFile(atPath: url.path) else {
                throw ReportError.cannotCreateFolder(path: url.path, reason: "the folder is not writable")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ReportError.cannotCreateFolder(path: url.path, reason: reason(error))
        }
    }

    private static func write(_ text: String, to url: URL) throws -> URL {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw ReportError.cannotWrite(path: url.path, reason: reason(error))
        }
        return url
    }

    /// The most useful sentence of a Foundation error.
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError { return underlying.localizedDescription }
        return nsError.localizedDescription
    }

    /// `path` relative to the working directory when it lies inside it (reports are read on other machines).
    static func displayPath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return absolute.hasPrefix(cwd + "/") ? String(absolute.dropFirst(cwd.count + 1)) : path
    }

    static func shellQuoted(_ text: String) -> String {
        let plain = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./+=@:,"))
        return !text.isEmpty && text.unicodeScalars.allSatisfy(plain.contains) ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
