import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Results
import TestSupport
@testable import Report

@Suite struct ReportWriterTests {
    private func writeGuideLike(_ folder: TemporaryFolder, _ results: StudyResults = ReportFixtures.guideLike()) throws -> (URL, [URL]) {
        let out = folder.file("reports/freeze-study")
        return (out, try ReportWriter.write(results: results, to: out, reproduceCommand: "freeze-study sweep --study Experiments/freeze-study.yaml"))
    }

    private func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test func writesEveryFileOfTheLayout() throws {
        let folder = TemporaryFolder()
        let (out, files) = try writeGuideLike(folder)
        let expected = ["report.md", "summary.csv", "curves.csv",
                        "results/none/seed-7/results.csv", "results/backbone/seed-7/results.csv", "results/all-but-detect/seed-7/results.csv",
                        "charts/map50.svg", "charts/map50_95.svg", "charts/losses.svg", "charts/images_per_second.svg",
                        "charts/peak_memory.svg", "charts/cpu_utilization.svg", "charts/tradeoff_speed.svg", "charts/tradeoff_memory.svg"]
        #expect(Set(files.map { String($0.path.dropFirst(out.path.count + 1)) }) == Set(expected))
        for file in expected { #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path)) }
    }

    @Test func tableRowsCarryTheScenarioNumbers() throws {
        let folder = TemporaryFolder()
        let (out, _) = try writeGuideLike(folder)
        let report = try text(out.appendingPathComponent("report.md"))
        let backbone = try #require(report.split(separator: "\n").first { $0.hasPrefix("| `backbone`") })
        let cells = backbone.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        // Scenario, Freeze, Trainable, Frozen, Epochs, Seeds, then `Quantities.all`, then the frozen-tensor check.
        #expect(cells[1] == "`0-9`, bn update")
        #expect(cells[2] == "3,000 (10 tensors)" && cells[3] == "2,000 (4 tensors)")
        #expect(cells[4] == "3/3" && cells[5] == "7")
        #expect(cells[6] == "0.590 (1 seed, no interval)" && cells[7] == "0.590 (1 seed, no interval)")
        #expect(cells[10] == "26.0 (1 seed, no interval)" && cells[11] == "46.0 s (1 seed, no interval)")
        #expect(cells[12] == "400.0 MB (1 seed, no interval)" && cells[13] == "800.0 MB (1 seed, no interval)")
        #expect(cells[14] == "2m18s (1 seed, no interval)" && cells[15] == "85.0 % (1 seed, no interval)" && cells[16] == "✓")
        #expect(report.contains("### (a) Freezing speeds training up. — **not shown with 1 seed**"))
        #expect(report.contains("![mAP@0.5 vs epoch](charts/map50.svg)"))
        #expect(report.contains("| aeroplane | 10 | 0.700 / 0.500 | 0.690 / 0.490 | 0.670 / 0.470 |"))
        #expect(report.contains("excluded from labels"))
        #expect(report.contains("freeze-study sweep --study Experiments/freeze-study.yaml"))
        #expect(report.contains("freeze-study report --results <results file> --out"))
        #expect(report.contains("| freeze backbone (layers 0-9) | `backbone` | 0.890 | 0.676 | -0.2 % / -0.9 % | 1h37m | 1.30× |"))
    }

    @Test func guideLikeAndContraryNumbersOnThreeSeedsAreDecided() throws {
        let folder = TemporaryFolder()
        let (out, _) = try writeGuideLike(folder, SeededFixtures.guideLike())
        let report = try text(out.appendingPathComponent("report.md"))
        #expect(report.contains("### (a) Freezing speeds training up. — **holds**"))
        #expect(report.contains("### (b) Freezing lowers final accuracy slightly. — **holds**"))
        #expect(report.contains("### (c) The more is frozen, the less memory is used. — **holds**"))
        let contraryFolder = TemporaryFolder()
        let (contraryOut, _) = try writeGuideLike(contraryFolder, SeededFixtures.contrary())
        let contrary = try text(contraryOut.appendingPathComponent("report.md"))
        #expect(contrary.contains("### (a) Freezing speeds training up. — **does not hold**"))
        #expect(contrary.contains("### (b) Freezing lowers final accuracy slightly. — **does not hold**"))
        #expect(contrary.contains("### (c) The more is frozen, the less memory is used. — **does not hold**"))
    }

    @Test func runningAndUserScenariosAppearMarked() throws {
        let folder = TemporaryFolder()
        var results = ReportFixtures.guideLike()
        results.scenarios.append(ReportFixtures.scenario("head-only", order: 3, frozen: 4000, imagesPerSecond: 28, epochSeconds: 42,
                                                         peakBytes: 350e6, cpu: 0.82, map50: 0.3, map50to95: 0.2, epochs: 1, complete: false))
        let (out, _) = try writeGuideLike(folder, results)
        let report = try text(out.appendingPathComponent("report.md"))
        #expect(report.contains("| `head-only` *(running)* |"))
        #expect(report.contains("Left out: `head-only` (running, 1 epoch of 3)"))
        let svg = try text(out.appendingPathComponent("charts/map50.svg"))
        #expect(svg.contains("head-only (running, 1 epoch)"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("results/head-only/seed-7/results.csv").path))
    }

    @Test func csvFilesHaveTheirHeadersAndRawUnits() throws {
        let folder = TemporaryFolder()
        let (out, _) = try writeGuideLike(folder)
        let summary = try text(out.appendingPathComponent("summary.csv")).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(summary[0] == SummaryCSV.columns(baseline: nil).map(\.name))
        #expect(summary.count == 4)
        let row = Dictionary(uniqueKeysWithValues: zip(summary[0], summary[2]))
        #expect(row["scenario"] == "backbone")
        #expect(row["tracked_peak_bytes_mean"] == "400000000" && row["tracked_peak_bytes_vs_none"] == "0.8")
        #expect(row["images_per_second_vs_none"] == "1.3" && row["images_per_second_seeds"] == "1")
        #expect(row["wall_seconds_mean"] == "138" && row["final_map50_vs_none"] == "-0.010000000000000009")
        #expect(row["frozen_tensors_unchanged"] == "true")

        let curves = try text(out.appendingPathComponent("curves.csv")).split(separator: "\n")
        #expect(curves[0] == (["scenario", "seed", "epoch"] + EpochSeries.all.map(\.name)).joined(separator: ","))
        #expect(curves.count == 1 + 9)
        #expect(curves[4].hasPrefix("backbone,7,0,"))

        let yolo = try text(out.appendingPathComponent("results/backbone/seed-7/results.csv")).split(separator: "\n")
        #expect(yolo[0] == Substring(YOLOv5ResultsCSV.header()))
        #expect(yolo.count == 4)
        #expect(yolo[3].hasPrefix("                   2,"))
        #expect(yolo[3].split(separator: ",")[6] == "                0.59")
    }

    @Test func chartsAreStandaloneSVGNamingEveryScenario() throws {
        let folder = TemporaryFolder()
        var results = ReportFixtures.guideLike()
        results.scenarios.append(ReportFixtures.scenario("a<b&\"c\"", order: 3, frozen: 10, imagesPerSecond: 21, epochSeconds: 58,
                                                         peakBytes: 480e6, cpu: 0.88, map50: 0.6, map50to95: 0.4))
        let (out, files) = try writeGuideLike(folder, results)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("results/a_b__c_/seed-7/results.csv").path))
        let charts = files.filter { $0.pathExtension == "svg" }
        #expect(charts.count == 8)
        for chart in charts {
            let data = try Data(contentsOf: chart)
            let parser = XMLParser(data: data)
            #expect(parser.parse(), "\(chart.lastPathComponent) is not well-formed XML: \(String(describing: parser.parserError))")
            let svg = try text(chart)
            #expect(svg.contains("xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains("viewBox="))
            for name in ["none", "backbone", "all-but-detect", "a&lt;b&amp;&quot;c&quot;"] {
                #expect(svg.contains(">\(name)"), "\(chart.lastPathComponent) lacks \(name)")
            }
        }
        let throughput = try text(out.appendingPathComponent("charts/images_per_second.svg"))
        #expect(throughput.contains("images per second") && throughput.contains("26.0 (1.30×)"))
    }

    @Test func anUnwritableOutputFolderIsNamed() throws {
        let folder = TemporaryFolder()
        let blocker = folder.file("reports")
        try Data("a file, not a folder".utf8).write(to: blocker)
        let out = blocker.appendingPathComponent("freeze-study")
        do {
            try ReportWriter.write(results: ReportFixtures.guideLike(), to: out, reproduceCommand: "")
            Issue.record("wrote a report under a regular file")
        } catch let error as ReportError {
            guard case .cannotCreateFolder(let path, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(path == out.path)
            #expect(error.description.contains(out.path))
        }
    }

    @Test func theReportIsGeneratedFromTheResultsFile() throws {
        let folder = TemporaryFolder()
        let url = folder.file("runs/results.h5")
        let store = ResultsStore(url: url)
        try store.createOrOpen(study: StudyFixtures.identity())
        for scenario in ReportFixtures.guideLike().scenarios {
            let run = scenario.runs[0], key = RunKey(scenario: scenario.name, seed: run.seed)
            try store.beginRun(key, scenario: scenario.info, run: run.info, order: scenario.order)
            for (epoch, record) in run.epochs.enumerated() {
                try store.append(record, epoch: epoch, iterations: run.iterations[epoch], to: key)
            }
            try store.setPerClass(key, run.perClass!)
            try store.finishRun(key, run.completion!)
        }
        let written = try ReportWriter.write(resultsAt: url, to: folder.file("report"), reproduceCommand: "")
        let report = try text(written.folder.appendingPathComponent("report.md"))
        #expect(report.contains("### (a) Freezing speeds training up. — **not shown with 1 seed**"))
        #expect(report.contains("`\(url.path)`"))
        #expect(ReportWriter.defaultFolder(for: StudyFixtures.identity(name: "my study/1")) == "reports/my_study_1")
    }
}
