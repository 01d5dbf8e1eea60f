import Foundation

/// A bar per scenario (in study order, in its colour) with its value written above it, a
/// zero-based y axis with nice ticks, axis titles and a legend.
enum BarChart {
    struct Bar {
        /// Scenario name.
        let label: String
        /// A second line under the name (e.g. "running"), if any.
        let note: String?
        let styleIndex: Int
        /// nil: not measured (an empty slot marked "—").
        let value: Double?
        /// Written above the bar: the value, and e.g. its ratio to `none`.
        let annotation: String
    }

    static func render(title: String, yTitle: String, bars: [Bar]) -> String {
        let slot = 120.0
        let frame = ChartFrame(x: 90, y: 60, width: max(360, slot * Double(bars.count)), height: 320)
        let width = frame.x + frame.width + 25 + max(150, ChartLegend.width(bars.map { ($0.label, $0.styleIndex) }))
        var svg = SVGDocument(width: width, height: 470, title: title)
        svg.text(title, x: width / 2, y: 28, size: 17, anchor: .middle, bold: true)
        let values = bars.compactMap(\.value).filter(\.isFinite)
        let scale = NiceScale(minimum: 0, maximum: (values.max() ?? 1) * 1.04, ticks: 6, includeZero: true)
        func py(_ y: Double) -> Double { frame.y + frame.height - scale.fraction(y) * frame.height }

        for tick in scale.ticks {
            svg.line(x1: frame.x, y1: py(tick), x2: frame.x + frame.width, y2: py(tick), stroke: ChartPalette.grid)
            svg.text(scale.label(tick), x: frame.x - 6, y: py(tick) + 4, size: 11, anchor: .end, fill: ChartPalette.axis)
        }
        let step = frame.width / Double(max(1, bars.count))
        for (index, bar) in bars.enumerated() {
            let center = frame.x + step * (Double(index) + 0.5)
            let barWidth = min(70, step * 0.6)
            if let value = bar.value, value.isFinite {
                svg.rect(x: center - barWidth / 2, y: py(value), width: barWidth, height: py(0) - py(value),
                         fill: ChartPalette.color(bar.styleIndex), tooltip: "\(bar.label): \(bar.annotation)")
                svg.text(bar.annotation, x: center, y: py(value) - 6, size: 11, anchor: .middle)
            } else {
                svg.text(DisplayFormat.missing, x: center, y: py(0) - 6, size: 11, anchor: .middle, fill: ChartPalette.secondaryText)
            }
            svg.text(bar.label, x: center, y: frame.y + frame.height + 18, size: 11, anchor: .middle)
            if let note = bar.note {
                svg.text(note, x: center, y: frame.y + frame.height + 31, size: 10, anchor: .middle, fill: ChartPalette.secondaryText)
            }
        }
        svg.line(x1: frame.x, y1: py(0), x2: frame.x + frame.width, y2: py(0), stroke: ChartPalette.axis)
        svg.line(x1: frame.x, y1: frame.y, x2: frame.x, y2: frame.y + frame.height, stroke: ChartPalette.axis)
        svg.text("scenario", x: frame.x + frame.width / 2, y: frame.y + frame.height + 52, size: 12, anchor: .middle)
        svg.text(yTitle, x: frame.x - 60, y: frame.y + frame.height / 2, size: 12, anchor: .middle, rotation: -90)
        ChartLegend.draw(bars.map { ($0.label, $0.styleIndex) }, x: frame.x + frame.width + 25, y: frame.y + 10, into: &svg)
        return svg.render()
    }
}
