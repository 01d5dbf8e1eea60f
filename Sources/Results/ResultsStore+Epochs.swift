import Foundation
import HDF5

/// Appending epochs (with their iterations) and cutting them back for resume.
extension ResultsStore {
    /// How many epochs of run `key` are recorded (the epoch a resumed run continues at).
    public func recordedEpochs(_ key: RunKey) throws -> Int {
        try access.reading { file in try Self.recordedEpochs(in: runGroup(key, in: file)) }
    }

    /// Appends epoch `epoch` (0-based) of run `key` and the iterations it trained, in one
    /// open-write-flush-close: once this returns, the epoch survives a killed run. `epoch` must be
    /// the next one (`recordedEpochs(key)`); call `truncate` first to resume from an earlier
    /// checkpoint. The run must be running.
    public func append(_ record: EpochRecord, epoch: Int, iterations: [IterationRecord], to key: RunKey) throws {
        try writing { file in
            let group = try runGroup(key, in: file)
            guard try Self.status(of: group) == .running else {
                throw ResultsStoreError.invalidRecord(file: url.path, run: key, field: "status",
                                                      reason: "complete; truncate or restart it before appending epochs")
            }
            // Heals a write cut short by a kill: series are cut to the epochs every one of them holds.
            let recorded = try Self.recordedEpochs(in: group)
            try Self.truncate(group, toEpochs: recorded)
            guard epoch == recorded else {
                throw ResultsStoreError.invalidRecord(file: url.path, run: key, field: "epoch",
                                                      reason: "appending epoch \(epoch) but \(recorded) epochs are recorded (next is \(recorded))")
            }
            let epochs = try group.makeGroup(Schema.epochsGroup)
            for series in EpochSeries.all {
                try Self.series(series.name, in: epochs, length: recorded).append([record[keyPath: series.field]])
            }
            let iterationGroup = try group.makeGroup(Schema.iterationsGroup)
            let iterationCount = try Self.series(IterationSeries.epoch, in: iterationGroup, length: nil).count
            for series in IterationSeries.all {
                try Self.series(series.name, in: iterationGroup, length: iterationCount).append(iterations.map { $0[keyPath: series.field] })
            }
            try Self.series(IterationSeries.epoch, in: iterationGroup, length: iterationCount)
                .append([Double](repeating: Double(epoch), count: iterations.count))
        }
    }

    // MARK: - Helpers

    /// Epochs every epoch series holds (the shortest one; a series absent from an older file does not count).
    static func recordedEpochs(in run: HDF5Group) throws -> Int {
        guard run.contains(Schema.epochsGroup) else { return 0 }
        let epochs = try run.group(Schema.epochsGroup)
        let lengths = try EpochSeries.all.filter { epochs.contains($0.name) }.map { try epochs.dataset($0.name).count }
        return lengths.min() ?? 0
    }

    /// Cuts every epoch series to `count` values and every iteration series to the iterations of
    /// those epochs (the iterations before the first one whose epoch is ≥ `count`).
    static func truncate(_ run: HDF5Group, toEpochs count: Int) throws {
        if run.contains(Schema.epochsGroup) {
            let epochs = try run.group(Schema.epochsGroup)
            for name in try epochs.memberNames() {
                let dataset = try epochs.dataset(name)
                if dataset.count > count { try dataset.resize(to: count) }
            }
        }
        guard run.contains(Schema.iterationsGroup) else { return }
        let iterations = try run.group(Schema.iterationsGroup)
        guard iterations.contains(IterationSeries.epoch) else { return }
        let epochOfIteration = try iterations.dataset(IterationSeries.epoch).read(Double.self)
        var keep = epochOfIteration.firstIndex { !($0 < Double(count)) } ?? epochOfIteration.count
        // Series of one append can differ in length after a kill: keep what all of them hold.
        for name in try iterations.memberNames() { keep = min(keep, try iterations.dataset(name).count) }
        for name in try iterations.memberNames() {
            let dataset = try iterations.dataset(name)
            if dataset.count > keep { try dataset.resize(to: keep) }
        }
    }

    /// The series `name` of `group`; created when absent (a file of an older version), filled
    /// with NaN up to `length` values (nil: left empty) so it lines up with the others.
    static func series(_ name: String, in group: HDF5Group, length: Int?) throws -> HDF5Dataset {
        if group.contains(name) { return try group.dataset(name) }
        let chunk = group.path.hasSuffix(Schema.epochsGroup) ? Schema.epochChunk : Schema.iterationChunk
        let dataset = try group.makeSeries(name, of: Double.self, chunk: chunk)
        if let length, length > 0 { try dataset.append([Double](repeating: .nan, count: length)) }
        return dataset
    }
}
