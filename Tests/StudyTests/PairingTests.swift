import Foundation
import NeuralCore
import Results
import Testing
import TestSupport
import Training
import VOCData
@testable import Study

/// For one seed every scenario sees the same data order, the same augmentation draws and the
/// same initialisation of what the starting weights do not provide (the Detect outputs), so
/// scenarios compare paired; another seed changes all three.
@Suite(.serialized) struct PairingTests {
    /// What a run starts from: its first two training batches and the tensors the weights did not provide.
    struct Start {
        let batches: [(images: UInt64, targets: [[Float]])]
        let initialised: [String: UInt64]
        let loaded: [String: UInt64]
    }

    static func start(_ setup: StudySetup, _ scenario: String, seed: Int) throws -> Start {
        let definition = try #require(try setup.scenarios(named: [scenario]).first)
        let settings = setup.settings(definition, seed: seed)
        let shared = SharedInputs(study: setup.study, cacheDirectory: setup.cacheDirectory, log: { _ in })
        let data = try shared.prepareData(settings), weights = try shared.prepareStartingWeights(settings)
        let job = try TrainingJob(settings: settings, freeze: definition.freeze, model: setup.study.resolve(settings.model), data: data.url,
                                  weights: weights.url, hyp: setup.study.resolve(settings.hyp), log: { _ in })
        let iterator = job.trainLoader.makeIterator(epoch: 0)
        let batches = (0..<2).compactMap { _ in iterator.next() }.map { batch in
            (FrozenTensorCheck.fingerprint(batch.images), batch.targets.map { [Float($0.imageIndex), Float($0.classIndex), $0.cx, $0.cy, $0.w, $0.h] })
        }
        let parameters = job.model.stateDict()
        let initialised = Set(job.initialisedTensors)
        return Start(batches: batches,
                     initialised: Dictionary(uniqueKeysWithValues: parameters.filter { initialised.contains($0.0) }.map { ($0.0, FrozenTensorCheck.fingerprint($0.1)) }),
                     loaded: Dictionary(uniqueKeysWithValues: parameters.filter { !initialised.contains($0.0) }.map { ($0.0, FrozenTensorCheck.fingerprint($0.1)) }))
    }

    @Test func oneSeedStartsEveryScenarioAlikeAndAnotherSeedDoesNot() throws {
        let study = try StudyFolderFixture(tinyStudy(seeds: "seeds: 2"))
        let setup = try StudySetup(study: study.study, results: study.results, weights: nil, extraScenarios: [], cacheDirectory: study.cache)
        let none0 = try Self.start(setup, "none", seed: 0)
        let frozen0 = try Self.start(setup, "all-but-detect", seed: 0)
        let none1 = try Self.start(setup, "none", seed: 1)

        #expect(none0.batches.count == 2)
        #expect(none0.initialised.count == 6 && none0.initialised.keys.allSatisfy { $0.hasPrefix("model.24.m.") },
                "the Detect outputs of 20 classes are not in the source task's weights: \(none0.initialised.keys.sorted())")
        // Same seed, other scenario: the same images (augmentation included), labels and initialisation.
        #expect(none0.batches.map(\.images) == frozen0.batches.map(\.images))
        #expect(none0.batches.map(\.targets) == frozen0.batches.map(\.targets))
        #expect(none0.initialised == frozen0.initialised)
        #expect(none0.loaded == frozen0.loaded)
        // Another seed: other images and another initialisation; what the weights provide stays.
        #expect(none0.batches.map(\.images) != none1.batches.map(\.images))
        #expect(none0.batches.map(\.targets) != none1.batches.map(\.targets))
        #expect(none0.initialised.keys.sorted() == none1.initialised.keys.sorted())
        for (name, hash) in none0.initialised where name.hasSuffix(".weight") {
            #expect(none1.initialised[name] != hash, "\(name) is initialised from the seed")
        }
        #expect(none0.loaded == none1.loaded)
    }
}
