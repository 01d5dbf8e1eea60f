import Foundation
import TestSupport
import Testing
@testable import Training
@testable import Study

/// The progress line of a run (terminal, log and the sweep's status file).
@Suite struct ProgressTests {
    func report(iteration: Int, stepped: Bool, gradientNorm: Double) -> IterationReport {
        IterationReport(epoch: 0, iteration: iteration, globalIteration: iteration, iterationsPerEpoch: iteration + 1,
                        box: 0.04, obj: 0.01, cls: 0.2, total: 0.25, learningRates: [0.01, 0.01, 0.01], momentum: 0.9,
                        accumulate: 4, images: 16, waitSeconds: 0.1, computeSeconds: 0.1, seconds: TimeSplit(),
                        optimizerStepped: stepped, gradientNorm: gradientNorm, trackedBytes: 0)
    }

    /// With gradient accumulation most iterations do not step: the line shows the latest step's
    /// norm, or "-" before the first, never the NaN an accumulating iteration carries.
    @Test func theGradientNormIsTheLatestStepsNeverNaN() throws {
        let folder = TemporaryFolder()
        let status = folder.file("status")
        let progress = Progress(scenario: "none seed 0", epochs: 1, statusFile: status)
        var lines: [String] = []
        for (iteration, stepped, norm) in [(0, false, Double.nan), (1, true, 3.25), (2, false, .nan)] {
            progress.iteration(report(iteration: iteration, stepped: stepped, gradientNorm: norm))
            lines.append(try String(contentsOf: status, encoding: .utf8))
        }
        #expect(lines[0].contains("grad -  "), "\(lines[0])")
        #expect(lines[1].contains("grad 3.2  ") && lines[2].contains("grad 3.2  "), "\(lines)")
        #expect(!lines.joined().contains("nan"), "\(lines)")
    }
}
