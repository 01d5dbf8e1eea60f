import Foundation
import Results
import Testing
import TestSupport
import Training
@testable import Study

/// The study's side of a graceful stop, with real processes and signals: a run given SIGTERM
/// saves a checkpoint where it stands, exits 128 + 15 saying how to resume, and resumes to the
/// bits of an uninterrupted run; a sweep given SIGINT passes it to its runs once and waits.
@Suite(.serialized) struct GracefulStopRunTests {
    @Test func aRunStoppedBySIGTERMResumesToTheBitsOfAnUninterruptedRun() throws {
        // At 256 px an iteration takes a few tenths of a second, so the progress line (rewritten
        // at most twice a second) shows the second epoch's middle iterations before they pass.
        let study = try StudyFolderFixture(tinyStudy(epochs: 4, scenarios: ["none: none"], imageSize: 256))
        let key = RunKey(scenario: "none", seed: 0)
        let task = ["run-task", "--scenario", "none", "--seed", "0", "--threads", "1"] + study.flags
        let reference = StudyFolder(results: study.temporary.file("reference/results.h5"))
        let uninterrupted = try startFreezeStudy(["run-task", "--scenario", "none", "--seed", "0", "--threads", "1", "--study", study.study.path,
                                                  "--results", reference.results.path, "--cache-dir", study.cache.path])
        let log = study.temporary.file("stopped.log")
        let process = try startFreezeStudy(task, log: log)
        // Inside the second epoch, before its last iteration (4 per epoch): the stop comes before
        // its validation, so the checkpoint is a mid-epoch one.
        _ = wait(upTo: 120) {
            let line = (try? String(contentsOf: study.folder.progress(key), encoding: .utf8)) ?? ""
            return !process.isRunning || (1...3).contains { line.contains("epoch 2/4  it \($0)/4") }
        }
        #expect(process.isRunning, "the run ended before it could be stopped")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 128 + SIGTERM, "exit status \(process.terminationStatus): \(output)")
        #expect(output.contains("stopped by SIGTERM at epoch 1, iteration") && output.contains("To resume, run the same command again"), "\(output)")
        let info = try TrainingCheckpoint.info(study.folder.checkpoint(key))
        #expect(info.completedEpochs == 1 && info.epochIteration > 0, "a mid-epoch checkpoint: \(info.position)")

        let resumed = try runFreezeStudy(task)
        #expect(resumed.status == 0, "\(resumed.output)\(resumed.error)")
        uninterrupted.waitUntilExit()
        let stopped = try ResultsStore(url: study.folder.part(key)).read(key)
        let whole = try ResultsStore(url: reference.part(key)).read(key)
        #expect(stopped.status == .complete && stopped.epochs.count == 4)
        #expect(accuracySeries(stopped) == accuracySeries(whole), "every recorded accuracy series has the uninterrupted bits")
        #expect(stopped.iterations.map { $0.map(\.loss.bitPattern) } == whole.iterations.map { $0.map(\.loss.bitPattern) })
    }

    @Test func aSweepGivenSIGINTPassesItToItsRunsOnceAndWaitsForTheirCheckpoints() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 4, scenarios: ["none: none"]))
        let key = RunKey(scenario: "none", seed: 0)
        let log = study.temporary.file("sweep.log")
        let sweep = try startFreezeStudy(["sweep"] + study.sweepFlags, log: log)
        defer { if sweep.isRunning { kill(sweep.processIdentifier, SIGKILL) } }
        var child: Int32?
        #expect(wait(upTo: 120) {
            child = FileLock.currentHolder(of: study.folder.partLock(key))?.pid
            return child != nil && ((try? ResultsStore(url: study.folder.part(key)).recordedEpochs(key)) ?? 0) >= 1
        }, "the run trains")
        if let child {
            // The child runs with no signal blocked, in a process group of its own: a Ctrl-C
            // reaches the sweep only, which passes it on once.
            let status = (try? String(contentsOfFile: "/proc/\(child)/status", encoding: .utf8)) ?? ""
            #expect(status.contains("SigBlk:\t0000000000000000"), "\(status)")
            #expect(getpgid(child) != getpgid(sweep.processIdentifier))
        }
        kill(sweep.processIdentifier, SIGINT)
        sweep.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(sweep.terminationStatus == 128 + SIGINT, "exit status \(sweep.terminationStatus): \(output)")
        #expect(output.contains("sweep stopped by signal 2") && output.contains("To resume"), "\(output)")
        let runLog = (try? String(contentsOf: study.folder.log(key), encoding: .utf8)) ?? ""
        #expect(runLog.contains("stopped by SIGINT"), "the run stopped gracefully: \(runLog)")
        #expect(try study.read().scenario("none")?.run(seed: 0)?.status == .running, "what was recorded is merged")

        let again = try runFreezeStudy(["sweep"] + study.sweepFlags)
        #expect(again.status == 0, "\(again.output)\(again.error)")
        #expect(try study.read().scenario("none")?.run(seed: 0)?.epochs.count == 4)
    }
}
