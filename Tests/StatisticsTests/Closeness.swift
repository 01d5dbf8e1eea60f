import Testing

/// Expects |actual − expected| ≤ relative · |expected| + absolute; nil, NaN or ∞ fails
/// (`!(x <= y)` is true for NaN, and `isFinite` catches ∞).
func expectClose(_ actual: Double?, _ expected: Double, relative: Double, absolute: Double = 0,
                 _ note: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    let suffix = note.isEmpty ? "" : " — \(note)"
    guard let actual else {
        Issue.record("expected \(expected), got nil\(suffix)", sourceLocation: sourceLocation)
        return
    }
    let allowed = relative * abs(expected) + absolute
    #expect(actual.isFinite && abs(actual - expected) <= allowed,
            "\(actual) vs \(expected): |diff| \(abs(actual - expected)) > \(allowed)\(suffix)",
            sourceLocation: sourceLocation)
}
