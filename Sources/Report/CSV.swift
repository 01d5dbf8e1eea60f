/// Comma-separated values as RFC 4180 writes them: a header row, then one row per record; a
/// field with a comma, quote or line break is quoted, quotes doubled. Numbers are written in
/// raw units with full precision; a missing number is an empty field.
struct CSV {
    /// A named column and how to write its field of a row.
    struct Column<Row> {
        let name: String
        let field: (Row) -> String
    }

    /// The document: header and rows, each line ended by "\n".
    static func render<Row>(_ rows: [Row], columns: [Column<Row>]) -> String {
        var lines = [columns.map { quote($0.name) }.joined(separator: ",")]
        for row in rows { lines.append(columns.map { quote($0.field(row)) }.joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number with every digit that tells it apart (Swift's shortest round-trip form), whole
    /// numbers without a decimal point (`812345678`, `0.61234`); empty for nil and NaN.
    static func number(_ value: Double?) -> String {
        guard let value, !value.isNaN else { return "" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func number(_ value: Int?) -> String { value.map(String.init) ?? "" }

    static func flag(_ value: Bool?) -> String { value.map { $0 ? "true" : "false" } ?? "" }
}
