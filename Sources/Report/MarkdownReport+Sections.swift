import Foundation
import Results

/// The sections of `report.md` after the table.
extension MarkdownReport {
    func claimsSection() -> String {
        var lines = ["## The guide's claims, checked", "",
                     "Each claim of the guide against this study's numbers. Verdicts: **holds**, **does not hold**, **mixed** (holds for some scenarios or measures and not others), **not checked** (the data to decide is missing)."]
        for claim in claims {
            lines += ["", "### (\(claim.id)) \(claim.claim) — **\(claim.verdict.rawValue)**", "", "*Rule:* \(claim.criterion)", ""]
            for finding in claim.findings {
                let subject = results.scenario(finding.subject) == nil ? finding.subject : "`\(finding.subject)`"
                lines.append("- \(subject) — **\(finding.verdict.rawValue)**: \(finding.text)")
            }
            if !claim.excluded.isEmpty { lines.append("- Left out: " + claim.excluded.joined(separator: ", ")) }
        }
        lines += ["", "CPU utilisation stands in for the guide's GPU utilisation: on a CPU the GEMMs of the layers that still run keep every core busy, so a frozen model may do less work per image without using the cores less."]
        return lines.joined(separator: "\n")
    }

    func guideSection() -> String {
        var lines = ["## The guide's own numbers", "",
                     "Setup: \(GuideReference.setup). Relative changes and speed-ups are computed here from the guide's figures.", "",
                     Self.row(["Guide scenario", "FreezeStudy scenario", "mAP@0.5", "mAP@0.5:0.95", "Change vs none", "Training time", "Speed-up (time)"]),
                     Self.row(["---", "---", "---:", "---:", "---:", "---:", "---:"])]
        for row in GuideReference.rows {
            let change = row.scenario == GuideReference.none.scenario ? DisplayFormat.missing
                : "\(DisplayFormat.change(GuideReference.relativeChange(row, \.map50))) / \(DisplayFormat.change(GuideReference.relativeChange(row, \.map50to95)))"
            lines.append(Self.row([row.description, "`\(row.scenario)`", String(format: "%.3f", row.map50), String(format: "%.3f", row.map50to95),
                                   change, DisplayFormat.duration(row.trainingSeconds), DisplayFormat.ratio(GuideReference.speedUp(row))]))
        }
        lines += ["", "The guide shows GPU memory and GPU utilisation only as charts (both lower the more is frozen), so there are no figures to set beside ours. Its memory is YOLOv5's GPU_mem, `torch.cuda.memory_reserved()` (live tensors plus the caching allocator's free blocks); ours is the memory meter's high-water mark of live tensor bytes, with the process's peak RSS beside it."]
        return lines.joined(separator: "\n")
    }

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
        lines.append(Self.row(["Class", "Labels"] + measured.map { "`\($0.name)`" }))
        lines.append(Self.row(["---", "---:"] + measured.map { _ in "---:" }))
        func pair(_ ap50: Double?, _ ap50to95: Double?) -> String { "\(DisplayFormat.fixed(ap50, 3)) / \(DisplayFormat.fixed(ap50to95, 3))" }
        for name in classNames {
            let labels = measured.lazy.flatMap(\.perClass).compactMap { p in p.names.firstIndex(of: name).map { p.nLabels[$0] } }.first
            let cells = measured.map { scenario -> String in
                let values = scenario.perClass.compactMap { p in p.names.firstIndex(of: name).map { (p.ap50[$0], p.ap50to95[$0]) } }
                guard !values.isEmpty else { return DisplayFormat.missing }
                return pair(Statistic.mean(values.map(\.0)), Statistic.mean(values.map(\.1)))
            }
            lines.append(Self.row([name, labels.map(DisplayFormat.count) ?? DisplayFormat.missing] + cells))
        }
        let means = measured.map { scenario -> String in
            pair(Statistic.mean(scenario.perClass.compactMap { Statistic.mean($0.ap50) }),
                 Statistic.mean(scenario.perClass.compactMap { Statistic.mean($0.ap50to95) }))
        }
        lines.append(Self.row(["**all** (mean over classes with an AP)", DisplayFormat.missing] + means))
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
        """
        ## How the numbers are computed

        - **Runs and seeds**: a run is one scenario trained with one seed, by its own process; for one seed every scenario sees the same data order, augmentation and initialisation of what the starting weights do not provide. Each number of a scenario is the plain mean over its complete runs (over its running ones while none is complete); the best epoch `eN` is shown when every run has the same.
        - **final** mAP: the last recorded epoch. **best**: the epoch of highest YOLOv5 fitness, 0.1·mAP@0.5 + 0.9·mAP@0.5:0.95 (`utils/metrics.py` `fitness`, the epoch best.pt is saved at); `eN` is that 0-based epoch.
        - **Train images/s**: the mean over epochs of each epoch's training images ÷ training seconds (validation excluded).
        - **Speed-up** = train images/s of the scenario ÷ train images/s of `none`. **Epoch-time speed-up** = mean epoch wall time of `none` ÷ mean epoch wall time of the scenario (per epoch, so an unfinished run compares fairly; for finished runs of equal length it equals the ratio of total wall times). Above 1 is faster.
        - **Wall time**: the sum of the epochs' wall times (training and validation), without setup.
        - **Peak memory**: the highest per-epoch high-water mark of the memory meter (bytes of live tensors: weights, activations kept for backward, gradients, optimizer state). **Memory × none** = peak memory ÷ peak memory of `none`. **Peak RSS**: the peak resident set size of the run's own process (VmHWM, restarted each epoch): every run is a process of its own, so it holds only that run's model, data cache and allocator. MB and GB are 10⁶ and 10⁹ bytes, as YOLOv5's GPU_mem uses 10⁹.
        - **CPU util.**: the mean over epochs of process CPU time ÷ (wall time × cores).
        - **Frozen tensors unchanged**: after training, every frozen parameter was compared bit for bit with its value before training (✓ all identical, ✗ some changed, — not finished).
        - Trainable and frozen parameters: elements (and tensors) of the parameters that train and that are frozen, as YOLOv5 counts `requires_grad`; BatchNorm running statistics are buffers, not parameters.
        """
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
