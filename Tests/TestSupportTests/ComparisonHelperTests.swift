import TestSupport
import Testing

/// The comparison helpers the golden and gradient tests rely on must fail when either side holds
/// a NaN or an infinity: a broken kernel that writes NaN must not pass a golden test.
@Suite struct ComparisonHelperTests {
    static let poisons: [Float] = [.nan, .infinity, -.infinity]

    @Test(arguments: poisons)
    func closenessFailsOnANonFiniteElementOnEitherSide(_ poison: Float) {
        let reference: [Float] = [1, 2, 3, 4]
        #expect(closeness(reference, reference, absolute: 0).passes, "equal finite arrays pass")
        var bad = reference
        bad[2] = poison
        for (actual, expected) in [(bad, reference), (reference, bad), (bad, bad)] {
            let result = closeness(actual, expected, absolute: 1e30, relative: 1e30)
            #expect(!result.passes && result.nonFinite == 1 && result.worstIndex == 2, "\(result)")
            #expect(result.maxAbsoluteDifference == .infinity)
        }
        let allPoison = [Float](repeating: poison, count: 4)
        #expect(closeness(allPoison, allPoison, absolute: 1e30).failures == 4)
    }

    @Test(arguments: poisons)
    func scaledMaxDifferenceIsInfiniteOnANonFiniteElement(_ poison: Float) {
        let reference: [Float] = [0.5, -1, 2]
        #expect(scaledMaxDifference(reference, reference) == 0)
        var bad = reference
        bad[0] = poison
        #expect(scaledMaxDifference(bad, reference) == .infinity)
        #expect(scaledMaxDifference(reference, bad) == .infinity)
        // The old helper took max(0, NaN) = 0 and passed an all-NaN gradient.
        let allNaN = [Float](repeating: .nan, count: 3)
        #expect(!(scaledMaxDifference(allNaN, reference) <= 1e-3))
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func scalarHelpersFailOnANonFiniteValue(_ poison: Double) {
        #expect(relativeDifference(poison, 1) == .infinity && relativeDifference(1, poison) == .infinity)
        #expect(!(largest([1e-9, poison, 1e-8]) <= 1))
        #expect(largest([1e-9, 3e-9]) == 3e-9)
    }

    @Test(arguments: [Double.nan, .infinity])
    func directionalChecksFailOnANonFiniteDerivative(_ poison: Double) {
        #expect(compare(name: "ok", analytic: 1, numeric: 1.0001).within(1e-3))
        for check in [compare(name: "analytic", analytic: poison, numeric: 1), compare(name: "numeric", analytic: 1, numeric: poison)] {
            #expect(!check.within(1e30), "\(check)")
            #expect(check.excessRelativeError == .infinity, "\(check)")
        }
    }
}
