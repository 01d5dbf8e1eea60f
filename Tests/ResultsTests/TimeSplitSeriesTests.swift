import Foundation
import HDF5
import Testing
import TestSupport
@testable import Results

/// The time split (`seconds_*`) and the FLOPs per image: recorded with each run, and absent from
/// files written before they existed, which still read and still take new epochs.
@Suite struct TimeSplitSeriesTests {
    @Test func theTimeSplitAndTheFLOPsRoundTrip() throws {
        let folder = TemporaryFolder()
        let store = ResultsStore(url: folder.file("results.h5"))
        try store.createOrOpen(study: StudyFixtures.identity())
        try store.beginTestRun("backbone", StudyFixtures.info())
        try store.append(StudyFixtures.epoch(1), epoch: 0, iterations: [], to: StudyFixtures.key("backbone"))
        let run = try store.read(StudyFixtures.key("backbone"))
        #expect(run.info.flopsPerImage == FLOPsPerImage(forward: 2.5e9, weightGradient: 2.0e9, inputGradient: 1.5e9))
        #expect(run.epochs[0].secondsForward == 21 && run.epochs[0].secondsValidation == 6 && run.epochs[0].secondsEMA == 1)
        #expect(EpochSeries.timeSplit.map(\.name) == ["seconds_data_wait", "seconds_forward", "seconds_backward",
                                                      "seconds_optimizer", "seconds_ema", "seconds_validation"])
    }

    /// A file of the version before: no `seconds_*` series, no FLOPs attributes.
    @Test func anOlderFileReadsAsNotMeasuredAndTakesNewEpochs() throws {
        let folder = TemporaryFolder()
        let url = folder.file("results.h5")
        let store = ResultsStore(url: url)
        try store.createOrOpen(study: StudyFixtures.identity())
        try store.beginTestRun("backbone", StudyFixtures.info())
        let key = StudyFixtures.key("backbone")
        try store.append(StudyFixtures.epoch(0), epoch: 0, iterations: StudyFixtures.iterations(0), to: key)
        do {
            let file = try HDF5File(path: url.path, mode: .readWrite)
            let run = try file.root.group("scenarios/backbone/seeds/7")
            let epochs = try run.group("epochs")
            for series in EpochSeries.timeSplit { try epochs.remove(series.name) }
            for name in ["flops_per_image_forward", "flops_per_image_weight_gradient", "flops_per_image_input_gradient"] {
                try run.removeAttribute(name)
            }
            try file.flush()
        }
        let old = try store.read(key)
        #expect(old.epochs.count == 1 && old.epochs[0].map50 == StudyFixtures.epoch(0).map50)
        #expect(old.epochs[0].secondsForward.isNaN && old.info.flopsPerImage == nil)

        try store.append(StudyFixtures.epoch(1), epoch: 1, iterations: StudyFixtures.iterations(1), to: key)
        let extended = try store.read(key)
        #expect(extended.epochs.count == 2)
        #expect(extended.epochs[0].secondsForward.isNaN, "the epoch recorded before has no time split")
        #expect(extended.epochs[1].secondsForward == 21)
    }
}
