import Foundation
import Results
import Statistics

/// Writes the cross-check report (`freeze-study crosscheck-report`) into a folder: `report.md`
/// (both programs side by side, their agreement per scenario, the guide's claims from each
/// program's own results, the wall time of each program's whole study) and `crosscheck.csv`
/// (a row per scenario, program and quantity).
public enum CrossCheckReport {
    /// Reads both results files and writes the report into `folder`; returns the files written.
    @discardableResult
    public static func write(freezeStudy: URL, yolov5: URL, to folder: URL, command: String) throws -> [URL] {
        let comparison = try CrossCheckComparison(freezeStudy: try ResultsStore(url: freezeStudy).readStudy(),
                                                  yolov5: try ResultsStore(url: yolov5).readStudy())
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ReportError.cannotCreateFolder(path: folder.path, reason: ReportWriter.reason(error))
        }
        return try [("report.md", markdown(comparison, command: command)), ("crosscheck.csv", csv(comparison))].map { name, text in
            let url = folder.appendingPathComponent(name)
            do {
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw ReportError.cannotWrite(path: url.path, reason: ReportWriter.reason(error))
            }
            return url
        }
    }

    /// `crosscheck.csv`: scenario, program, quantity, seeds, mean, interval, and the agreement test
    /// (FreezeStudy − YOLOv5) on the FreezeStudy row of each tested quantity.
    static func csv(_ comparison: CrossCheckComparison) -> String {
        struct Row { let scenario: CrossCheckComparison.Scenario; let program: CrossCheckComparison.Program; let quantity: CrossCheckQuantity }
        let rows = comparison.scenarios.flatMap { scenario in
            CrossCheckComparison.Program.allCases.flatMap { program in
                CrossCheckQuantity.all.map { Row(scenario: scenario, program: program, quantity: $0) }
            }
        }
        func agreement(_ row: Row) -> IntervalVerdict? {
            row.program == .freezeStudy && row.quantity.isTestedForAgreement ? row.scenario.agreement(row.quantity) : nil
        }
        let columns: [CSV.Column<Row>] = [
            .init(name: "scenario") { $0.scenario.name },
            .init(name: "program") { $0.program.rawValue },
            .init(name: "quantity") { $0.quantity.id },
            .init(name: "seeds") { $0.scenario.values($0.program, $0.quantity).keys.sorted().map(String.init).joined(separator: " ") },
            .init(name: "mean") { CSV.number($0.scenario.estimate($0.program, $0.quantity)?.mean) },
            .init(name: "ci95_lower") { CSV.number($0.scenario.estimate($0.program, $0.quantity)?.interval?.lower) },
            .init(name: "ci95_upper") { CSV.number($0.scenario.estimate($0.program, $0.quantity)?.interval?.upper) },
            .init(name: "difference_to_yolov5") { CSV.number(agreement($0)?.estimate) },
            .init(name: "welch95_lower") { CSV.number(agreement($0)?.interval?.lower) },
            .init(name: "welch95_upper") { CSV.number(agreement($0)?.interval?.upper) },
            .init(name: "agreement") { agreement($0).map(CrossCheckSections.agreementWord) ?? "" },
        ]
        return CSV.render(rows, columns: columns)
    }

    /// `report.md`.
    static func markdown(_ comparison: CrossCheckComparison, command: String) -> String {
        var lines = ["# Cross-check: the study in FreezeStudy and in YOLOv5's train.py", ""]
        lines += [
            "The same study (`\(comparison.results[.freezeStudy]!.identity.name)`) trained by FreezeStudy and by YOLOv5's own "
                + "train.py (Experiments/crosscheck/) from the same starting weights, on the same images, with the same settings "
                + "and seed numbers. Each figure is a mean over the complete runs (seeds) of a scenario with its 95 % t-interval. "
                + "The programs draw their own random streams, so their seeds are not paired: they agree on a quantity when 0 "
                + "lies inside the 95 % Welch interval of the difference of their means. Experiments/crosscheck/README.md says "
                + "what is matched and what is not.", "",
        ]
        lines += CrossCheckSections.programs(comparison)
        lines += CrossCheckSections.sideBySide(comparison)
        lines += CrossCheckSections.agreement(comparison)
        lines += CrossCheckSections.claims(comparison)
        lines += CrossCheckSections.wholeRuns(comparison)
        lines += ["## Reproduce", "", "```sh", command, "```", ""]
        return lines.joined(separator: "\n")
    }
}
