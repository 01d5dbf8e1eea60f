/// A Markdown table built from one column list: each column carries its header, its alignment
/// and how to write its cell of a row, so a header can never drift from its cells.
struct MarkdownTable<Row> {
    /// A column: its header, alignment and cell.
    struct Column {
        let header: String
        let alignment: Alignment
        let cell: (Row) -> String

        init(_ header: String, _ alignment: Alignment = .right, cell: @escaping (Row) -> String) {
            self.header = header
            self.alignment = alignment
            self.cell = cell
        }
    }

    /// How a column's cells line up.
    enum Alignment { case left, right }

    let columns: [Column]

    /// Header, separator and one line per row; `|` in a cell is escaped.
    func render(_ rows: [Row]) -> String {
        var lines = [Self.line(columns.map(\.header)), Self.line(columns.map { $0.alignment == .left ? "---" : "---:" })]
        for row in rows { lines.append(Self.line(columns.map { $0.cell(row) })) }
        return lines.joined(separator: "\n")
    }

    static func line(_ cells: [String]) -> String {
        "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
    }
}
