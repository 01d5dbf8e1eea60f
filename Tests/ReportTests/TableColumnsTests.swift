import Foundation
import Results
import Testing
import TestSupport
@testable import Report

/// Every table of the report comes from one column list, and every quantity has one name across
/// the HDF5 series, `summary.csv` and `report.md`.
@Suite struct TableColumnsTests {
    /// The cells of a Markdown table line (`\|` is an escaped bar inside a cell).
    private func cells(_ line: Substring) -> Int {
        line.replacingOccurrences(of: "\\|", with: "").split(separator: "|", omittingEmptySubsequences: false).count - 2
    }

    @Test func aTableIsItsColumnList() {
        let columns: [MarkdownTable<Int>.Column] = [.init("n", .left) { "\($0)" }, .init("n²") { "\($0 * $0)" }, .init("a|b") { _ in "x|y" }]
        #expect(MarkdownTable(columns: columns).render([2, 3]) == """
            | n | n² | a\\|b |
            | --- | ---: | ---: |
            | 2 | 4 | x\\|y |
            | 3 | 9 | x\\|y |
            """)
    }

    @Test func everyRowOfEveryTableHasItsHeadersCells() throws {
        let folder = TemporaryFolder()
        let out = folder.file("report")
        try ReportWriter.write(results: SeededFixtures.threeSeeds(), to: out, reproduceCommand: "")
        let lines = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var tables = 0, header: Int?
        for line in lines {
            guard line.hasPrefix("|") else { header = nil; continue }
            if let header { #expect(cells(line) == header, "\(line)") } else { header = cells(line); tables += 1 }
        }
        #expect(tables >= 7, "results, paired, guide, time to target, time split, work, per class")
        #expect(lines.contains(Substring(MarkdownTable<ScenarioSummary>.line(MarkdownReport.scenarioColumns.map(\.header)))))
    }

    @Test func aQuantityHasOneNameInHDF5CSVAndMarkdown() throws {
        let folder = TemporaryFolder()
        let out = folder.file("report")
        try ReportWriter.write(results: SeededFixtures.threeSeeds(), to: out, reproduceCommand: "")
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let csvHeader = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8).split(separator: "\n")[0]
            .split(separator: ",").map(String.init)
        let series = Set(EpochSeries.all.map(\.name))
        for quantity in Quantities.all {
            #expect(csvHeader.contains("\(quantity.name)_mean") && csvHeader.contains("\(quantity.name)_vs_none"), "\(quantity.name)")
            #expect(report.contains("- **\(quantity.label)** (`\(quantity.name)`)"), "\(quantity.name) is defined in report.md under its CSV name")
            #expect(MarkdownReport.scenarioColumns.contains { $0.header == quantity.label })
        }
        for quantity in [Quantities.imagesPerSecond, Quantities.epochSeconds, Quantities.trackedPeakBytes, Quantities.rssPeakBytes, Quantities.cpuUtilization] {
            #expect(series.contains(quantity.name), "\(quantity.name) is the HDF5 series it summarises")
        }
        for series in EpochSeries.timeSplit { #expect(report.contains("(`\(series.name)`)"), "\(series.name)") }
    }
}
