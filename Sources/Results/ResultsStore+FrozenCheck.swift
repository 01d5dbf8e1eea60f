import HDF5

/// Names inside a run's `frozen_check` group, defined once.
enum FrozenCheckSchema {
    static let group = "frozen_check"
    static let algorithm = "digest"
    static let names = "names"
    static let startDigests = "start_digest"
    static let endDigests = "end_digest"
    static let fixedThroughEpoch = "fixed_through_epoch"
    static let changedInEpoch = "changed_in_epoch"  // -1: never
    static let batchNormNames = "bn_names"
    static let runningVarianceDrift = "bn_running_var_mean_relative_change"
}

extension ResultsStore {
    /// Writes (or replaces) the frozen-tensor proof of run `key`.
    public func setFrozenCheck(_ key: RunKey, _ record: FrozenTensorRecord) throws {
        guard record.batchNormNames.count == record.runningVarianceDrift.count else {
            throw ResultsStoreError.invalidRecord(file: url.path, run: key, field: "\(FrozenCheckSchema.group)/\(FrozenCheckSchema.runningVarianceDrift)",
                                                  reason: "\(record.runningVarianceDrift.count) values for \(record.batchNormNames.count) names")
        }
        try writing { file in
            let run = try runGroup(key, in: file)
            if run.contains(FrozenCheckSchema.group) { try run.remove(FrozenCheckSchema.group) }
            let group = try run.makeGroup(FrozenCheckSchema.group)
            try group.setAttribute(FrozenCheckSchema.algorithm, .string(record.algorithm))
            let t = record.tensors
            try group.writeStrings(FrozenCheckSchema.names, t.map(\.name))
            try group.writeStrings(FrozenCheckSchema.startDigests, t.map(\.startDigest))
            try group.writeStrings(FrozenCheckSchema.endDigests, t.map(\.endDigest))
            try group.write(FrozenCheckSchema.fixedThroughEpoch, t.map { Int64($0.fixedThroughEpoch) })
            try group.write(FrozenCheckSchema.changedInEpoch, t.map { Int64($0.changedInEpoch ?? -1) })
            try group.writeStrings(FrozenCheckSchema.batchNormNames, record.batchNormNames)
            try group.write(FrozenCheckSchema.runningVarianceDrift, record.runningVarianceDrift)
        }
    }

    /// The frozen-tensor proof of a run group, if recorded.
    static func readFrozenCheck(_ run: HDF5Group) throws -> FrozenTensorRecord? {
        guard run.contains(FrozenCheckSchema.group) else { return nil }
        let group = try run.group(FrozenCheckSchema.group)
        func strings(_ name: String) throws -> [String] { group.contains(name) ? try group.dataset(name).readStrings() : [] }
        func integers(_ name: String) throws -> [Int64] { group.contains(name) ? try group.dataset(name).read(Int64.self) : [] }
        let names = try strings(FrozenCheckSchema.names), start = try strings(FrozenCheckSchema.startDigests)
        let end = try strings(FrozenCheckSchema.endDigests), through = try integers(FrozenCheckSchema.fixedThroughEpoch)
        let changed = try integers(FrozenCheckSchema.changedInEpoch)
        let bnNames = try strings(FrozenCheckSchema.batchNormNames)
        let drift = group.contains(FrozenCheckSchema.runningVarianceDrift)
            ? try group.dataset(FrozenCheckSchema.runningVarianceDrift).read(Double.self) : []
        for (field, count) in [(FrozenCheckSchema.startDigests, start.count), (FrozenCheckSchema.endDigests, end.count),
                               (FrozenCheckSchema.fixedThroughEpoch, through.count), (FrozenCheckSchema.changedInEpoch, changed.count)]
            where count != names.count {
            throw ResultsStoreError.malformed(file: group.file.path, object: "\(group.path)/\(field)",
                                              reason: "\(count) values for \(names.count) tensors")
        }
        guard drift.count == bnNames.count else {
            throw ResultsStoreError.malformed(file: group.file.path, object: "\(group.path)/\(FrozenCheckSchema.runningVarianceDrift)",
                                              reason: "\(drift.count) values for \(bnNames.count) BatchNorms")
        }
        let tensors = names.indices.map {
            FrozenTensorRecord.Tensor(name: names[$0], startDigest: start[$0], endDigest: end[$0], fixedThroughEpoch: Int(through[$0]),
                                      changedInEpoch: changed[$0] < 0 ? nil : Int(changed[$0]))
        }
        return FrozenTensorRecord(algorithm: try group.optionalString(FrozenCheckSchema.algorithm) ?? "", tensors: tensors,
                                  batchNormNames: bnNames, runningVarianceDrift: drift)
    }
}
