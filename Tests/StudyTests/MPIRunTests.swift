import Checkpoints
import Foundation
import Results
import Testing
import TestSupport
import Training
@testable import Study

/// One run on several MPI ranks, with the real `mpirun` and the built `freeze-study`: a 2-rank
/// run that is killed resumes on 2 ranks (and refuses 1), its results are read by the report,
/// and a 1-rank run under mpirun gives the same bits as the same run without it.
@Suite(.serialized) struct MPIRunTests {
    func startUnderMPI(ranks: Int, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try MPIRun.executable()
        process.arguments = MPIRun.arguments(ranks: ranks, [try freezeStudyExecutable().path] + arguments)
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func aTwoRankRunKilledWithItsRanksResumesOnTwoRanksAndIsReadByTheReport() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 5, scenarios: ["backbone: 10"]))
        let key = RunKey(scenario: "backbone", seed: 0)
        let task = ["run-task", "--scenario", "backbone", "--seed", "0", "--threads", "1"] + study.flags
        let job = try startUnderMPI(ranks: 2, task)
        _ = wait(upTo: 120) { !job.isRunning || ((try? TrainingCheckpoint.info(study.folder.checkpoint(key)))?.completedEpochs ?? 0) >= 2 }
        #expect(job.isRunning, "the job ended before it could be killed")
        let ranks = MPIRun.descendants(of: job.processIdentifier)
        for pid in [job.processIdentifier] + ranks { kill(pid, SIGKILL) }
        job.waitUntilExit()
        #expect(wait(upTo: 10) { ranks.allSatisfy { kill($0, 0) != 0 } }, "ranks outlived the kill")
        let killed = try ResultsStore(url: study.folder.part(key)).read(key)
        #expect(killed.status == .running && killed.info.worldSize == 2 && (2..<5).contains(killed.epochs.count), "\(killed.epochs.count) epochs")

        let alone = try runFreezeStudy(task)
        #expect(alone.status != 0 && alone.error.contains("was started on 2 ranks and cannot resume on 1"), "\(alone.error)")
        let resumed = try MPIRun.run(ranks: 2, [try freezeStudyExecutable().path] + task)
        #expect(resumed.status == 0 && resumed.output.contains("resuming after epoch"), "\(resumed.output)")
        let done = try ResultsStore(url: study.folder.part(key)).read(key)
        #expect(done.status == .complete && done.epochs.count == 5 && done.info.worldSize == 2, "\(done.epochs.count) epochs")
        #expect(Array(done.epochs.prefix(killed.epochs.count)) == killed.epochs, "epochs recorded before the kill are kept")
        // 32 training images: 16 per rank, 4 iterations of 4 images on each.
        #expect(done.iterations.allSatisfy { $0.count == 4 }, "\(done.iterations.map(\.count))")
        #expect(done.epochs.allSatisfy { $0.rssPeakBytes > $0.rssPeakBytesLargestRank && $0.rssPeakBytesLargestRank > 0 },
                "the job's RSS is the sum of two ranks'")
        #expect(done.epochs.allSatisfy { $0.map50.isFinite }, "rank 0 validated every epoch")

        #expect(try runFreezeStudy(["merge"] + study.flags).status == 0)
        let report = try runFreezeStudy(["report", "--results", study.results.path, "--out", study.report.path])
        #expect(report.status == 0, "\(report.error)")
        let markdown = try String(contentsOf: study.report.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("backbone"))
    }

    @Test func aOneRankRunUnderMPIIsBitForBitTheRunWithoutIt() throws {
        let plain = try StudyFolderFixture(tinyStudy(epochs: 2, scenarios: ["none: none"]), label: "plain")
        let underMPI = try StudyFolderFixture(tinyStudy(epochs: 2, scenarios: ["none: none"]), cache: plain.cache, label: "mpi")
        let key = RunKey(scenario: "none", seed: 0)
        let task = ["run-task", "--scenario", "none", "--seed", "0", "--threads", "1"]
        let first = try runFreezeStudy(task + plain.flags)
        try #require(first.status == 0, "\(first.error)")
        let second = try MPIRun.run(ranks: 1, [try freezeStudyExecutable().path] + task + underMPI.flags)
        try #require(second.status == 0, "\(second.output)")
        let (a, b) = (try ResultsStore(url: plain.folder.part(key)).read(key), try ResultsStore(url: underMPI.folder.part(key)).read(key))
        #expect(a.epochs.count == 2 && accuracySeries(a) == accuracySeries(b))
        #expect(a.iterations.map { $0.map(\.loss.bitPattern) } == b.iterations.map { $0.map(\.loss.bitPattern) })
        func bits(_ url: URL) throws -> [String: [UInt32]] { try SafeTensors.read(url).tensors.mapValues { $0.values.map(\.bitPattern) } }
        let (ca, cb) = (try bits(plain.folder.checkpoint(key)), try bits(underMPI.folder.checkpoint(key)))
        #expect(!ca.isEmpty && ca == cb, "the checkpoints' tensors differ")
    }
}
