import Foundation

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
        let measured = results.scenarios.filter { $0.perClass != nil }
        var lines = ["## Per-class AP", ""]
        guard !measured.isEmpty else { return (lines + ["No per-class AP is recorded yet."]).joined(separator: "\n") }
        var classNames: [String] = []
        for scenario in measured { for name in scenario.perClass!.names where !classNames.contains(name) { classNames.append(name) } }
        lines.append("AP@0.5 / AP@0.5:0.95 per class. " + measured.map { scenario in
            "`\(scenario.name)`: " + (scenario.perClass!.epoch.map { "model of epoch \($0)" } ?? "epoch not recorded")
        }.joined(separator: "; ") + ".")
        lines.append("")
        lines.append(Self.row(["Class", "Labels"] + measured.map { "`\($0.name)`" }))
        lines.append(Self.row(["---", "---:"] + measured.map { _ in "---:" }))
        func pair(_ ap50: Double?, _ ap50to95: Double?) -> String { "\(DisplayFormat.fixed(ap50, 3)) / \(DisplayFormat.fixed(ap50to95, 3))" }
        for name in classNames {
            let labels = measured.lazy.compactMap { s in s.perClass!.names.firstIndex(of: name).map { s.perClass!.nLabels[$0] } }.first
            let cells = measured.map { scenario -> String in
                let perClass = scenario.perClass!
                guard let index = perClass.names.firstIndex(of: name) else { return DisplayFormat.missing }
                return pair(perClass.ap50[index], perClass.ap50to95[index])
            }
            lines.append(Self.row([name, labels.map(DisplayFormat.count) ?? DisplayFormat.missing] + cells))
        }
        let means = measured.map { scenario -> String in
            let perClass = scenario.perClass!
            return pair(ScenarioSummary.mean(perClass.ap50), ScenarioSummary.mean(perClass.ap50to95))
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

        - **final** mAP: the last recorded epoch. **best**: the epoch of highest YOLOv5 fitness, 0.1·mAP@0.5 + 0.9·mAP@0.5:0.95 (`utils/metrics.py` `fitness`, the epoch best.pt is saved at); `eN` is that 0-based epoch.
        - **Train images/s**: the mean over epochs of each epoch's training images ÷ training seconds (validation excluded).
        - **Speed-up** = train images/s of the scenario ÷ train images/s of `none`. **Epoch-time speed-up** = mean epoch wall time of `none` ÷ mean epoch wall time of the scenario (per epoch, so an unfinished run compares fairly; for finished runs of equal length it equals the ratio of total wall times). Above 1 is faster.
        - **Wall time**: the sum of the epochs' wall times (training and validation), without setup.
        - **Peak memory**: the highest per-epoch high-water mark of the memory meter (bytes of live tensors: weights, activations kept for backward, gradients, optimizer state). **Memory × none** = peak memory ÷ peak memory of `none`. **Peak RSS**: the process's peak resident set size (VmHWM, restarted each epoch). The scenarios of one sweep share a process, so RSS also holds what the allocator kept from earlier scenarios and the cached images: compare scenarios by peak memory, not RSS. MB and GB are 10⁶ and 10⁹ bytes, as YOLOv5's GPU_mem uses 10⁹.
        - **CPU util.**: the mean over epochs of process CPU time ÷ (wall time × cores).
        - **Frozen tensors unchanged**: after training, every frozen parameter was compared bit for bit with its value before training (✓ all identical, ✗ some changed, — not finished).
        - Trainable and frozen parameters: elements (and tensors) of the parameters that train and that are frozen, as YOLOv5 counts `requires_grad`; BatchNorm running statistics are buffers, not parameters.
        """
    }

    func filesSection() -> String {
        var lines = ["## Files", "",
                     "- `summary.csv`: the table above, one row per scenario, in raw units (bytes, seconds, fractions).",
                     "- `curves.csv`: every per-epoch series of every scenario (scenario × epoch rows, HDF5 series names as columns).",
                     "- per scenario, YOLOv5 v7's own `results.csv` (same columns, `%20.5g`, 0-based epoch) for existing plotting scripts:"]
        lines += results.scenarios.compactMap { scenario in resultsCSVPaths[scenario.name].map { "  - `\(scenario.name)`: [`\($0)`](\($0))" } }
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
        let commands = results.scenarios.map(\.info.command).filter { !$0.isEmpty }
        let distinct = commands.enumerated().filter { commands.firstIndex(of: $0.element) == $0.offset }.map(\.element)
        if !distinct.isEmpty { lines += ["# the commands recorded with the scenarios"] + distinct }
        lines += ["# regenerate this report from the results file", reportCommand, "```"]
        return lines.joined(separator: "\n")
    }
}
