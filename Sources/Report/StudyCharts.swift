import Foundation
import Results
import Statistics

/// The report's charts (`charts/*.svg`), drawn from the results alone. Every chart colours a
/// scenario by its position in the study, so one scenario has one colour everywhere.
enum StudyCharts {
    /// File name (in `charts/`) and SVG text of every chart, in the order the report shows them.
    static func render(_ results: StudyResults, _ summary: StudySummary) -> [(file: String, title: String, svg: String)] {
        let legend = summary.scenarios.enumerated().map { (legendName($0.element), $0.offset) }
        func series(_ field: KeyPath<EpochRecord, Double>, band: Bool = false) -> [ChartSeries] {
            results.scenarios.enumerated().map { index, scenario in
                ChartSeries(name: scenario.name, styleIndex: index, points: meanCurve(scenario.summarisedRuns, field),
                            band: band ? intervalBand(scenario.summarisedRuns, field) : [])
            }
        }
        func mapChart(_ field: KeyPath<EpochRecord, Double>, _ metric: String) -> String {
            LineChart.render(title: "\(metric) vs epoch (validation; mean over seeds, band: 95 % interval)",
                             panel: .init(title: metric, xTitle: "epoch (0-based)", yTitle: "\(metric) (0–1)", series: series(field, band: true)),
                             legend: legend)
        }
        let lossPanels: [LineChart.Panel] = [
            ("train box loss", \EpochRecord.trainBox), ("train obj loss", \.trainObj), ("train cls loss", \.trainCls),
            ("val box loss", \.valBox), ("val obj loss", \.valObj), ("val cls loss", \.valCls),
        ].map { LineChart.Panel(title: $0.0, xTitle: "epoch (0-based)", yTitle: "loss (per image)", series: series($0.1)) }

        let none = summary.baseline
        func bars(_ value: (ScenarioSummary) -> Double?, _ annotation: (ScenarioSummary) -> String) -> [BarChart.Bar] {
            summary.scenarios.enumerated().map { index, scenario in
                BarChart.Bar(label: scenario.name, note: scenario.isComplete ? nil : "running, \(scenario.epochsRecorded) ep.",
                             styleIndex: index, value: value(scenario), annotation: annotation(scenario))
            }
        }
        func relative(_ ratio: Double?, _ scenario: ScenarioSummary) -> String {
            none == nil || scenario.name == StudySummary.baselineName ? "" : " (\(DisplayFormat.ratio(ratio)))"
        }
        return [
            ("map50.svg", "mAP@0.5 vs epoch", mapChart(\.map50, "mAP@0.5")),
            ("map50_95.svg", "mAP@0.5:0.95 vs epoch", mapChart(\.map50to95, "mAP@0.5:0.95")),
            ("losses.svg", "Losses vs epoch",
             LineChart.render(title: "Training and validation losses vs epoch", panels: lossPanels, columns: 3, legend: legend)),
            ("images_per_second.svg", "Training throughput",
             BarChart.render(title: "Training throughput (mean over epochs)", yTitle: "images per second",
                             bars: bars(\.imagesPerSecond) { DisplayFormat.fixed($0.imagesPerSecond, 1) + relative($0.speedUp, $0) })),
            ("peak_memory.svg", "Peak memory",
             BarChart.render(title: "Peak tracked memory (live tensors)", yTitle: "peak memory (MB, 10⁶ bytes)",
                             bars: bars({ $0.trackedPeakBytes.map { $0 / 1e6 } }) {
                                 DisplayFormat.fixed($0.trackedPeakBytes.map { $0 / 1e6 }, 1) + relative($0.memoryRatio, $0)
                             })),
            ("cpu_utilization.svg", "CPU busy (not GPU utilisation)",
             BarChart.render(title: "CPU busy: CPU time ÷ (wall time × cores); not the guide's GPU utilisation", yTitle: "CPU busy (% of all cores)",
                             bars: bars({ $0.cpuUtilization.map { $0 * 100 } }) { DisplayFormat.percent($0.cpuUtilization) })),
            ("tradeoff_speed.svg", "Accuracy vs training speed",
             tradeOff(summary, x: Quantities.imagesPerSecond, xTitle: "train images per second", title: "Accuracy vs training speed")),
            ("tradeoff_memory.svg", "Accuracy vs peak memory",
             tradeOff(summary, x: Quantities.trackedPeakBytes, xTitle: "peak memory (MB, 10⁶ bytes)", title: "Accuracy vs peak memory", xScale: 1e-6)),
        ]
    }

    /// Final mAP@0.5 against `x`, one point per scenario with its 95 % intervals.
    static func tradeOff(_ summary: StudySummary, x: Quantity, xTitle: String, title: String, xScale: Double = 1) -> String {
        let points = summary.scenarios.enumerated().map { index, scenario in
            TradeOffChart.Point(name: scenario.name, styleIndex: index, x: try? MeanEstimate(seeds: scenario.values(x).mapValues { $0 * xScale }),
                                y: scenario.estimate(Quantities.finalMAP50))
        }
        return TradeOffChart.render(title: title, xTitle: xTitle, yTitle: "\(Quantities.finalMAP50.label) (0–1)", points: points)
    }

    /// The values of `runs` at `epoch` of `field`, where finite.
    private static func values(_ runs: [RunResults], _ field: KeyPath<EpochRecord, Double>, epoch: Int) -> [Double] {
        runs.filter { $0.epochs.count > epoch }.map { $0.epochs[epoch][keyPath: field] }.filter(\.isFinite)
    }

    /// Per epoch, the 95 % t-interval of the mean of `field` over the runs (NaN where fewer than two have a value).
    static func intervalBand(_ runs: [RunResults], _ field: KeyPath<EpochRecord, Double>) -> [(x: Double, lower: Double, upper: Double)] {
        let epochs = runs.map(\.epochs.count).max() ?? 0
        return (0..<epochs).map { epoch in
            let interval = (try? MeanEstimate(values(runs, field, epoch: epoch)))?.interval
            return (Double(epoch), interval?.lower ?? .nan, interval?.upper ?? .nan)
        }
    }

    /// A scenario's legend entry: its name, with its seeds when there are several, marked while
    /// a run has not finished.
    static func legendName(_ scenario: ScenarioSummary) -> String {
        let seeds = scenario.seeds.count > 1 ? " (mean of \(scenario.seeds.count) seeds)" : ""
        return scenario.isComplete ? scenario.name + seeds : "\(scenario.name) (running, \(DisplayFormat.epochs(scenario.epochsRecorded)))"
    }

    /// Per epoch, the mean of `field` over the runs that recorded that epoch (NaN where none has a value).
    static func meanCurve(_ runs: [RunResults], _ field: KeyPath<EpochRecord, Double>) -> [(x: Double, y: Double)] {
        let epochs = runs.map(\.epochs.count).max() ?? 0
        return (0..<epochs).map { epoch in
            (Double(epoch), Statistic.mean(runs.filter { $0.epochs.count > epoch }.map { $0.epochs[epoch][keyPath: field] }) ?? .nan)
        }
    }
}
