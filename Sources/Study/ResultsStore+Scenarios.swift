import Foundation
import HDF5

/// Beginning, resuming, restarting and finishing scenarios.
extension ResultsStore {
    /// Begins scenario `name` and returns how many epochs are already recorded for it (the epoch
    /// to resume at; 0 for a new scenario).
    ///
    /// - A new scenario gets its group, attributes and empty series; its `order` is after every
    ///   recorded scenario.
    /// - A `running` scenario (killed earlier) keeps its epochs for resume, provided it was begun
    ///   with the same freeze, bn, seed, parameter counts and configuration; otherwise
    ///   `scenarioChanged` names the field that differs.
    /// - A `complete` scenario throws `scenarioComplete` unless `restart`.
    /// - `restart: true` removes what was recorded (keeping the scenario's place in the order).
    @discardableResult
    public func beginScenario(_ name: String, _ info: ScenarioInfo, restart: Bool = false) throws -> Int {
        try Self.validate(scenarioName: name)
        return try writing { file in
            let scenarios = try file.root.makeGroup(Schema.scenariosGroup)
            var order = try Self.orderedScenarios(in: file).map(\.order).filter { $0 != Int.max }.max().map { $0 + 1 } ?? 0
            if scenarios.contains(name) {
                let existing = try scenarios.group(name)
                let status = try Self.status(of: existing)
                if !restart {
                    guard status == .running else { throw ResultsStoreError.scenarioComplete(file: url.path, scenario: name) }
                    try checkUnchanged(existing, name: name, info: info)
                    return try Self.recordedEpochs(in: existing)
                }
                order = try existing.optionalInt(Schema.Scenario.order) ?? order
                try scenarios.remove(name)
            }
            let group = try scenarios.makeGroup(name)
            try write(info, order: order, on: group)
            let epochs = try group.makeGroup(Schema.epochsGroup)
            for series in EpochSeries.all { try epochs.makeSeries(series.name, of: Double.self, chunk: Schema.epochChunk) }
            let iterations = try group.makeGroup(Schema.iterationsGroup)
            for series in IterationSeries.all { try iterations.makeSeries(series.name, of: Double.self, chunk: Schema.iterationChunk) }
            try iterations.makeSeries(IterationSeries.epoch, of: Double.self, chunk: Schema.iterationChunk)
            return 0
        }
    }

    /// Marks scenario `name` complete, with the frozen-tensor check and the finish time.
    public func finishScenario(_ name: String, _ completion: ScenarioCompletion) throws {
        try writing { file in
            let group = try scenarioGroup(name, in: file)
            try group.setAttribute(Schema.Scenario.frozenTensorsUnchanged, .int(completion.frozenTensorsUnchanged ? 1 : 0))
            try group.setAttribute(Schema.Scenario.frozenTensorsChecked, .int(Int64(completion.frozenTensorsChecked)))
            try group.setAttribute(Schema.Scenario.note, .string(completion.note))
            try group.setAttribute(Schema.Scenario.finished, .string(Timestamp.format(now())))
            try group.setAttribute(Schema.Scenario.status, .string(ScenarioStatus.complete.rawValue))
        }
    }

    /// Writes (or replaces) the per-class AP of scenario `name`. Every array needs one entry per class.
    public func setPerClass(_ name: String, _ perClass: PerClassAP) throws {
        let n = perClass.names.count
        for (field, count) in [(Schema.PerClass.ap50, perClass.ap50.count), (Schema.PerClass.ap50to95, perClass.ap50to95.count),
                               (Schema.PerClass.nLabels, perClass.nLabels.count)] where count != n {
            throw ResultsStoreError.invalidRecord(file: url.path, scenario: name, field: "\(Schema.perClassGroup)/\(field)",
                                                  reason: "\(count) values for \(n) class names")
        }
        try writing { file in
            let group = try scenarioGroup(name, in: file)
            if group.contains(Schema.perClassGroup) { try group.remove(Schema.perClassGroup) }
            let perClassGroup = try group.makeGroup(Schema.perClassGroup)
            try perClassGroup.write(Schema.PerClass.ap50, perClass.ap50)
            try perClassGroup.write(Schema.PerClass.ap50to95, perClass.ap50to95)
            try perClassGroup.writeStrings(Schema.PerClass.names, perClass.names)
            try perClassGroup.write(Schema.PerClass.nLabels, perClass.nLabels.map(Int64.init))
            if let epoch = perClass.epoch { try perClassGroup.setAttribute(Schema.PerClass.epoch, .int(Int64(epoch))) }
        }
    }

    /// Keeps the first `epochs` epochs of scenario `name` and their iterations, dropping later
    /// ones (resume from the last checkpoint). Per-class AP and completion, which describe the
    /// end of the run, are removed and the scenario is `running` again.
    public func truncate(_ name: String, toEpochs epochs: Int) throws {
        try writing { file in
            let group = try scenarioGroup(name, in: file)
            let recorded = try Self.recordedEpochs(in: group)
            guard (0...recorded).contains(epochs) else {
                throw ResultsStoreError.invalidRecord(file: url.path, scenario: name, field: "epochs",
                                                      reason: "cannot keep \(epochs) epochs of \(recorded) recorded")
            }
            try Self.truncate(group, toEpochs: epochs)
            if group.contains(Schema.perClassGroup) { try group.remove(Schema.perClassGroup) }
            for attribute in [Schema.Scenario.finished, Schema.Scenario.frozenTensorsUnchanged,
                              Schema.Scenario.frozenTensorsChecked, Schema.Scenario.note] where group.hasAttribute(attribute) {
                try group.removeAttribute(attribute)
            }
            try group.setAttribute(Schema.Scenario.status, .string(ScenarioStatus.running.rawValue))
        }
    }

    // MARK: - Helpers

    func scenarioGroup(_ name: String, in file: HDF5File) throws -> HDF5Group {
        let path = "\(Schema.scenariosGroup)/\(name)"
        guard !name.isEmpty, !name.contains("/"), file.root.contains(path) else {
            throw ResultsStoreError.noScenario(file: url.path, scenario: name)
        }
        return try file.root.group(path)
    }

    private func write(_ info: ScenarioInfo, order: Int, on group: HDF5Group) throws {
        let machine = identity?.machine ?? MachineDescription(cores: 0, cpu: "", blas: "")
        let attributes: [(String, HDF5AttributeValue)] = [
            (Schema.Scenario.freeze, .string(info.freeze)),
            (Schema.Scenario.freezePatterns, .strings(info.freezePatterns)),
            (Schema.Scenario.bn, .string(info.bn)),
            (Schema.Scenario.trainableTensors, .int(Int64(info.trainableTensors))),
            (Schema.Scenario.trainableParameters, .int(Int64(info.trainableParameters))),
            (Schema.Scenario.frozenTensors, .int(Int64(info.frozenTensors))),
            (Schema.Scenario.frozenParameters, .int(Int64(info.frozenParameters))),
            (Schema.Scenario.config, .string(info.configJSON)),
            (Schema.Scenario.seed, .int(info.seed)),
            (Schema.Scenario.command, .string(info.command)),
            (Schema.Scenario.toolVersion, .string(identity?.toolVersion ?? "")),
            (Schema.Scenario.order, .int(Int64(order))),
            (Schema.Scenario.started, .string(Timestamp.format(now()))),
            // Written last: a group with a status was begun completely.
            (Schema.Scenario.status, .string(ScenarioStatus.running.rawValue)),
        ]
        try Self.writeMachine(machine, on: group)
        for (name, value) in attributes { try group.setAttribute(name, value) }
    }

    /// Throws `scenarioChanged` when the recorded scenario differs from `info` in what decides its results.
    private func checkUnchanged(_ group: HDF5Group, name: String, info: ScenarioInfo) throws {
        let recorded = try Self.info(of: group)
        let comparisons: [(String, String, String)] = [
            (Schema.Scenario.freeze, recorded.freeze, info.freeze),
            (Schema.Scenario.freezePatterns, recorded.freezePatterns.joined(separator: " "), info.freezePatterns.joined(separator: " ")),
            (Schema.Scenario.bn, recorded.bn, info.bn),
            (Schema.Scenario.seed, "\(recorded.seed)", "\(info.seed)"),
            (Schema.Scenario.trainableParameters, "\(recorded.trainableParameters)", "\(info.trainableParameters)"),
            (Schema.Scenario.frozenParameters, "\(recorded.frozenParameters)", "\(info.frozenParameters)"),
            (Schema.Scenario.config, Self.canonicalJSON(recorded.configJSON), Self.canonicalJSON(info.configJSON)),
        ]
        for (field, old, new) in comparisons where old != new {
            throw ResultsStoreError.scenarioChanged(file: url.path, scenario: name, field: field, recorded: "'\(old)'", requested: "'\(new)'")
        }
    }

    /// JSON with sorted keys, so two serialisations of one configuration compare equal;
    /// `pretty` indents it for people. Text that is not JSON is returned as it is.
    static func canonicalJSON(_ text: String, pretty: Bool = false) -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: options) else { return text }
        return String(decoding: data, as: UTF8.self)
    }
}
