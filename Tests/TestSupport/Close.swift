import NeuralCore

// Every helper here fails on a NaN or an infinity on either side: `max(x, .nan)` returns x and
// `.nan <= t` is false, so a comparison written the obvious way either drops a NaN or passes it
// through a `max`. A golden test must never pass on an all-NaN tensor.

/// The worst element of a tolerance comparison `|a − b| ≤ absolute + relative·|b|`.
public struct Closeness: CustomStringConvertible {
    public let count: Int
    public let failures: Int
    /// Elements where either side is NaN or infinite (each also counts as a failure).
    public let nonFinite: Int
    public let worstIndex: Int
    public let worstActual: Float
    public let worstExpected: Float
    /// The largest |a − e|; infinite when any element is not finite.
    public let maxAbsoluteDifference: Float
    public var passes: Bool { failures == 0 }

    public var description: String {
        "\(failures)/\(count) outside tolerance (\(nonFinite) not finite); max |diff| \(maxAbsoluteDifference); "
            + "worst at \(worstIndex): \(worstActual) vs \(worstExpected)"
    }
}

/// Compares `actual` with `expected` element by element under `|a − e| ≤ absolute + relative·|e|`;
/// an element that is NaN or infinite on either side fails.
public func closeness(_ actual: [Float], _ expected: [Float], absolute: Float, relative: Float = 0) -> Closeness {
    precondition(actual.count == expected.count, "closeness: \(actual.count) vs \(expected.count) elements")
    var failures = 0, nonFinite = 0, worst = 0
    var worstExcess: Float = -.infinity, maxDiff: Float = 0
    for i in 0..<actual.count {
        guard actual[i].isFinite && expected[i].isFinite else {
            failures += 1
            nonFinite += 1
            maxDiff = .infinity
            if worstExcess < .infinity { worstExcess = .infinity; worst = i }
            continue
        }
        let diff = abs(actual[i] - expected[i])
        let allowed = absolute + relative * abs(expected[i])
        if !(diff <= allowed) { failures += 1 }
        maxDiff = max(maxDiff, diff)
        if diff - allowed > worstExcess { worstExcess = diff - allowed; worst = i }
    }
    return Closeness(count: actual.count, failures: failures, nonFinite: nonFinite, worstIndex: worst,
                     worstActual: actual.isEmpty ? 0 : actual[worst],
                     worstExpected: expected.isEmpty ? 0 : expected[worst], maxAbsoluteDifference: maxDiff)
}

/// max |a − e| / max |e|: the error measured against the tensor's scale (fixtures README).
/// Infinite when any element on either side is NaN or infinite, so `≤ tolerance` fails.
public func scaledMaxDifference(_ actual: [Float], _ expected: [Float]) -> Double {
    precondition(actual.count == expected.count, "scaledMaxDifference: \(actual.count) vs \(expected.count)")
    var maxDiff = 0.0, maxRef = 0.0
    for i in 0..<actual.count {
        guard actual[i].isFinite && expected[i].isFinite else { return .infinity }
        maxDiff = max(maxDiff, Double(abs(actual[i] - expected[i])))
        maxRef = max(maxRef, Double(abs(expected[i])))
    }
    return maxRef == 0 ? maxDiff : maxDiff / maxRef
}

/// |a − e| / |e| for two scalars (a loss, a learning rate); infinite when either is not finite.
public func relativeDifference(_ actual: Double, _ expected: Double) -> Double {
    guard actual.isFinite && expected.isFinite else { return .infinity }
    let difference = abs(actual - expected)
    return expected == 0 ? difference : difference / abs(expected)
}

/// The largest of `values` (deviations, ≥ 0), or +infinity when any is NaN or infinite
/// (`Swift.max` would drop a NaN).
public func largest(_ values: [Double]) -> Double {
    values.contains { !$0.isFinite } ? .infinity : values.reduce(0, max)
}
