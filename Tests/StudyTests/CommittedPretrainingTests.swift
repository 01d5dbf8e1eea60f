import Checkpoints
import Foundation
import NeuralCore
import Testing
import TestSupport
import YOLOv5
@testable import Study

/// The committed pretrained checkpoint: used when its manifest names the study's pretraining
/// configuration and its SHA-256 holds, ignored when the configuration differs, refused when the
/// file is not the one its manifest describes.
@Suite(.serialized) struct CommittedPretrainingTests {
    /// A study in `folder` (cache inside it) and a stand-in checkpoint with its manifest in
    /// `folder/pretrained/`, made for `configuration` (default: the study's own).
    static func setUp(_ folder: TemporaryFolder, study text: String = tinyStudy(),
                      manifestDigest: ((PretrainingConfiguration) -> String)? = nil) throws
        -> (study: StudyFile, pretraining: Pretraining, configuration: PretrainingConfiguration, checkpoint: URL, manifest: URL) {
        let studyURL = folder.file("study.yaml")
        try text.write(to: studyURL, atomically: true, encoding: .utf8)
        let study = try StudyFile(contentsOf: studyURL)
        let pretraining = Pretraining(study: study, cacheDirectory: folder.file("cache"))
        let configuration = PretrainingConfiguration(study: study, settings: study.shared)
        let names = CommittedPretraining.fileNames(model: study.shared.model, configuration: configuration)
        try FileManager.default.createDirectory(at: pretraining.committedFolder, withIntermediateDirectories: true)
        let checkpoint = pretraining.committedFolder.appendingPathComponent(names.checkpoint)
        try SafeTensors.write(tensors: [("ema/model.0.conv.weight", Tensor(shape: [2, 3, 1, 1], repeating: 0.5))], to: checkpoint)
        var manifest = PretrainedManifest(file: names.checkpoint, sha256: try SHA256Digest.hex(contentsOf: checkpoint),
                                          configuration: configuration, command: "freeze-study pretrain --study study.yaml",
                                          toolVersion: "test", sourceValidation: "")
        if let manifestDigest { manifest.configurationDigest = manifestDigest(configuration) }
        let manifestURL = pretraining.committedFolder.appendingPathComponent(names.manifest)
        try manifest.yaml.write(to: manifestURL, atomically: true, encoding: .utf8)
        return (study, pretraining, configuration, checkpoint, manifestURL)
    }

    /// `weights(…)` where nothing must train: asking for the source task (generating it takes
    /// half a minute for the default study) is a test failure, and training would fail on the
    /// folder it gets, which does not exist.
    static func weights(_ pretraining: Pretraining, _ study: StudyFile) throws -> (URL, [String]) {
        var lines: [String] = []
        let url = try pretraining.weights(for: study.shared, sourceData: {
            Issue.record("the source task was asked for, although no pretraining is needed")
            return URL(fileURLWithPath: "/nonexistent-source-data")
        }, log: { lines.append($0) })
        return (url, lines)
    }

    @Test func aMatchingCommittedCheckpointIsUsed() throws {
        let folder = TemporaryFolder()
        let s = try Self.setUp(folder)
        let (url, lines) = try Self.weights(s.pretraining, s.study)
        #expect(url == s.checkpoint)
        #expect(lines.contains { $0.contains("committed pretrained checkpoint") && $0.contains(s.configuration.digest) }, "\(lines)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("cache/pretrained").path), "nothing trained or cached")
    }

    @Test func aCommittedCheckpointOfAnotherConfigurationIsIgnored() throws {
        let folder = TemporaryFolder()
        // Made with 25 pretraining epochs instead of 1: another configuration.
        let other = try StudyFile(contentsOf: { let u = folder.file("other.yaml"); try tinyStudy().replacingOccurrences(
            of: "pretraining: {epochs: 1,", with: "pretraining: {epochs: 25,").write(to: u, atomically: true, encoding: .utf8); return u }())
        let otherDigest = PretrainingConfiguration(study: other, settings: other.shared).digest
        let s = try Self.setUp(folder, manifestDigest: { _ in otherDigest })
        #expect(otherDigest != s.configuration.digest)
        // The cache has this configuration's pretraining, so nothing needs to train.
        let cached = s.pretraining.cachedURL(s.configuration)
        try FileManager.default.createDirectory(at: cached.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: s.checkpoint, to: cached)
        let (url, lines) = try Self.weights(s.pretraining, s.study)
        #expect(url == cached)
        #expect(lines.contains { $0.contains("cached pretrained checkpoint") }, "\(lines)")
    }

    @Test func aCommittedCheckpointWhoseDigestDiffersFromItsManifestIsRefused() throws {
        let folder = TemporaryFolder()
        let s = try Self.setUp(folder)
        var bytes = try Data(contentsOf: s.checkpoint)
        bytes[bytes.count - 1] ^= 0x01  // one bit of one weight
        try bytes.write(to: s.checkpoint)
        do {
            _ = try Self.weights(s.pretraining, s.study)
            Issue.record("a checkpoint that does not match its manifest was used")
        } catch let error as StudyError {
            #expect(error.message.contains(s.checkpoint.lastPathComponent) && error.message.contains("SHA-256")
                    && error.message.contains(s.manifest.lastPathComponent), "\(error)")
        }
    }

    @Test func aManifestWithoutItsDigestNamesTheFileAndTheKey() throws {
        let folder = TemporaryFolder()
        let s = try Self.setUp(folder)
        let text = try String(contentsOf: s.manifest, encoding: .utf8)
        try text.split(separator: "\n").filter { !$0.hasPrefix("sha256:") }.joined(separator: "\n")
            .write(to: s.manifest, atomically: true, encoding: .utf8)
        #expect { _ = try Self.weights(s.pretraining, s.study) } throws: { error in
            "\(error)".contains(s.manifest.path) && "\(error)".contains("sha256")
        }
    }

    @Test func theConfigurationDigestFollowsWhatShapesTheWeights() throws {
        let folder = TemporaryFolder()
        let digest = { (text: String) throws -> String in
            let url = folder.file("s\(UUID().uuidString).yaml")
            try text.write(to: url, atomically: true, encoding: .utf8)
            let study = try StudyFile(contentsOf: url)
            return PretrainingConfiguration(study: study, settings: study.shared).digest
        }
        let base = try digest(tinyStudy())
        #expect(try digest(tinyStudy()) == base)
        #expect(try digest(tinyStudy(epochs: 7)) == base, "the fine-tuning epochs do not shape the pretraining")
        #expect(try digest(tinyStudy().replacingOccurrences(of: "source_images: 24", with: "source_images: 25")) != base)
        #expect(try digest(tinyStudy().replacingOccurrences(of: "image_size: 64}", with: "image_size: 64, source_classes: disjoint}"))
                != base)
        #expect(try digest(tinyStudy().replacingOccurrences(of: "hyps/hyp.scratch-low.yaml", with: "hyps/hyp.finetune.yaml")) != base)
        // A copy of the hyp file with other comments and line endings is the same configuration;
        // one changed value is another.
        let hyp = Fixtures.repositoryRoot.appendingPathComponent("Experiments/hyps/hyp.scratch-low.yaml")
        let text = try String(contentsOf: hyp, encoding: .utf8)
        let reworded = folder.file("reworded.yaml"), changed = folder.file("changed.yaml")
        try ("# another comment\r\n" + text.replacingOccurrences(of: "\n", with: "\r\n")).write(to: reworded, atomically: true, encoding: .utf8)
        try text.replacingOccurrences(of: "lr0: 0.01 ", with: "lr0: 0.02 ").write(to: changed, atomically: true, encoding: .utf8)
        #expect(text.contains("lr0: 0.01 "))
        #expect(try digest(tinyStudy().replacingOccurrences(of: hyp.path, with: reworded.path)) == base)
        #expect(try digest(tinyStudy().replacingOccurrences(of: hyp.path, with: changed.path)) != base)
    }

    /// `freeze-study pretrain` end to end on a tiny study: the checkpoint holds only the EMA
    /// weights, loads as starting weights, and a sweep's lookup then finds it.
    @Test func theMakerWritesACheckpointTheLookupUses() throws {
        let folder = TemporaryFolder()
        let studyURL = folder.file("study.yaml")
        try tinyStudy().write(to: studyURL, atomically: true, encoding: .utf8)
        var lines: [String] = []
        let made = try PretrainedCheckpointMaker.make(study: studyURL, cacheDirectory: folder.file("cache"), validatesEveryEpoch: false,
                                                      command: "freeze-study pretrain --study study.yaml", log: { lines.append($0) })
        let file = try SafeTensors.open(made.checkpoint)
        #expect(!file.names.isEmpty && file.names.allSatisfy { $0.hasPrefix("ema/") })
        let manifest = try PretrainedManifest(contentsOf: made.manifest)
        #expect(manifest.sha256 == (try SHA256Digest.hex(contentsOf: made.checkpoint)))
        #expect(manifest.command == "freeze-study pretrain --study study.yaml" && manifest.sourceValidation.contains("mAP@0.5"))
        let weights = try Weights(contentsOf: made.checkpoint)
        #expect(weights.stateDict.keys.contains("model.0.conv.weight"))
        let study = try StudyFile(contentsOf: studyURL)
        let (url, used) = try Self.weights(Pretraining(study: study, cacheDirectory: folder.file("cache")), study)
        #expect(url == made.checkpoint && used.contains { $0.contains("committed") })
        // Asked again, it finds what it made and trains nothing.
        var again: [String] = []
        try PretrainedCheckpointMaker.make(study: studyURL, cacheDirectory: folder.file("cache"), validatesEveryEpoch: false,
                                           command: "x", log: { again.append($0) })
        #expect(again.count == 1 && again[0].contains("already committed"), "\(again)")
    }

    /// The study files that share the default study's pretraining find its committed checkpoint:
    /// one whose source task or pretraining settings drifted (crosscheck.yaml once did) would
    /// pretrain for an hour before training anything. (freeze-study-long.yaml pretrains its own.)
    @Test(arguments: ["freeze-study.yaml", "freeze-study-disjoint.yaml", "freeze-schedules.yaml", "crosscheck.yaml"])
    func aStudyFileThatReusesThePretrainingFindsItCommitted(_ name: String) throws {
        let study = try StudyFile(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/\(name)"))
        #expect(study.shared.weights == .pretrained && study.shared.data == .synthetic)
        let configuration = PretrainingConfiguration(study: study, settings: study.shared)
        let committed = try CommittedPretraining(folder: Pretraining(study: study, cacheDirectory: URL(fileURLWithPath: "cache")).committedFolder)
            .checkpoint(for: configuration)
        #expect(committed != nil, "\(name): no checkpoint in Experiments/pretrained has configuration \(configuration.digest)")
    }
}
