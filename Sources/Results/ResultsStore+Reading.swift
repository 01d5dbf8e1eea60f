import Foundation
import HDF5

/// Reading runs back: every series and attribute, as plain structs.
extension ResultsStore {
    /// Everything recorded for run `key`.
    public func read(_ key: RunKey) throws -> RunResults {
        try access.reading { file in try Self.readRun(runGroup(key, in: file), seed: key.seed) }
    }

    /// The identity and every scenario with its runs, in study order, read in one opening of the file.
    public func readStudy() throws -> StudyResults {
        try access.reading { file in try Self.readStudy(file, source: url.path) }
    }

    // MARK: - Helpers

    static func readStudy(_ file: HDF5File, source: String) throws -> StudyResults {
        let identity = try identity(of: file)
        let scenarios = try orderedScenarios(in: file).map { entry in
            let group = try file.root.group("\(Schema.scenariosGroup)/\(entry.name)")
            return ScenarioResults(name: entry.name, order: entry.order, info: try info(of: group),
                                   runs: try runGroups(of: group).map { try readRun($0.group, seed: $0.seed) })
        }
        return StudyResults(identity: identity, scenarios: scenarios, source: source)
    }

    static func readRun(_ group: HDF5Group, seed: Int) throws -> RunResults {
        let epochCount = try recordedEpochs(in: group)
        var run = RunResults(
            seed: seed,
            status: try status(of: group),
            info: RunInfo(command: try group.optionalString(Schema.Run.command) ?? "",
                          threads: try group.optionalInt(Schema.Run.threads) ?? 0,
                          worldSize: try group.optionalInt(Schema.Run.worldSize) ?? 1,
                          flopsPerImage: try flopsPerImage(of: group)),
            started: try group.optionalDate(Schema.Run.started),
            finished: try group.optionalDate(Schema.Run.finished),
            machine: try machine(of: group),
            toolVersion: try group.optionalString(Schema.Run.toolVersion) ?? "",
            completion: try completion(of: group),
            epochs: try readEpochs(group, count: epochCount),
            iterations: try readIterations(group, epochs: epochCount),
            perClass: try readPerClass(group))
        run.frozenCheck = try readFrozenCheck(group)
        return run
    }

    static func info(of group: HDF5Group) throws -> ScenarioInfo {
        ScenarioInfo(
            freeze: try group.optionalString(Schema.Scenario.freeze) ?? "",
            freezePatterns: try group.optionalStrings(Schema.Scenario.freezePatterns) ?? [],
            bn: try group.optionalString(Schema.Scenario.bn) ?? "",
            trainableTensors: try group.optionalInt(Schema.Scenario.trainableTensors) ?? 0,
            trainableParameters: try group.optionalInt(Schema.Scenario.trainableParameters) ?? 0,
            frozenTensors: try group.optionalInt(Schema.Scenario.frozenTensors) ?? 0,
            frozenParameters: try group.optionalInt(Schema.Scenario.frozenParameters) ?? 0,
            configJSON: try group.optionalString(Schema.Scenario.config) ?? "{}")
    }

    /// The FLOPs per image of a run; nil when the run does not record them (an older file).
    private static func flopsPerImage(of group: HDF5Group) throws -> FLOPsPerImage? {
        guard let forward = try group.optionalDouble(Schema.Run.flopsForward) else { return nil }
        return FLOPsPerImage(forward: forward, weightGradient: try group.optionalDouble(Schema.Run.flopsWeightGradient) ?? .nan,
                             inputGradient: try group.optionalDouble(Schema.Run.flopsInputGradient) ?? .nan)
    }

    private static func completion(of group: HDF5Group) throws -> RunCompletion? {
        guard let unchanged = try group.optionalInt(Schema.Run.frozenTensorsUnchanged) else { return nil }
        return RunCompletion(frozenTensorsUnchanged: unchanged != 0,
                             frozenTensorsChecked: try group.optionalInt(Schema.Run.frozenTensorsChecked) ?? 0,
                             note: try group.optionalString(Schema.Run.note) ?? "")
    }

    /// The first `count` values of every epoch series; a series the file lacks reads as NaN.
    private static func readEpochs(_ group: HDF5Group, count: Int) throws -> [EpochRecord] {
        var records = [EpochRecord](repeating: EpochRecord(), count: count)
        guard count > 0 else { return records }
        let epochs = try group.group(Schema.epochsGroup)
        for series in EpochSeries.all where epochs.contains(series.name) {
            let values = try epochs.dataset(series.name).read(Double.self)
            for index in 0..<count { records[index][keyPath: series.field] = values[index] }
        }
        return records
    }

    /// Iterations grouped by their `epoch` series; those of epochs not (completely) recorded are left out.
    private static func readIterations(_ group: HDF5Group, epochs: Int) throws -> [[IterationRecord]] {
        var grouped = [[IterationRecord]](repeating: [], count: epochs)
        guard group.contains(Schema.iterationsGroup) else { return grouped }
        let iterations = try group.group(Schema.iterationsGroup)
        guard iterations.contains(IterationSeries.epoch) else { return grouped }
        let epochOfIteration = try iterations.dataset(IterationSeries.epoch).read(Double.self)
        var columns: [(SeriesColumn<IterationRecord>, [Double])] = []
        var count = epochOfIteration.count
        for series in IterationSeries.all where iterations.contains(series.name) {
            let values = try iterations.dataset(series.name).read(Double.self)
            count = min(count, values.count)
            columns.append((series, values))
        }
        for index in 0..<count {
            let epoch = epochOfIteration[index]
            guard epoch >= 0, epoch < Double(epochs), epoch == epoch.rounded() else { continue }
            var record = IterationRecord()
            for (series, values) in columns { record[keyPath: series.field] = values[index] }
            grouped[Int(epoch)].append(record)
        }
        return grouped
    }

    private static func readPerClass(_ group: HDF5Group) throws -> PerClassAP? {
        guard group.contains(Schema.perClassGroup) else { return nil }
        let perClass = try group.group(Schema.perClassGroup)
        let names = perClass.contains(Schema.PerClass.names) ? try perClass.dataset(Schema.PerClass.names).readStrings() : []
        func numbers(_ name: String) throws -> [Double] {
            perClass.contains(name) ? try perClass.dataset(name).read(Double.self) : []
        }
        let result = PerClassAP(names: names, ap50: try numbers(Schema.PerClass.ap50), ap50to95: try numbers(Schema.PerClass.ap50to95),
                                nLabels: try numbers(Schema.PerClass.nLabels).map { Int($0) },
                                epoch: try perClass.optionalInt(Schema.PerClass.epoch))
        for (field, count) in [(Schema.PerClass.ap50, result.ap50.count), (Schema.PerClass.ap50to95, result.ap50to95.count),
                               (Schema.PerClass.nLabels, result.nLabels.count)] where count != names.count {
            throw ResultsStoreError.malformed(file: group.file.path, object: "\(perClass.path)/\(field)",
                                              reason: "\(count) values for \(names.count) class names")
        }
        return result
    }
}
