import Results
import Statistics

/// A scenario's numbers seed by seed, and their mean with its 95 % t-interval.
extension ScenarioSummary {
    /// `quantity` of each summarised run that has a finite value, by seed.
    func values(_ quantity: Quantity) -> [Int: Double] {
        var values: [Int: Double] = [:]
        for run in runs { if let value = quantity.value(run), value.isFinite { values[run.seed] = value } }
        return values
    }

    /// The mean over seeds of `quantity` with its 95 % t-interval (none with one seed); nil when
    /// no run has a value.
    func estimate(_ quantity: Quantity) -> MeanEstimate? { try? MeanEstimate(seeds: values(quantity)) }

    /// The time split of a mean epoch: per phase, the mean over seeds of each run's mean epoch;
    /// nil when a summarised run did not record it.
    var timeSplit: PhaseSeconds? {
        let splits = runs.compactMap(\.timeSplit)
        guard !splits.isEmpty, splits.count == runs.count else { return nil }
        func mean(_ phase: KeyPath<PhaseSeconds, Double>) -> Double { splits.map { $0[keyPath: phase] }.reduce(0, +) / Double(splits.count) }
        return PhaseSeconds(dataWait: mean(\.dataWait), forward: mean(\.forward), backward: mean(\.backward),
                            optimizer: mean(\.optimizer), ema: mean(\.ema), validation: mean(\.validation))
    }

    /// The work of one training image: the FLOPs recorded with its runs (the same for every seed)
    /// and its trainable parameters; nil when no run recorded the FLOPs.
    var trainingWork: TrainingWork? {
        guard let flops = runs.lazy.compactMap(\.flopsPerImage).first else { return nil }
        return TrainingWork(forwardFLOPs: flops.forward, weightGradientFLOPs: flops.weightGradient,
                            inputGradientFLOPs: flops.inputGradient, trainableParameters: Double(info.trainableParameters))
    }
}

/// One frozen scenario against `none` on one quantity, seed by seed: the paired sample and what
/// the report shows of it (difference and relative change, or ratio), or why it cannot.
struct PairedComparison {
    let scenario: String
    let quantity: Quantity
    /// The seeds both scenarios recorded, with each side's value; nil when they share none.
    let sample: PairedSample?
    /// Why there is no sample (no common seed, a value not a number).
    let problem: String?

    init(_ scenario: ScenarioSummary, against baseline: ScenarioSummary, on quantity: Quantity) {
        self.scenario = scenario.name
        self.quantity = quantity
        do {
            sample = try PairedSample(baseline: baseline.values(quantity), other: scenario.values(quantity))
            problem = nil
        } catch {
            sample = nil
            problem = "\(error)"
        }
    }

    /// Per seed: scenario − none (difference) or scenario ÷ none (ratio).
    var perSeed: [(seed: Int, value: Double)] {
        guard let sample else { return [] }
        return sample.seeds.indices.map { index in
            let base = sample.baseline[index], other = sample.other[index]
            return (sample.seeds[index], quantity.comparison == .difference ? other - base : other / base)
        }
    }

    /// Mean scenario − none over seeds, with its t-interval.
    var difference: MeanEstimate? { try? sample?.difference() }
    /// Mean of the per-seed relative changes scenario/none − 1, with its t-interval.
    var relativeChange: MeanEstimate? { try? sample?.relativeDifference() }
    /// Geometric mean of the per-seed ratios scenario ÷ none, with its interval.
    var ratio: RatioEstimate? { try? sample?.ratio() }
    /// Paired seeds.
    var seeds: Int { sample?.count ?? 0 }
}
