import ArgumentParser
import Foundation
import Report

/// `freeze-study report`: regenerates the comparison report from a results file, training nothing.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the comparison report (Markdown, CSV, SVG charts) from a study's HDF5 results file.")

    @Option(help: "The study's HDF5 results file.")
    var results: String = "runs/freeze-study/results.h5"

    @Option(help: "Report folder (default: reports/<study name from the results file>).")
    var out: String?

    func run() throws {
        let written = try ReportWriter.write(resultsAt: URL(fileURLWithPath: results), to: out.map { URL(fileURLWithPath: $0) })
        print("Wrote the report of \(results) to \(written.folder.path):")
        for file in written.files { print("  \(file.path)") }
    }
}
