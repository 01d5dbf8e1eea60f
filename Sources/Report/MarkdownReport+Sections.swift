import Foundation
import Results
import Statistics

/// The sections of `report.md` after the table.
extension MarkdownReport {
    func claimsSection() -> String {
        var lines = ["## The guide's claims, checked", "",
                     "Each claim of the guide against this study's runs, decided by 95 % intervals over paired seeds (`VerdictRules`). Verdicts: **holds**, **does not hold**, **not shown with N seeds** (the interval includes the threshold, or fewer than \(VerdictRules.minimumSeeds) paired seeds: the difference is inside its noise, and no verdict is drawn), **mixed** (different for different scenarios or measures), **not checked** (the data to decide is missing)."]
        for claim in claims {
            lines += ["", "### (\(claim.id)) \(claim.claim) — **\(claim.verdictText)**", "", "*Rule:* \(claim.criterion)", ""]
            for finding in claim.findings {
                let subject = results.scenario(finding.subject) == nil ? finding.subject : "`\(finding.subject)`"
                let verdict = finding.verdict == .notShown ? "not shown with \(finding.seeds) seed\(finding.seeds == 1 ? "" : "s")" : finding.verdict.rawValue
                lines.append("- \(subject) — **\(verdict)**: \(finding.text)")
            }
            if !claim.excluded.isEmpty { lines.append("- Left out: " + claim.excluded.joined(separator: ", ")) }
        }
        return lines.joined(separator: "\n")
    }

    func guideSection() -> String {
        let lines = ["## The guide's own numbers", "",
                     "Setup: \(GuideReference.setup). One run per scenario, so no interval. Relative changes and speed-ups are computed here from the guide's figures.", "",
                     MarkdownTable(columns: Self.guideColumns).render(GuideReference.rows), "",
                     "The guide shows GPU memory and GPU utilisation only as charts (both lower the more is frozen), so there are no figures to set beside ours. Its memory is YOLOv5's GPU_mem, `torch.cuda.memory_reserved()` (live tensors plus the caching allocator's free blocks); ours is the memory meter's high-water mark of live tensor bytes, with the process's peak RSS beside it."]
        return lines.joined(separator: "\n")
    }

    static let guideColumns: [MarkdownTable<GuideReference.Row>.Column] = [
        .init("Guide scenario", .left) { $0.description },
        .init("FreezeStudy scenario", .left) { "`\($0.scenario)`" },
        .init(Quantities.finalMAP50.label) { String(format: "%.3f", $0.map50) },
        .init(Quantities.finalMAP50to95.label) { String(format: "%.3f", $0.map50to95) },
        .init("Change vs none") { row in
            row.scenario == GuideReference.none.scenario ? DisplayFormat.missing
                : "\(DisplayFormat.change(GuideReference.relativeChange(row, \.map50))) / \(DisplayFormat.change(GuideReference.relativeChange(row, \.map50to95)))"
        },
        .init(Quantities.wallSeconds.label) { DisplayFormat.duration($0.trainingSeconds) },
        .init("Speed-up (time)") { DisplayFormat.ratio(GuideReference.speedUp($0)) },
    ]
    func chartsSection() -> String {
        guard !charts.isEmpty else { return "" }
        return (["## Charts", ""] + charts.flatMap { ["![\($0.title)](\($0.path))", ""] }).joined(separator: "\n")
            .trimmingCharacters(in: .newlines)
    }

    func perClassSection() -> String {
        let measured = results.scenarios.compactMap { scenario -> (name: String, perClass: [PerClassAP])? in
            let perClass = scenario.summarisedRuns.compactMap(\.perClass)
            return perClass.isEmpty ? nil : (scenario.name, perClass)
        }
        var lines = ["## Per-class AP", ""]
        guard !measured.isEmpty else { return (lines + ["No per-class AP is recorded yet."]).joined(separator: "\n") }
        var classNames: [String] = []
        for scenario in measured {
            for perClass in scenario.perClass { for name in perClass.names where !classNames.contains(name) { classNames.append(name) } }
        }
        lines.append("AP@0.5 / AP@0.5:0.95 per class, the mean over the scenario's runs. " + measured.map { scenario in
            let epochs = scenario.perClass.map { $0.epoch.map(String.init) ?? "not recorded" }
            return "`\(scenario.name)`: " + (Set(epochs).count == 1 ? "model of epoch \(epochs[0])" : "models of epochs \(epochs.joined(separator: ", "))")
        }.joined(separator: "; ") + ".")
        lines.append("")
        func pair(_ ap50: Double?, _ ap50to95: Double?) -> String { "\(DisplayFormat.fixed(ap50, 3)) / \(DisplayFormat.fixed(ap50to95, 3))" }
        // A row is a class name, or nil for the mean over classes.
        let columns: [MarkdownTable<String?>.Column] = [
            .init("Class", .left) { $0 ?? "**all** (mean over classes with an AP)" },
            .init("Labels") { name in
                guard let name else { return DisplayFormat.missing }
                return measured.lazy.flatMap(\.perClass).compactMap { p in p.names.firstIndex(of: name).map { p.nLabels[$0] } }.first
                    .map(DisplayFormat.count) ?? DisplayFormat.missing
            },
        ] + measured.map { scenario in
            .init("`\(scenario.name)`") { name in
                guard let name else {
                    return pair(Statistic.mean(scenario.perClass.compactMap { Statistic.mean($0.ap50) }),
                                Statistic.mean(scenario.perClass.compactMap { Statistic.mean($0.ap50to95) }))
                }
                let values = scenario.perClass.compactMap { p in p.names.firstIndex(of: name).map { (p.ap50[$0], p.ap50to95[$0]) } }
                guard !values.isEmpty else { return DisplayFormat.missing }
                return pair(Statistic.mean(values.map(\.0)), Statistic.mean(values.map(\.1)))
            }
        }
        lines.append(MarkdownTable(columns: columns).render(classNames.map { Optional($0) } + [nil]))
        return lines.joined(separator: "\n")
    }

    func difficultObjectsSection() -> String {
        let handling = commonValues(results.scenarios.map { ($0.name, ResolvedConfig(json: $0.info.configJSON).text("difficult_objects") ?? DisplayFormat.missing) })
        var lines = ["## Difficult objects", ""]
        if handling == DisplayFormat.missing {
            lines.append("The configuration does not record how VOC objects marked `difficult` were handled (no `difficult_objects` key).")
        } else {
            lines.append("Objects marked `difficult` in the VOC annotations: \(handling) (configuration key `difficult_objects`).")
        }
        lines.append("For comparison: YOLOv5's VOC.yaml conversion drops difficult objects from the labels of both training and validation, and the VOC devkit's own evaluation counts them neither as hits nor as misses.")
        return lines.joined(separator: "\n")
    }

    func definitionsSection() -> String {
        var lines = ["## How the numbers are computed", "",
                     "- **Runs and seeds**: a run is one scenario trained with one seed, by its own process; for one seed every scenario sees the same data order, augmentation and initialisation of what the starting weights do not provide. A scenario's number is the mean over its complete runs (over its running ones while none is complete) ± the half-width of the 95 % Student t-interval, t*ₙ₋₁ · s/√n; with one seed there is no interval.",
                     "- **Against none**: per seed, scenario − none for accuracy and scenario ÷ none for speed, time and memory; the mean of those per-seed values with its t-interval (ratios: on the log scale, so the centre is the geometric mean). These paired values, not the difference of the two means, decide the verdicts.",
                     "",
                     "Each quantity by its label here and its name in `summary.csv` (`<name>_mean`, `<name>_ci95_low`, `<name>_ci95_high`, `<name>_vs_none`, …):",
                     ""]
        lines += Quantities.all.map { "- **\($0.label)** (`\($0.name)`): \($0.definition)." }
        lines += ["- **Frozen tensors unchanged**: after training, every frozen parameter was compared bit for bit with its value before training (✓ all identical, ✗ some changed, — not finished).",
                  "- Trainable and frozen parameters: elements (and tensors) of the parameters that train and that are frozen, as YOLOv5 counts `requires_grad`; BatchNorm running statistics are buffers, not parameters. MB and GB are 10⁶ and 10⁹ bytes, as YOLOv5's GPU_mem uses 10⁹."]
        return lines.joined(separator: "\n")
    }

    func filesSection() -> String {
        var lines = ["## Files", "",
                     "- `summary.csv`: the table above, one row per scenario, in raw units (bytes, seconds, fractions).",
                     "- `curves.csv`: every per-epoch series of every run (scenario × seed × epoch rows, HDF5 series names as columns).",
                     "- per run, YOLOv5 v7's own `results.csv` (same columns, `%20.5g`, 0-based epoch) for existing plotting scripts:"]
        lines += results.runKeys.compactMap { key in resultsCSVPaths[key].map { "  - `\(key.scenario)` seed \(key.seed): [`\($0)`](\($0))" } }
        return lines.joined(separator: "\n")
    }

    func configurationSection() -> String {
        var lines = ["## Resolved configuration", ""]
        for scenario in results.scenarios {
            let freeze = scenario.info.freeze.isEmpty ? "nothing" : "<code>\(SVGDocument.escape(scenario.info.freeze))</code>"
            let patterns = scenario.info.freezePatterns.isEmpty ? "" : "; patterns " + scenario.info.freezePatterns.map { "<code>\(SVGDocument.escape($0))</code>" }.joined(separator: " ")
            lines += ["<details><summary><code>\(SVGDocument.escape(scenario.name))</code>: freeze \(freeze)\(patterns)</summary>", "",
                      "```json", ResultsStore.canonicalJSON(scenario.info.configJSON, pretty: true), "```", "", "</details>", ""]
        }
        return lines.joined(separator: "\n").trimmingCharacters(in: .newlines)
    }

    func reproduceSection() -> String {
        var lines = ["## Reproduce", "", "```sh"]
        if !reproduceCommand.isEmpty { lines += ["# run the study", reproduceCommand] }
        let commands = results.scenarios.flatMap { $0.runs.map(\.info.command) }.filter { !$0.isEmpty }
        let distinct = commands.enumerated().filter { commands.firstIndex(of: $0.element) == $0.offset }.map(\.element)
        if !distinct.isEmpty { lines += ["# the commands recorded with the runs (each trains one run)"] + distinct }
        lines += ["# regenerate this report from the results file", reportCommand, "```"]
        return lines.joined(separator: "\n")
    }
}
