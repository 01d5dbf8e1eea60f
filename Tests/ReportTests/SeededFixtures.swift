import Foundation
@testable import Report
import Results

/// Studies of several seeds with chosen per-seed numbers, for the statistics of the report.
enum SeededFixtures {
    /// Seeds of the multi-seed studies.
    static let seeds = [0, 1, 2]

    /// `name` with one complete run per seed of `seeds`: seed i has final mAP@0.5 `map50[i]`
    /// (mAP@0.5:0.95 half of it), `imagesPerSecond[i]` images/s over 1200 images an epoch, peak
    /// memory `peakBytes`, a time split whose backward phase is `backwardSeconds` and the FLOPs `flops`.
    static func scenario(_ name: String, order: Int, frozen: Int, map50: [Double], imagesPerSecond: [Double],
                         peakBytes: Double, backwardSeconds: Double = 25,
                         flops: FLOPsPerImage? = FLOPsPerImage(forward: 2.5e9, weightGradient: 2.0e9, inputGradient: 1.5e9)) -> ScenarioResults {
        var result = ReportFixtures.scenario(name, order: order, frozen: frozen, imagesPerSecond: imagesPerSecond[0], epochSeconds: 60,
                                             peakBytes: peakBytes, cpu: 0.9, map50: map50[0], map50to95: map50[0] / 2)
        result.runs = seeds.indices.map { i in
            var run = ReportFixtures.scenario(name, order: order, frozen: frozen, imagesPerSecond: imagesPerSecond[i],
                                              epochSeconds: 1200 / imagesPerSecond[i], peakBytes: peakBytes, cpu: 0.9,
                                              map50: map50[i], map50to95: map50[i] / 2).runs[0]
            run.seed = seeds[i]
            run.info.flopsPerImage = flops
            for epoch in run.epochs.indices { run.epochs[epoch].secondsBackward = backwardSeconds }
            return run
        }
        return result
    }

    /// Three seeds where freezing all but Detect is clearly faster, uses clearly less memory and
    /// loses about 5 % of mAP on every seed, and freezing the backbone changes accuracy and speed
    /// only inside the seed-to-seed noise.
    static func threeSeeds() -> StudyResults {
        StudyResults(identity: StudyFixtures.identity(), scenarios: [
            scenario("none", order: 0, frozen: 0, map50: [0.60, 0.55, 0.65], imagesPerSecond: [20, 30, 25], peakBytes: 500e6),
            scenario("backbone", order: 1, frozen: 2000, map50: [0.61, 0.54, 0.655], imagesPerSecond: [22, 27, 26], peakBytes: 400e6,
                     backwardSeconds: 15, flops: FLOPsPerImage(forward: 2.5e9, weightGradient: 1.0e9, inputGradient: 0.5e9)),
            scenario("all-but-detect", order: 2, frozen: 4900, map50: [0.57, 0.52, 0.62], imagesPerSecond: [30, 44, 38], peakBytes: 300e6,
                     backwardSeconds: 3, flops: FLOPsPerImage(forward: 2.5e9, weightGradient: 0.2e9, inputGradient: 0.1e9)),
        ])
    }

    /// The guide's shape on three seeds: freezing more is faster, a little less accurate and uses
    /// less memory, on every seed.
    static func guideLike() -> StudyResults {
        StudyResults(identity: StudyFixtures.identity(), scenarios: [
            scenario("none", order: 0, frozen: 0, map50: [0.60, 0.55, 0.65], imagesPerSecond: [20, 30, 25], peakBytes: 500e6),
            scenario("backbone", order: 1, frozen: 2000, map50: [0.59, 0.54, 0.64], imagesPerSecond: [26, 39, 32.5], peakBytes: 400e6),
            scenario("all-but-detect", order: 2, frozen: 4900, map50: [0.57, 0.52, 0.62], imagesPerSecond: [30, 44, 38], peakBytes: 300e6),
        ])
    }

    /// The opposite on three seeds: frozen scenarios are slower, more accurate and use more memory.
    static func contrary() -> StudyResults {
        StudyResults(identity: StudyFixtures.identity(), scenarios: [
            scenario("none", order: 0, frozen: 0, map50: [0.60, 0.55, 0.65], imagesPerSecond: [20, 30, 25], peakBytes: 500e6),
            scenario("backbone", order: 1, frozen: 2000, map50: [0.61, 0.56, 0.66], imagesPerSecond: [19, 28.5, 23.75], peakBytes: 600e6),
            scenario("all-but-detect", order: 2, frozen: 4900, map50: [0.62, 0.57, 0.67], imagesPerSecond: [19.5, 29, 24], peakBytes: 700e6),
        ])
    }
}
