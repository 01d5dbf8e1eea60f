import Checkpoints
import Foundation
import Testing
import TestSupport
@testable import Study

/// A pretraining stopped after an epoch resumes from its saved state and ends where an
/// uninterrupted one ends.
@Suite(.serialized) struct PretrainingResumeTests {
    @Test func aStoppedPretrainingResumesAndEndsBitIdentical() throws {
        let folder = TemporaryFolder()
        let url = folder.file("study.yaml")
        try tinyStudy().replacingOccurrences(of: "pretraining: {epochs: 1,", with: "pretraining: {epochs: 2,")
            .write(to: url, atomically: true, encoding: .utf8)
        let study = try StudyFile(contentsOf: url)
        let e = study.embedded
        let source = try EmbeddedData(cacheDirectory: folder.file("data")).dataset(e.sourceClasses.task, e, log: { _ in })

        let whole = try Pretraining(study: study, cacheDirectory: folder.file("whole")).weights(for: study.shared, sourceData: { source },
                                                                                               log: { _ in })
        var stopped = Pretraining(study: study, cacheDirectory: folder.file("stopped"))
        stopped.stopAfterEpochs = 1
        #expect(throws: PretrainingStopped.self) { try stopped.weights(for: study.shared, sourceData: { source }, log: { _ in }) }
        let final = stopped.cachedURL(PretrainingConfiguration(study: study, settings: study.shared))
        #expect(FileManager.default.fileExists(atPath: Pretraining.partialURL(final).path))
        #expect(!FileManager.default.fileExists(atPath: final.path))

        var lines: [String] = []
        let resumed = try Pretraining(study: study, cacheDirectory: folder.file("stopped"))
            .weights(for: study.shared, sourceData: { source }, log: { lines.append($0) })
        #expect(resumed == final && lines.contains { $0.contains("resuming the pretraining after epoch 1 of 2") }, "\(lines)")
        #expect(!FileManager.default.fileExists(atPath: Pretraining.partialURL(final).path), "the partial state is removed")
        let a = try SafeTensors.read(whole), b = try SafeTensors.read(resumed)
        let emaNames = a.names.filter { $0.hasPrefix("ema/") }
        #expect(!emaNames.isEmpty && emaNames == b.names.filter { $0.hasPrefix("ema/") })
        let differing = emaNames.filter { a.tensors[$0]!.values != b.tensors[$0]!.values }
        #expect(differing.isEmpty, "\(differing.count) of \(emaNames.count) EMA tensors differ after resuming, e.g. \(differing.prefix(3))")
    }
}
