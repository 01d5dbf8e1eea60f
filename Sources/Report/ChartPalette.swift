/// Colours of scenarios, the same in every chart: a scenario's colour follows its position in
/// the study (the recorded order). Okabe & Ito's colour-blind-safe palette (2008), yellow left
/// out for contrast on white; past seven scenarios the colours repeat with dashed lines.
enum ChartPalette {
    static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    static let dashes: [String?] = [nil, "6 3", "2 2", "8 3 2 3"]

    static func color(_ index: Int) -> String { colors[index % colors.count] }

    static func dash(_ index: Int) -> String? { dashes[(index / colors.count) % dashes.count] }

    /// Axis, grid and secondary text colours.
    static let axis = "#444444", grid = "#e3e3e3", secondaryText = "#666666"
}

/// One line of a line chart: a scenario's values by epoch (NaN breaks the line), with an
/// optional band around it (the 95 % interval over seeds; NaN bounds leave a gap).
struct ChartSeries {
    let name: String
    /// Position in the study, choosing colour and dash.
    let styleIndex: Int
    let points: [(x: Double, y: Double)]
    var band: [(x: Double, lower: Double, upper: Double)] = []
}

/// A rectangle of the drawing.
struct ChartFrame {
    let x: Double, y: Double, width: Double, height: Double
}

/// The legend: a coloured line and the name of each scenario, one per row.
enum ChartLegend {
    static let rowHeight = 18.0

    /// Width the legend needs: the line, a gap and the longest name (about 7 px a character at 12 px).
    static func width(_ entries: [(name: String, styleIndex: Int)]) -> Double {
        28 + 7 * Double(entries.map(\.name.count).max() ?? 0) + 10
    }

    static func draw(_ entries: [(name: String, styleIndex: Int)], x: Double, y: Double, into svg: inout SVGDocument) {
        for (row, entry) in entries.enumerated() {
            let rowY = y + Double(row) * rowHeight
            svg.line(x1: x, y1: rowY - 4, x2: x + 22, y2: rowY - 4, stroke: ChartPalette.color(entry.styleIndex), width: 3,
                     dash: ChartPalette.dash(entry.styleIndex))
            svg.text(entry.name, x: x + 28, y: rowY, size: 12)
        }
    }
}
