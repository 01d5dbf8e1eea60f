import Foundation
import Statistics

/// The trade-off the guide is about, at a glance: one point per scenario at its mean (x, y) over
/// seeds, with error bars spanning each mean's 95 % interval (none with one seed), labelled and
/// coloured as in every other chart.
enum TradeOffChart {
    struct Point {
        let name: String
        let styleIndex: Int
        let x: MeanEstimate?
        let y: MeanEstimate?
    }

    static func render(title: String, xTitle: String, yTitle: String, points: [Point]) -> String {
        let frame = ChartFrame(x: 90, y: 60, width: 560, height: 340)
        let legend = points.map { ($0.name, $0.styleIndex) }
        let width = frame.x + frame.width + 25 + max(150, ChartLegend.width(legend))
        var svg = SVGDocument(width: width, height: 470, title: title)
        svg.text(title, x: width / 2, y: 28, size: 17, anchor: .middle, bold: true)
        let drawn = points.filter { $0.x != nil && $0.y != nil }
        func extent(_ estimate: MeanEstimate) -> [Double] { [estimate.mean] + (estimate.interval.map { [$0.lower, $0.upper] } ?? []) }
        let xs = drawn.flatMap { extent($0.x!) }, ys = drawn.flatMap { extent($0.y!) }
        let xScale = NiceScale(minimum: xs.min() ?? 0, maximum: xs.max() ?? 1, ticks: 6)
        let yScale = NiceScale(minimum: ys.min() ?? 0, maximum: ys.max() ?? 1, ticks: 6)
        func px(_ x: Double) -> Double { frame.x + xScale.fraction(x) * frame.width }
        func py(_ y: Double) -> Double { frame.y + frame.height - yScale.fraction(y) * frame.height }

        for tick in yScale.ticks {
            svg.line(x1: frame.x, y1: py(tick), x2: frame.x + frame.width, y2: py(tick), stroke: ChartPalette.grid)
            svg.text(yScale.label(tick), x: frame.x - 6, y: py(tick) + 4, size: 11, anchor: .end, fill: ChartPalette.axis)
        }
        for tick in xScale.ticks {
            svg.line(x1: px(tick), y1: frame.y, x2: px(tick), y2: frame.y + frame.height, stroke: ChartPalette.grid)
            svg.text(xScale.label(tick), x: px(tick), y: frame.y + frame.height + 18, size: 11, anchor: .middle, fill: ChartPalette.axis)
        }
        svg.line(x1: frame.x, y1: frame.y + frame.height, x2: frame.x + frame.width, y2: frame.y + frame.height, stroke: ChartPalette.axis)
        svg.line(x1: frame.x, y1: frame.y, x2: frame.x, y2: frame.y + frame.height, stroke: ChartPalette.axis)
        svg.text(xTitle, x: frame.x + frame.width / 2, y: frame.y + frame.height + 40, size: 12, anchor: .middle)
        svg.text(yTitle, x: frame.x - 60, y: frame.y + frame.height / 2, size: 12, anchor: .middle, rotation: -90)
        if drawn.isEmpty {
            svg.text("no data recorded", x: frame.x + frame.width / 2, y: frame.y + frame.height / 2, size: 12, anchor: .middle,
                     fill: ChartPalette.secondaryText)
        }
        for point in drawn {
            let x = point.x!, y = point.y!, color = ChartPalette.color(point.styleIndex)
            if let interval = x.interval {
                svg.line(x1: px(interval.lower), y1: py(y.mean), x2: px(interval.upper), y2: py(y.mean), stroke: color, width: 1.5)
                for end in [interval.lower, interval.upper] {
                    svg.line(x1: px(end), y1: py(y.mean) - 4, x2: px(end), y2: py(y.mean) + 4, stroke: color, width: 1.5)
                }
            }
            if let interval = y.interval {
                svg.line(x1: px(x.mean), y1: py(interval.lower), x2: px(x.mean), y2: py(interval.upper), stroke: color, width: 1.5)
                for end in [interval.lower, interval.upper] {
                    svg.line(x1: px(x.mean) - 4, y1: py(end), x2: px(x.mean) + 4, y2: py(end), stroke: color, width: 1.5)
                }
            }
            svg.circle(x: px(x.mean), y: py(y.mean), radius: 5, fill: color,
                       tooltip: "\(point.name): \(String(format: "%.4g", x.mean)), \(String(format: "%.4g", y.mean)) (\(x.count) seed\(x.count == 1 ? "" : "s"))")
            svg.text(point.name, x: px(x.mean) + 8, y: py(y.mean) - 8, size: 11, fill: color)
        }
        ChartLegend.draw(legend, x: frame.x + frame.width + 25, y: frame.y + 10, into: &svg)
        svg.text("points: means over seeds; bars: 95 % t-intervals", x: frame.x, y: 460, size: 10, fill: ChartPalette.secondaryText)
        return svg.render()
    }
}
