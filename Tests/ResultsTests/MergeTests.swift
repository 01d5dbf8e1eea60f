import Foundation
import HDF5
import Testing
import TestSupport
@testable import Results

/// `ResultsMerge`: the study's results file is the union of the runs' parts, built by HDF5's
/// own copy, and a part that cannot be read never gets into it.
@Suite struct MergeTests {
    /// Writes the part of `key` (3 epochs scaled by `scale`, complete unless told otherwise).
    @discardableResult
    static func writePart(_ folder: StudyFolder, _ key: RunKey, info: ScenarioInfo = StudyFixtures.info(), scale: Double = 1,
                          complete: Bool = true, identity: StudyIdentity = StudyFixtures.identity()) throws -> RunResults {
        let store = ResultsStore(url: folder.part(key), now: StudyFixtures.clock(Double(key.seed)))
        try store.createOrOpen(study: identity)
        try store.beginRun(key, scenario: info, run: StudyFixtures.run, order: StudyFixtures.order(key.scenario))
        for epoch in 0..<3 {
            try store.append(StudyFixtures.epoch(epoch, scale: scale + Double(key.seed)), epoch: epoch,
                             iterations: StudyFixtures.iterations(epoch), to: key)
        }
        try store.setPerClass(key, PerClassAP(names: ["cat", "dog"], ap50: [0.5, 0.25], ap50to95: [0.3, 0.1], nLabels: [4, 2], epoch: 2))
        if complete { try store.finishRun(key, RunCompletion(frozenTensorsUnchanged: true, frozenTensorsChecked: 4)) }
        return try store.read(key)
    }

    @Test func theResultsFileIsTheUnionOfTheParts() throws {
        let temporary = TemporaryFolder()
        let folder = StudyFolder(results: temporary.file("runs/study/results.h5"))
        var expected: [RunKey: RunResults] = [:]
        for key in [RunKey(scenario: "backbone", seed: 0), RunKey(scenario: "none", seed: 1), RunKey(scenario: "none", seed: 0)] {
            expected[key] = try Self.writePart(folder, key, info: StudyFixtures.info(frozenParameters: key.scenario == "none" ? 0 : 1000))
        }
        try Self.writePart(folder, RunKey(scenario: "backbone", seed: 2), info: StudyFixtures.info(), complete: false)

        let outcome = try ResultsMerge.merge(folder, identity: StudyFixtures.identity())
        #expect(outcome.skipped.isEmpty, "\(outcome.skipped)")
        #expect(outcome.runs.map(\.description) == ["backbone seed 0", "backbone seed 2", "none seed 0", "none seed 1"])
        let study = try ResultsStore(url: folder.results).readStudy()
        #expect(study.identity.configurationDigest == "digest-aaaa")
        #expect(study.scenarios.map(\.name) == ["none", "backbone"], "study order")
        #expect(study.scenarios.map { $0.runs.map(\.seed) } == [[0, 1], [0, 2]])
        #expect(study.scenario("backbone")?.run(seed: 2)?.status == .running, "a running run is merged as running")
        for (key, run) in expected { #expect(study.scenario(key.scenario)?.run(seed: key.seed) == run, "\(key)") }
        #expect(study.scenario("none")?.info == StudyFixtures.info(frozenParameters: 0))

        // A second merge (after another run finished) replaces the file with the new union.
        try Self.writePart(folder, RunKey(scenario: "all-but-detect", seed: 0), info: StudyFixtures.info(frozenParameters: 4900))
        try ResultsMerge.merge(folder, identity: StudyFixtures.identity())
        #expect(try ResultsStore(url: folder.results).scenarioNames() == ["none", "backbone", "all-but-detect"])
        #expect(try !FileManager.default.contentsOfDirectory(atPath: folder.folder.path).contains { $0.contains("merging") },
                "no temporary file is left beside the results")
    }

    /// HDF5's command-line reader opens the merged file and sees the schema (h5dump from hdf5-tools, which CI installs).
    @Test func h5dumpReadsTheMergedFile() throws {
        let temporary = TemporaryFolder()
        let folder = StudyFolder(results: temporary.file("results.h5"))
        try Self.writePart(folder, RunKey(scenario: "none", seed: 0), info: StudyFixtures.info(frozenParameters: 0))
        try ResultsMerge.merge(folder, identity: StudyFixtures.identity())
        let h5dump = try #require(["/usr/bin/h5dump", "/usr/local/bin/h5dump"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                  "h5dump (Debian hdf5-tools) is needed to check the file outside FreezeStudy")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: h5dump)
        process.arguments = ["-A", folder.results.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        for name in ["\"schema_version\"", "GROUP \"seeds\"", "GROUP \"0\"", "\"world_size\"", "GROUP \"epochs\"", "DATASET \"map50_95\""] {
            #expect(text.contains(name), "h5dump output lacks \(name)")
        }
    }

    @Test func partsThatCannotBeReadAreReportedAndLeftOut() throws {
        let temporary = TemporaryFolder()
        let folder = StudyFolder(results: temporary.file("results.h5"))
        for seed in 0..<4 { try Self.writePart(folder, RunKey(scenario: "none", seed: seed), info: StudyFixtures.info(frozenParameters: 0)) }
        try ResultsMerge.merge(folder, identity: StudyFixtures.identity())
        // seed 1: half-written (cut in the middle); seed 2: garbage; seed 3: not HDF5 at all.
        let half = try Data(contentsOf: folder.part(RunKey(scenario: "none", seed: 1)))
        try half.prefix(half.count / 2).write(to: folder.part(RunKey(scenario: "none", seed: 1)))
        var garbage = try Data(contentsOf: folder.part(RunKey(scenario: "none", seed: 2)))
        for index in stride(from: 600, to: garbage.count, by: 7) { garbage[index] ^= 0x5A }
        try garbage.write(to: folder.part(RunKey(scenario: "none", seed: 2)))
        try Data("epoch,map50\n".utf8).write(to: folder.part(RunKey(scenario: "none", seed: 3)))

        let outcome = try ResultsMerge.merge(folder, identity: StudyFixtures.identity(), lockWait: 0.2)
        #expect(outcome.runs == [RunKey(scenario: "none", seed: 0)])
        #expect(outcome.skipped.map { URL(fileURLWithPath: $0.part).lastPathComponent } == ["seed-1.h5", "seed-2.h5", "seed-3.h5"])
        #expect(outcome.skipped.allSatisfy { $0.description.contains("left out") }, "\(outcome.skipped)")
        let study = try ResultsStore(url: folder.results).readStudy()
        #expect(study.scenarios.map { $0.runs.map(\.seed) } == [[0]])
        #expect(study.scenario("none")?.run(seed: 0)?.epochs.count == 3)
    }

    @Test func partsOfAnotherConfigurationOrDescribingTheScenarioOtherwiseAreLeftOut() throws {
        let temporary = TemporaryFolder()
        let folder = StudyFolder(results: temporary.file("results.h5"))
        try Self.writePart(folder, RunKey(scenario: "backbone", seed: 0))
        try Self.writePart(folder, RunKey(scenario: "backbone", seed: 1), info: StudyFixtures.info(freeze: "0-8"))
        try Self.writePart(folder, RunKey(scenario: "backbone", seed: 2), identity: StudyFixtures.identity(digest: "digest-bbbb"))
        // A part whose file name says another seed than its contents.
        try Self.writePart(folder, RunKey(scenario: "backbone", seed: 3))
        try FileManager.default.moveItem(at: folder.part(RunKey(scenario: "backbone", seed: 3)), to: folder.part(RunKey(scenario: "backbone", seed: 4)))

        let outcome = try ResultsMerge.merge(folder, identity: StudyFixtures.identity())
        #expect(outcome.runs == [RunKey(scenario: "backbone", seed: 0)])
        let reasons = outcome.skipped.map(\.reason)
        try #require(reasons.count == 3, "\(reasons)")
        #expect(reasons[0].contains("freeze") && reasons[0].contains("'0-8'"), "\(reasons[0])")
        #expect(reasons[1].contains("another configuration") && reasons[1].contains("digest-bbbb"), "\(reasons[1])")
        #expect(reasons[2].contains("backbone seed 3") && reasons[2].contains("only backbone seed 4"), "\(reasons[2])")
    }

    @Test func aResultsFileOfAnotherConfigurationOrOfSchemaOneIsNotReplaced() throws {
        let temporary = TemporaryFolder()
        let folder = StudyFolder(results: temporary.file("results.h5"))
        try Self.writePart(folder, RunKey(scenario: "none", seed: 0))
        try ResultsMerge.merge(folder, identity: StudyFixtures.identity(digest: "digest-other"))
        let before = try Data(contentsOf: folder.results)
        #expect(throws: ResultsStoreError.self) { try ResultsMerge.merge(folder, identity: StudyFixtures.identity()) }
        #expect(try Data(contentsOf: folder.results) == before)

        try FileManager.default.removeItem(at: folder.results)
        try Self.writeVersion1File(folder.results)
        let version1 = try Data(contentsOf: folder.results)
        #expect(throws: ResultsStoreError.olderSchema(file: folder.results.path, version: 1)) {
            try ResultsMerge.merge(folder, identity: StudyFixtures.identity())
        }
        #expect(try Data(contentsOf: folder.results) == version1)
    }

    @Test func aVersion1FileIsReadAsOneRunPerScenario() throws {
        let temporary = TemporaryFolder()
        let url = temporary.file("results.h5")
        try Self.writeVersion1File(url)
        let study = try ResultsStore(url: url).readStudy()
        #expect(study.scenarios.map(\.name) == ["none"])
        let run = try #require(study.scenarios.first?.runs.first)
        #expect(run.seed == 5 && run.status == .complete && run.info.command == "freeze-study sweep")
        #expect(run.epochs == [StudyFixtures.epoch(0), StudyFixtures.epoch(1)])
        #expect(try ResultsStore(url: url).read(RunKey(scenario: "none", seed: 5)).epochs.count == 2)
    }

    /// A file as schema version 1 wrote it: the run's attributes and series on the scenario group.
    static func writeVersion1File(_ url: URL) throws {
        let file = try HDF5File(path: url.path, mode: .createNew)
        let root = file.root
        try root.setAttribute("study_name", .string("freeze-study"))
        try root.setAttribute("configuration_digest", .string("digest-aaaa"))
        try root.setAttribute("schema_version", .int(1))
        let scenario = try root.makeGroup("scenarios/none")
        for (name, value) in [("freeze", HDF5AttributeValue.string("")), ("bn", .string("update")), ("seed", .int(5)),
                              ("status", .string("complete")), ("command", .string("freeze-study sweep")), ("order", .int(0)),
                              ("frozen_tensors_unchanged", .int(1)), ("frozen_tensors_checked", .int(0))] {
            try scenario.setAttribute(name, value)
        }
        let epochs = try scenario.makeGroup("epochs")
        for series in EpochSeries.all {
            try epochs.makeSeries(series.name, of: Double.self).append([0, 1].map { StudyFixtures.epoch($0)[keyPath: series.field] })
        }
        try file.flush()
    }
}

@Suite struct StudyFolderTests {
    @Test func everyFileOfARunHasItsPlaceBesideTheResults() {
        let folder = StudyFolder(results: URL(fileURLWithPath: "/data/runs/freeze-study/results.h5"))
        let key = RunKey(scenario: "backbone", seed: 42)
        #expect(folder.folder.path == "/data/runs/freeze-study")
        #expect(folder.lock.path == "/data/runs/freeze-study/results.h5.lock")
        #expect(folder.part(key).path == "/data/runs/freeze-study/parts/backbone/seed-42.h5")
        #expect(folder.partLock(key).path == "/data/runs/freeze-study/parts/backbone/seed-42.h5.lock")
        #expect(folder.checkpoint(key).path == "/data/runs/freeze-study/checkpoints/backbone/seed-42.safetensors")
        #expect(folder.log(key).path == "/data/runs/freeze-study/logs/backbone/seed-42.log")
        // Another name gets a folder of its own, so two studies in one folder never share parts.
        let other = StudyFolder(results: URL(fileURLWithPath: "/data/runs/from-coco.h5"))
        #expect(other.part(key).path == "/data/runs/from-coco/parts/backbone/seed-42.h5")
    }
}
