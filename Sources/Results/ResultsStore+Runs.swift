import Foundation
import HDF5

/// Beginning, resuming, restarting and finishing runs.
extension ResultsStore {
    /// Begins run `key` of a scenario described by `scenario`, and returns how many epochs are
    /// already recorded for it (the epoch to resume at; 0 for a new run).
    ///
    /// - A new scenario gets its group with `scenario`'s attributes and `order`; an existing one
    ///   must have been recorded with the same description (freeze, bn, parameter counts,
    ///   configuration), or `scenarioChanged` names the field that differs.
    /// - A new run gets its group, its attributes from `run` and empty series.
    /// - A `running` run (killed earlier) keeps its epochs for resume.
    /// - A `complete` run throws `runComplete` unless `restart`.
    /// - `restart: true` removes what the run recorded; if no other seed of the scenario is in the
    ///   file, the scenario's description is replaced too.
    @discardableResult
    public func beginRun(_ key: RunKey, scenario: ScenarioInfo, run: RunInfo, order: Int, restart: Bool = false) throws -> Int {
        try Self.validate(scenarioName: key.scenario)
        return try writing { file in
            let scenarios = try file.root.makeGroup(Schema.scenariosGroup)
            let seedName = String(key.seed)
            if scenarios.contains(key.scenario) {
                let existing = try scenarios.group(key.scenario)
                let otherSeeds = try Self.runGroups(of: existing).map(\.seed).filter { $0 != key.seed }
                if !(restart && otherSeeds.isEmpty) { try checkUnchanged(existing, name: key.scenario, info: scenario) }
                if existing.contains("\(Schema.seedsGroup)/\(seedName)") {
                    let runGroup = try existing.group("\(Schema.seedsGroup)/\(seedName)")
                    if !restart {
                        guard try Self.status(of: runGroup) == .running else { throw ResultsStoreError.runComplete(file: url.path, run: key) }
                        return try Self.recordedEpochs(in: runGroup)
                    }
                }
                if restart && otherSeeds.isEmpty {
                    let keptOrder = try existing.optionalInt(Schema.Scenario.order) ?? order
                    try scenarios.remove(key.scenario)
                    try write(scenario, order: keptOrder, on: scenarios.makeGroup(key.scenario))
                } else if restart, existing.contains("\(Schema.seedsGroup)/\(seedName)") {
                    try existing.group(Schema.seedsGroup).remove(seedName)
                }
            } else {
                try write(scenario, order: order, on: scenarios.makeGroup(key.scenario))
            }
            let group = try scenarios.makeGroup("\(key.scenario)/\(Schema.seedsGroup)/\(seedName)")
            try write(run, seed: key.seed, on: group)
            let epochs = try group.makeGroup(Schema.epochsGroup)
            for series in EpochSeries.all { try epochs.makeSeries(series.name, of: Double.self, chunk: Schema.epochChunk) }
            let iterations = try group.makeGroup(Schema.iterationsGroup)
            for series in IterationSeries.all { try iterations.makeSeries(series.name, of: Double.self, chunk: Schema.iterationChunk) }
            try iterations.makeSeries(IterationSeries.epoch, of: Double.self, chunk: Schema.iterationChunk)
            // Written last: a run group with a status was begun completely.
            try group.setAttribute(Schema.Run.status, .string(RunStatus.running.rawValue))
            return 0
        }
    }

    /// Marks run `key` complete, with the frozen-tensor check and the finish time.
    public func finishRun(_ key: RunKey, _ completion: RunCompletion) throws {
        try writing { file in
            let group = try runGroup(key, in: file)
            try group.setAttribute(Schema.Run.frozenTensorsUnchanged, .int(completion.frozenTensorsUnchanged ? 1 : 0))
            try group.setAttribute(Schema.Run.frozenTensorsChecked, .int(Int64(completion.frozenTensorsChecked)))
            try group.setAttribute(Schema.Run.note, .string(completion.note))
            try group.setAttribute(Schema.Run.finished, .string(Timestamp.format(now())))
            try group.setAttribute(Schema.Run.status, .string(RunStatus.complete.rawValue))
        }
    }

    /// Writes (or replaces) the per-class AP of run `key`. Every array needs one entry per class.
    public func setPerClass(_ key: RunKey, _ perClass: PerClassAP) throws {
        let n = perClass.names.count
        for (field, count) in [(Schema.PerClass.ap50, perClass.ap50.count), (Schema.PerClass.ap50to95, perClass.ap50to95.count),
                               (Schema.PerClass.nLabels, perClass.nLabels.count)] where count != n {
            throw ResultsStoreError.invalidRecord(file: url.path, run: key, field: "\(Schema.perClassGroup)/\(field)",
                                                  reason: "\(count) values for \(n) class names")
        }
        try writing { file in
            let group = try runGroup(key, in: file)
            if group.contains(Schema.perClassGroup) { try group.remove(Schema.perClassGroup) }
            let perClassGroup = try group.makeGroup(Schema.perClassGroup)
            try perClassGroup.write(Schema.PerClass.ap50, perClass.ap50)
            try perClassGroup.write(Schema.PerClass.ap50to95, perClass.ap50to95)
            try perClassGroup.writeStrings(Schema.PerClass.names, perClass.names)
            try perClassGroup.write(Schema.PerClass.nLabels, perClass.nLabels.map(Int64.init))
            if let epoch = perClass.epoch { try perClassGroup.setAttribute(Schema.PerClass.epoch, .int(Int64(epoch))) }
        }
    }

    /// Keeps the first `epochs` epochs of run `key` and their iterations, dropping later ones
    /// (resume from the last checkpoint). Per-class AP and completion, which describe the end of
    /// the run, are removed and the run is `running` again.
    public func truncate(_ key: RunKey, toEpochs epochs: Int) throws {
        try writing { file in
            let group = try runGroup(key, in: file)
            let recorded = try Self.recordedEpochs(in: group)
            guard (0...recorded).contains(epochs) else {
                throw ResultsStoreError.invalidRecord(file: url.path, run: key, field: "epochs",
                                                      reason: "cannot keep \(epochs) epochs of \(recorded) recorded")
            }
            try Self.truncate(group, toEpochs: epochs)
            if group.contains(Schema.perClassGroup) { try group.remove(Schema.perClassGroup) }
            if group.contains(FrozenCheckSchema.group) { try group.remove(FrozenCheckSchema.group) }
            for attribute in [Schema.Run.finished, Schema.Run.frozenTensorsUnchanged,
                              Schema.Run.frozenTensorsChecked, Schema.Run.note] where group.hasAttribute(attribute) {
                try group.removeAttribute(attribute)
            }
            try group.setAttribute(Schema.Run.status, .string(RunStatus.running.rawValue))
        }
    }

    // MARK: - Helpers

    func runGroup(_ key: RunKey, in file: HDF5File) throws -> HDF5Group {
        guard let group = try Self.runGroupIfPresent(key, in: file) else { throw ResultsStoreError.noRun(file: url.path, run: key) }
        return group
    }

    private func write(_ info: ScenarioInfo, order: Int, on group: HDF5Group) throws {
        let attributes: [(String, HDF5AttributeValue)] = [
            (Schema.Scenario.freeze, .string(info.freeze)),
            (Schema.Scenario.freezePatterns, .strings(info.freezePatterns)),
            (Schema.Scenario.bn, .string(info.bn)),
            (Schema.Scenario.trainableTensors, .int(Int64(info.trainableTensors))),
            (Schema.Scenario.trainableParameters, .int(Int64(info.trainableParameters))),
            (Schema.Scenario.frozenTensors, .int(Int64(info.frozenTensors))),
            (Schema.Scenario.frozenParameters, .int(Int64(info.frozenParameters))),
            (Schema.Scenario.config, .string(info.configJSON)),
            (Schema.Scenario.order, .int(Int64(order))),
        ]
        for (name, value) in attributes { try group.setAttribute(name, value) }
    }

    private func write(_ run: RunInfo, seed: Int, on group: HDF5Group) throws {
        let attributes: [(String, HDF5AttributeValue)] = [
            (Schema.Run.seed, .int(Int64(seed))),
            (Schema.Run.command, .string(run.command)),
            (Schema.Run.toolVersion, .string(identity?.toolVersion ?? "")),
            (Schema.Run.threads, .int(Int64(run.threads))),
            (Schema.Run.worldSize, .int(Int64(run.worldSize))),
            (Schema.Run.started, .string(Timestamp.format(now()))),
        ]
        try Self.writeMachine(identity?.machine ?? MachineDescription(cores: 0, cpu: "", blas: ""), on: group)
        for (name, value) in attributes { try group.setAttribute(name, value) }
        if let flops = run.flopsPerImage {
            try group.setAttribute(Schema.Run.flopsForward, .double(flops.forward))
            try group.setAttribute(Schema.Run.flopsWeightGradient, .double(flops.weightGradient))
            try group.setAttribute(Schema.Run.flopsInputGradient, .double(flops.inputGradient))
        }
    }

    /// Throws `scenarioChanged` when the recorded scenario differs from `info` in what decides its results.
    private func checkUnchanged(_ group: HDF5Group, name: String, info: ScenarioInfo) throws {
        if let field = try Self.difference(Self.info(of: group), info) {
            throw ResultsStoreError.scenarioChanged(file: url.path, scenario: name, field: field.name,
                                                    recorded: "'\(field.recorded)'", requested: "'\(field.requested)'")
        }
    }

    /// The first field in which two descriptions of a scenario differ in what decides its
    /// results, or nil when they describe the same scenario.
    public static func difference(_ recorded: ScenarioInfo, _ requested: ScenarioInfo) -> (name: String, recorded: String, requested: String)? {
        let comparisons: [(String, String, String)] = [
            (Schema.Scenario.freeze, recorded.freeze, requested.freeze),
            (Schema.Scenario.freezePatterns, recorded.freezePatterns.joined(separator: " "), requested.freezePatterns.joined(separator: " ")),
            (Schema.Scenario.bn, recorded.bn, requested.bn),
            (Schema.Scenario.trainableParameters, "\(recorded.trainableParameters)", "\(requested.trainableParameters)"),
            (Schema.Scenario.frozenParameters, "\(recorded.frozenParameters)", "\(requested.frozenParameters)"),
            (Schema.Scenario.config, canonicalJSON(recorded.configJSON), canonicalJSON(requested.configJSON)),
        ]
        return comparisons.first { $0.1 != $0.2 }.map { (name: $0.0, recorded: $0.1, requested: $0.2) }
    }

    /// JSON with sorted keys, so two serialisations of one configuration compare equal;
    /// `pretty` indents it for people. Text that is not JSON is returned as it is.
    public static func canonicalJSON(_ text: String, pretty: Bool = false) -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: options) else { return text }
        return String(decoding: data, as: UTF8.self)
    }
}
