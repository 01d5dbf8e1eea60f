import NeuralCore

/// The worst element of a tolerance comparison `|a − b| ≤ absolute + relative·|b|`.
public struct Closeness: CustomStringConvertible {
    public let count: Int
    public let failures: Int
    public let worstIndex: Int
    public let worstActual: Float
    public let worstExpected: Float
    public let maxAbsoluteDifference: Float
    public var passes: Bool { failures == 0 }

    public var description: String {
        "\(failures)/\(count) outside tolerance; max |diff| \(maxAbsoluteDifference); worst at \(worstIndex): "
            + "\(worstActual) vs \(worstExpected)"
    }
}

/// Compares `actual` with `expected` element by element under `|a − e| ≤ absolute + relative·|e|`.
public func closeness(_ actual: [Float], _ expected: [Float], absolute: Float, relative: Float = 0) -> Closeness {
    precondition(actual.count == expected.count, "closeness: \(actual.count) vs \(expected.count) elements")
    var failures = 0, worst = 0
    var worstExcess: Float = -.infinity, maxDiff: Float = 0
    for i in 0..<actual.count {
        let diff = abs(actual[i] - expected[i])
        let allowed = absolute + relative * abs(expected[i])
        if !(diff <= allowed) { failures += 1 }
        maxDiff = max(maxDiff, diff.isNaN ? .infinity : diff)
        let excess = diff.isNaN ? .infinity : diff - allowed
        if excess > worstExcess { worstExcess = excess; worst = i }
    }
    return Closeness(count: actual.count, failures: failures, worstIndex: worst,
                     worstActual: actual.isEmpty ? 0 : actual[worst],
                     worstExpected: expected.isEmpty ? 0 : expected[worst], maxAbsoluteDifference: maxDiff)
}

/// max |a − e| / max |e|: the error measured against the tensor's scale (fixtures README).
public func scaledMaxDifference(_ actual: [Float], _ expected: [Float]) -> Double {
    precondition(actual.count == expected.count, "scaledMaxDifference: \(actual.count) vs \(expected.count)")
    var maxDiff = 0.0, maxRef = 0.0
    for i in 0..<actual.count {
        maxDiff = max(maxDiff, Double(abs(actual[i] - expected[i])))
        maxRef = max(maxRef, Double(abs(expected[i])))
    }
    return maxRef == 0 ? maxDiff : maxDiff / maxRef
}
