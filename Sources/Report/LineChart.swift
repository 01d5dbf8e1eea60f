import Foundation

/// Line charts of a value against epoch, one line per scenario: a single chart, or small
/// multiples (a grid of panels with a shared legend, e.g. the six losses).
enum LineChart {
    /// A panel's content.
    struct Panel {
        let title: String
        let xTitle: String
        let yTitle: String
        let series: [ChartSeries]
    }

    /// One panel with a title and a legend on the right.
    static func render(title: String, panel: Panel, legend: [(name: String, styleIndex: Int)]) -> String {
        let width = max(860, 665 + ChartLegend.width(legend))
        var svg = SVGDocument(width: width, height: 460, title: title)
        svg.text(title, x: width / 2, y: 28, size: 17, anchor: .middle, bold: true)
        draw(panel, in: ChartFrame(x: 80, y: 50, width: 560, height: 340), titled: false, into: &svg)
        ChartLegend.draw(legend, x: 665, y: 70, into: &svg)
        return svg.render()
    }

    /// `panels` in a grid of `columns`, a title above and the legend below.
    static func render(title: String, panels: [Panel], columns: Int, legend: [(name: String, styleIndex: Int)]) -> String {
        let panelWidth = 300.0, panelHeight = 230.0, gapX = 90.0, gapY = 85.0
        let rows = (panels.count + columns - 1) / columns
        let legendRows = (legend.count + 2) / 3
        let width = max(70 + Double(columns) * panelWidth + Double(columns - 1) * gapX + 30, 70 + 3 * ChartLegend.width(legend))
        let height = 70 + Double(rows) * panelHeight + Double(rows - 1) * gapY + 70 + Double(legendRows) * ChartLegend.rowHeight
        var svg = SVGDocument(width: width, height: height, title: title)
        svg.text(title, x: width / 2, y: 28, size: 17, anchor: .middle, bold: true)
        for (index, panel) in panels.enumerated() {
            let frame = ChartFrame(x: 70 + Double(index % columns) * (panelWidth + gapX), y: 70 + Double(index / columns) * (panelHeight + gapY),
                                   width: panelWidth, height: panelHeight)
            draw(panel, in: frame, titled: true, into: &svg)
        }
        // The legend in three columns under the panels.
        let legendTop = 70 + Double(rows) * panelHeight + Double(rows - 1) * gapY + 65
        for column in 0..<3 {
            let entries = legend.enumerated().filter { $0.offset % 3 == column }.map(\.element)
            ChartLegend.draw(entries, x: 70 + Double(column) * (width - 100) / 3, y: legendTop, into: &svg)
        }
        return svg.render()
    }

    /// Axes with nice ticks, grid lines, axis titles and the series of `panel` inside `frame`.
    static func draw(_ panel: Panel, in frame: ChartFrame, titled: Bool, into svg: inout SVGDocument) {
        let bandPoints = panel.series.flatMap(\.band).flatMap { [(x: $0.x, y: $0.lower), (x: $0.x, y: $0.upper)] }
        let finite = (panel.series.flatMap(\.points) + bandPoints).filter { $0.x.isFinite && $0.y.isFinite }
        let xScale = NiceScale(minimum: finite.map(\.x).min() ?? 0, maximum: finite.map(\.x).max() ?? 1, ticks: 6, integer: true)
        let yScale = NiceScale(minimum: finite.map(\.y).min() ?? 0, maximum: finite.map(\.y).max() ?? 1, ticks: 6)
        func px(_ x: Double) -> Double { frame.x + xScale.fraction(x) * frame.width }
        func py(_ y: Double) -> Double { frame.y + frame.height - yScale.fraction(y) * frame.height }

        if titled { svg.text(panel.title, x: frame.x + frame.width / 2, y: frame.y - 10, size: 13, anchor: .middle, bold: true) }
        for tick in yScale.ticks {
            svg.line(x1: frame.x, y1: py(tick), x2: frame.x + frame.width, y2: py(tick), stroke: ChartPalette.grid)
            svg.text(yScale.label(tick), x: frame.x - 6, y: py(tick) + 4, size: 11, anchor: .end, fill: ChartPalette.axis)
        }
        for tick in xScale.ticks {
            svg.line(x1: px(tick), y1: frame.y + frame.height, x2: px(tick), y2: frame.y + frame.height + 5, stroke: ChartPalette.axis)
            svg.text(xScale.label(tick), x: px(tick), y: frame.y + frame.height + 18, size: 11, anchor: .middle, fill: ChartPalette.axis)
        }
        svg.line(x1: frame.x, y1: frame.y + frame.height, x2: frame.x + frame.width, y2: frame.y + frame.height, stroke: ChartPalette.axis)
        svg.line(x1: frame.x, y1: frame.y, x2: frame.x, y2: frame.y + frame.height, stroke: ChartPalette.axis)
        svg.text(panel.xTitle, x: frame.x + frame.width / 2, y: frame.y + frame.height + 38, size: 12, anchor: .middle)
        svg.text(panel.yTitle, x: frame.x - 52, y: frame.y + frame.height / 2, size: 12, anchor: .middle, rotation: -90)
        if finite.isEmpty {
            svg.text("no data recorded", x: frame.x + frame.width / 2, y: frame.y + frame.height / 2, size: 12, anchor: .middle,
                     fill: ChartPalette.secondaryText)
        }

        // Bands first, under every line: each run of finite bounds becomes one translucent polygon.
        for series in panel.series {
            var run: [(x: Double, lower: Double, upper: Double)] = []
            func flush() {
                if run.count > 1 {
                    let outline = run.map { (x: px($0.x), y: py($0.upper)) } + run.reversed().map { (x: px($0.x), y: py($0.lower)) }
                    svg.polygon(outline, fill: ChartPalette.color(series.styleIndex), opacity: 0.18)
                }
                run = []
            }
            for point in series.band {
                if point.x.isFinite && point.lower.isFinite && point.upper.isFinite { run.append(point) } else { flush() }
            }
            flush()
        }
        for series in panel.series {
            let color = ChartPalette.color(series.styleIndex)
            // Runs of finite points become polylines; a NaN (not measured) breaks the line.
            var run: [(x: Double, y: Double)] = []
            func flush() {
                if run.count > 1 { svg.polyline(run, stroke: color, dash: ChartPalette.dash(series.styleIndex)) }
                run = []
            }
            for point in series.points {
                if point.x.isFinite && point.y.isFinite { run.append((px(point.x), py(point.y))) } else { flush() }
            }
            flush()
            // Markers where there are few epochs (and for an isolated point, which has no line).
            let drawn = series.points.filter { $0.x.isFinite && $0.y.isFinite }
            if drawn.count <= 60 {
                for point in drawn {
                    svg.circle(x: px(point.x), y: py(point.y), radius: 2.5, fill: color,
                               tooltip: "\(series.name), epoch \(Int(point.x)): \(String(format: "%.4g", point.y))")
                }
            }
        }
    }
}
