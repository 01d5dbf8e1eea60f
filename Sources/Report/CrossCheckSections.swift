import Foundation
import Results
import Statistics

/// The sections of the cross-check's `report.md`, each a list of Markdown lines.
enum CrossCheckSections {
    typealias Program = CrossCheckComparison.Program

    /// Which file holds each program's runs, and what made them.
    static func programs(_ comparison: CrossCheckComparison) -> [String] {
        var lines = ["## The two programs", "", "| Program | Results file | Tool | Machine | Complete runs | Results file created |",
                     "| --- | --- | --- | --- | ---: | --- |"]
        for program in Program.allCases {
            let study = comparison.results[program]!
            let machine = study.identity.machine
            lines.append("| \(program.rawValue) | `\(study.source.map(displayPath) ?? "—")` | \(study.identity.toolVersion) | "
                         + "\(machine.cores) cores, \(machine.cpu), \(machine.blas) | \(comparison.wallSeconds(program).runs) | "
                         + "\(DisplayFormat.date(study.identity.created)) |")
        }
        for program in Program.allCases where !(comparison.onlyIn[program] ?? []).isEmpty {
            lines += ["", "Recorded by \(program.rawValue) only, and left out: "
                      + comparison.onlyIn[program]!.map { "`\($0)`" }.joined(separator: ", ") + "."]
        }
        return lines + [""]
    }

    /// Both programs' means with their intervals, a row per scenario and program.
    static func sideBySide(_ comparison: CrossCheckComparison) -> [String] {
        let quantities = CrossCheckQuantity.all
        var lines = ["## Side by side", "",
                     "Mean over seeds [95 % interval]. Final = the last epoch; images/s = training images per second of "
                     + "training time (validation excluded), the mean over epochs; peak RSS = the largest resident set of "
                     + "the run's training process over its epochs; run wall time = the whole run, process start to finish.", "",
                     "| Scenario | Program | Seeds | " + quantities.map(\.name).joined(separator: " | ") + " |",
                     "| --- | --- | --- | " + quantities.map { _ in "---:" }.joined(separator: " | ") + " |"]
        for scenario in comparison.scenarios {
            for program in Program.allCases {
                let seeds = scenario.values(program, .finalMAP50).keys.sorted().map(String.init).joined(separator: ", ")
                let cells = quantities.map { estimateCell(scenario.estimate(program, $0), $0.format) }
                lines.append("| `\(scenario.name)` | \(program.rawValue) | \(seeds.isEmpty ? "—" : seeds) | "
                             + cells.joined(separator: " | ") + " |")
            }
        }
        return lines + [""]
    }

    /// Per scenario and accuracy quantity: the difference of the means, its Welch interval, and the verdict.
    static func agreement(_ comparison: CrossCheckComparison) -> [String] {
        var lines = ["## Agreement per scenario", "",
                     "FreezeStudy − YOLOv5, with the 95 % Welch interval of the difference of the means. **agree**: the "
                     + "interval includes 0; **disagree**: it excludes 0; **not shown**: fewer than "
                     + "\(VerdictRules.minimumSeeds) seeds on a side. An agreement is only as strong as the interval is narrow.", "",
                     "| Scenario | Quantity | FreezeStudy | YOLOv5 | Difference [95 % Welch interval] | Verdict |",
                     "| --- | --- | ---: | ---: | ---: | --- |"]
        var tally: [String: Int] = [:]
        for scenario in comparison.scenarios {
            for quantity in CrossCheckQuantity.all where quantity.isTestedForAgreement {
                let verdict = scenario.agreement(quantity)
                let word = agreementWord(verdict)
                tally[word, default: 0] += 1
                let difference = verdict.estimate.map { estimate in
                    signed(estimate) + (verdict.interval.map { " [\(signed($0.lower)), \(signed($0.upper))]" } ?? "")
                } ?? DisplayFormat.missing
                lines.append("| `\(scenario.name)` | \(quantity.name) | "
                             + "\(quantity.format(scenario.estimate(.freezeStudy, quantity)?.mean)) | "
                             + "\(quantity.format(scenario.estimate(.yolov5, quantity)?.mean)) | \(difference) | **\(word)** |")
            }
        }
        let total = tally.values.reduce(0, +)
        lines += ["", "In all: " + ["agree", "disagree", "not shown", "not available"].compactMap { word in
            tally[word].map { "\($0) of \(total) \(word)" }
        }.joined(separator: ", ") + "."]
        return lines + [""]
    }

    /// The guide's claims from each program's own results, and whether the verdicts match.
    static func claims(_ comparison: CrossCheckComparison) -> [String] {
        guard !comparison.claims.isEmpty else {
            return ["## The guide's claims, from each program", "", "Not checked: no `\(StudySummary.baselineName)` scenario in both files.", ""]
        }
        var lines = ["## The guide's claims, from each program", "",
                     "Each program's verdict from its own seeds, against `\(StudySummary.baselineName)`, by the rules of the "
                     + "Statistics module (95 % intervals; a difference inside its noise is **not shown**, never a verdict; "
                     + "\"slightly\" means a drop above 0 and below \(Int(VerdictRules.littleAccuracyCostMargin * 100)) % of "
                     + "`none`'s mAP).", "",
                     "| Claim | Scenario | FreezeStudy | YOLOv5 | Same verdict |", "| --- | --- | --- | --- | --- |"]
        for item in comparison.claims {
            lines.append("| \(item.claim.name) | `\(item.scenario)` | \(item.verdicts[.freezeStudy]!.outcome.rawValue) | "
                         + "\(item.verdicts[.yolov5]!.outcome.rawValue) | \(item.same ? "yes" : "**no**") |")
        }
        let same = comparison.claims.filter(\.same).count
        lines += ["", "The same verdict in \(same) of \(comparison.claims.count) cases.", "", "Reasons:", ""]
        for item in comparison.claims {
            for program in Program.allCases {
                lines.append("- \(item.claim.name), `\(item.scenario)`, \(program.rawValue): \(item.verdicts[program]!.reason)")
            }
        }
        return lines + [""]
    }

    /// The wall time of each program's whole study, and per scenario how much faster one trains.
    static func wholeRuns(_ comparison: CrossCheckComparison) -> [String] {
        var lines = ["## Whole runs", "",
                     "Wall time of every complete run of the compared scenarios, start to finish, summed (both programs "
                     + "run one run after another).", "", "| Program | Runs | Total wall time | Mean per run |",
                     "| --- | ---: | ---: | ---: |"]
        for program in Program.allCases {
            let (seconds, runs) = comparison.wallSeconds(program)
            lines.append("| \(program.rawValue) | \(runs) | \(DisplayFormat.duration(runs > 0 ? seconds : nil)) | "
                         + "\(DisplayFormat.duration(runs > 0 ? seconds / Double(runs) : nil)) |")
        }
        let fs = comparison.wallSeconds(.freezeStudy), y5 = comparison.wallSeconds(.yolov5)
        if fs.runs > 0, y5.runs > 0, fs.seconds > 0 {
            lines += ["", "YOLOv5's train.py took \(DisplayFormat.ratio(y5.seconds / fs.seconds)) FreezeStudy's wall time "
                      + "(\(fs.runs) and \(y5.runs) runs). Training images/s, FreezeStudy ÷ YOLOv5: "
                      + comparison.scenarios.map { scenario in
                          let ratio = scenario.estimate(.freezeStudy, .imagesPerSecond).flatMap { f in
                              scenario.estimate(.yolov5, .imagesPerSecond).map { f.mean / $0.mean } }
                          return "`\(scenario.name)` \(DisplayFormat.ratio(ratio))"
                      }.joined(separator: ", ") + "."]
        }
        return lines + [""]
    }

    /// "0.512 [0.498, 0.526]"; one value has no interval: "0.512 (1 seed)".
    static func estimateCell(_ estimate: MeanEstimate?, _ format: (Double?) -> String) -> String {
        guard let estimate else { return DisplayFormat.missing }
        guard let interval = estimate.interval else { return "\(format(estimate.mean)) (\(estimate.count) seed)" }
        return "\(format(estimate.mean)) [\(format(interval.lower)), \(format(interval.upper))]"
    }

    /// Signed with 3 decimals, for differences of mAP: "+0.012".
    static func signed(_ value: Double) -> String { String(format: "%+.3f", value) }

    /// What an agreement verdict says, in the report's words.
    static func agreementWord(_ verdict: IntervalVerdict) -> String {
        switch verdict.outcome {
        case .holds: return "agree"
        case .doesNotHold: return "disagree"
        case .notShown: return "not shown"
        case .notAvailable: return "not available"
        }
    }

    /// A path as the report shows it: relative to the working folder when inside it.
    static func displayPath(_ path: String) -> String {
        let here = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path
    }
}
