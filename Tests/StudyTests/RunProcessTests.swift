import Foundation
import Results
import Testing
import TestSupport
import Training
@testable import Study

/// Runs as processes, tested with real processes: resume per run, the study's and the parts'
/// locks, a killed child, an unreadable part, and results that do not depend on `--jobs`.
@Suite(.serialized) struct RunProcessTests {
    /// A run killed mid-training resumes from its own checkpoint: no epoch is lost or doubled,
    /// and it wrote only its own files.
    @Test func aKilledRunResumesFromItsOwnCheckpoint() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 6, seeds: "seeds: 2"))
        let key = RunKey(scenario: "none", seed: 1)
        let task = ["run-task", "--scenario", "none", "--seed", "1", "--threads", "1"] + study.flags
        let process = try startFreezeStudy(task)
        let checkpoint = study.folder.checkpoint(key)
        _ = wait(upTo: 120) { !process.isRunning || ((try? TrainingCheckpoint.info(checkpoint))?.completedEpochs ?? 0) >= 2 }
        #expect(process.isRunning, "the run ended before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let store = ResultsStore(url: study.folder.part(key))
        let killed = try store.read(key)
        #expect(killed.status == .running && killed.epochs.count >= 2 && killed.epochs.count < 6, "\(killed.epochs.count) epochs")

        let resumed = try runFreezeStudy(task)
        #expect(resumed.status == 0, "\(resumed.output)\(resumed.error)")
        #expect(resumed.output.contains("resuming after epoch"), "\(resumed.output)")
        let done = try store.read(key)
        #expect(done.status == .complete && done.epochs.count == 6, "\(done.epochs.count) epochs")
        #expect(done.iterations.count == 6 && done.iterations.allSatisfy { $0.count == 4 })
        #expect(Array(done.epochs.prefix(killed.epochs.count)) == killed.epochs, "epochs recorded before the kill are kept as they were")
        #expect(study.folder.existingParts().map(\.key) == [key], "only its own part")
        #expect(!FileManager.default.fileExists(atPath: study.results.path), "a run does not write the study's results")
        #expect(try runFreezeStudy(task).output.contains("nothing to do"), "a complete run is not trained again")
    }

    @Test func aSecondSweepOrMergeOnABusyResultsFileIsRefusedWithinASecond() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 8, scenarios: ["none: none"]))
        let first = try startFreezeStudy(["sweep"] + study.sweepFlags)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        #expect(wait(upTo: 60) { FileLock.currentHolder(of: study.folder.lock)?.pid == first.processIdentifier })
        for command in [["sweep"] + study.sweepFlags, ["merge"] + study.flags] {
            let second = try runFreezeStudy(command)
            #expect(second.status != 0)
            #expect(second.seconds < 1, "\(command[0]) took \(second.seconds) s to refuse")
            #expect(second.error.contains("in use by pid \(first.processIdentifier) on \(FileLock.hostName()) since "), "\(second.error)")
            #expect(second.error.contains("freeze-study sweep"), "the holder's command is named: \(second.error)")
        }
        // A run that the first sweep is training refuses a second trainer too.
        let key = RunKey(scenario: "none", seed: 0)
        #expect(wait(upTo: 60) { FileLock.currentHolder(of: study.folder.partLock(key)) != nil })
        let task = try runFreezeStudy(["run-task", "--scenario", "none", "--seed", "0"] + study.flags)
        #expect(task.status != 0 && task.error.contains("none seed 0 is being trained by pid"), "\(task.error)")
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(try study.read().scenario("none")?.run(seed: 0)?.status == .complete, "the second sweep changed nothing")
    }

    /// `kill -9` of one child: the others finish, the sweep names the failed run and its log and
    /// exits non-zero, and the next sweep trains only the killed run.
    @Test func killingOneChildLeavesTheOthersRunning() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 8, seeds: "seeds: 2", scenarios: ["none: none"]))
        let output = study.temporary.file("sweep.log")
        let sweep = try startFreezeStudy(["sweep", "--jobs", "2"] + study.sweepFlags, log: output)
        defer { if sweep.isRunning { kill(sweep.processIdentifier, SIGKILL) } }
        let keys = [RunKey(scenario: "none", seed: 0), RunKey(scenario: "none", seed: 1)]
        var holders: [Int32] = []
        #expect(wait(upTo: 120) {
            holders = keys.compactMap { FileLock.currentHolder(of: study.folder.partLock($0))?.pid }
            return holders.count == 2 && ((try? ResultsStore(url: study.folder.part(keys[1])).recordedEpochs(keys[1])) ?? 0) >= 1
        }, "both runs train at once")
        guard holders.count == 2 else { return }
        kill(holders[1], SIGKILL)
        #expect(wait(upTo: 10) {
            let merged = (try? study.read())?.scenario("none")
            return merged?.run(seed: 1) != nil && merged?.run(seed: 0)?.status == .running
        }, "the parts are merged as soon as a run ends, while the other still trains")
        sweep.waitUntilExit()
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(sweep.terminationStatus != 0, "\(text)")
        #expect(text.contains("FAILED: none seed 1 (killed by signal 9)"), "\(text)")
        #expect(text.contains(study.folder.log(keys[1]).path) || text.contains("logs/none/seed-1.log"), "the log is named: \(text)")
        #expect(text.contains("finished none seed 0"), "\(text)")
        let afterKill = try study.read()
        let survivor = try #require(afterKill.scenario("none")?.run(seed: 0))
        #expect(survivor.status == .complete && survivor.epochs.count == 8)
        #expect(afterKill.scenario("none")?.run(seed: 1)?.status == .running, "the killed run's epochs so far are merged")

        let rerun = try runFreezeStudy(["sweep", "--jobs", "2"] + study.sweepFlags)
        #expect(rerun.status == 0, "\(rerun.output)\(rerun.error)")
        #expect(rerun.output.contains("training 1 run") && !rerun.output.contains("started none seed 0"), "\(rerun.output)")
        let final = try study.read()
        #expect(final.scenario("none")?.run(seed: 0) == survivor, "the complete run was not trained again")
        #expect(final.scenario("none")?.run(seed: 1)?.status == .complete)
    }

    /// `kill -9` of the sweep stops the run it started within a second or two (the run sees its
    /// parent gone), so no run trains on unobserved; the next sweep resumes it.
    @Test func aKilledSweepLeavesNoRunBehind() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 8, scenarios: ["none: none"]))
        let sweep = try startFreezeStudy(["sweep"] + study.sweepFlags)
        defer { if sweep.isRunning { kill(sweep.processIdentifier, SIGKILL) } }
        let key = RunKey(scenario: "none", seed: 0)
        var child: Int32?
        #expect(wait(upTo: 60) {
            child = FileLock.currentHolder(of: study.folder.partLock(key))?.pid
            return child != nil && ((try? ResultsStore(url: study.folder.part(key)).recordedEpochs(key)) ?? 0) >= 1
        })
        guard let child else { return }
        kill(sweep.processIdentifier, SIGKILL)
        sweep.waitUntilExit()
        #expect(wait(upTo: 3) { kill(child, 0) != 0 }, "run-task pid \(child) still runs after its sweep was killed")
        let log = try String(contentsOf: study.folder.log(key), encoding: .utf8)
        #expect(log.contains("is gone; stopping"), "\(log)")
        #expect(FileLock.currentHolder(of: study.folder.lock) == nil && FileLock.currentHolder(of: study.folder.partLock(key)) == nil,
                "no lock outlives its holder")
        let rerun = try runFreezeStudy(["sweep"] + study.sweepFlags)
        #expect(rerun.status == 0, "\(rerun.output)\(rerun.error)")
        #expect(try study.read().scenario("none")?.run(seed: 0)?.epochs.count == 8)
    }

    /// A damaged part is reported and left out by `merge`; the results file stays readable, and
    /// a sweep reports the run instead of overwriting its part.
    @Test func aDamagedPartIsLeftOutAndTheResultsStayReadable() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 1, scenarios: ["none: none", "backbone: 10"]))
        try Sweep(options: study.sweepOptions()).run()
        let damaged = study.folder.part(RunKey(scenario: "backbone", seed: 0))
        let bytes = try Data(contentsOf: damaged)
        try bytes.prefix(bytes.count / 2).write(to: damaged)

        let merge = try runFreezeStudy(["merge"] + study.flags)
        #expect(merge.status == 0, "\(merge.error)")
        #expect(merge.output.contains("merged 1 run") && merge.output.contains("1 part left out"), "\(merge.output)")
        #expect(merge.output.contains(damaged.path) && merge.output.contains("unreadable"), "\(merge.output)")
        let results = try study.read()
        #expect(results.runKeys == [RunKey(scenario: "none", seed: 0)])
        #expect(results.scenarios.first?.runs.first?.status == .complete)
        let h5dump = Process()
        h5dump.executableURL = URL(fileURLWithPath: "/usr/bin/h5dump")
        h5dump.arguments = ["-H", study.results.path]
        h5dump.standardOutput = FileHandle.nullDevice
        try h5dump.run()
        h5dump.waitUntilExit()
        #expect(h5dump.terminationStatus == 0, "h5dump reads the merged file")

        let sweep = try runFreezeStudy(["sweep"] + study.sweepFlags)
        #expect(sweep.status != 0)
        #expect(sweep.error.contains("backbone seed 0 (its part cannot be read; move it away"), "\(sweep.error)")
        #expect(try Data(contentsOf: damaged) == bytes.prefix(bytes.count / 2), "the damaged part is left as it was")
    }

    /// The same runs with one job of two threads and two jobs of one thread: every recorded
    /// loss, metric and learning rate is the same, bit for bit (this needs kernels whose results
    /// do not depend on the thread count).
    @Test func oneJobOrTwoJobsGiveTheSameRunsBitForBit() throws {
        let text = tinyStudy(epochs: 2, seeds: "seeds: 2", scenarios: ["none: none", "backbone: 10"])
        let one = try StudyFolderFixture(text, label: "one")
        let two = try StudyFolderFixture(text, cache: one.cache, label: "two")
        var options = try one.sweepOptions()
        options.jobs = 1
        try Sweep(options: options).run()
        options = try two.sweepOptions()
        options.jobs = 2
        try Sweep(options: options).run()
        let (a, b) = (try one.read(), try two.read())
        #expect(a.runKeys == b.runKeys && a.runKeys.count == 4)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for key in a.runKeys {
            let (runA, runB) = (a.scenario(key.scenario)!.run(seed: key.seed)!, b.scenario(key.scenario)!.run(seed: key.seed)!)
            #expect(runA.info.threads == SweepOptions.threads(cores: cores, jobs: 1) && runB.info.threads == SweepOptions.threads(cores: cores, jobs: 2))
            #expect(accuracySeries(runA) == accuracySeries(runB), "\(key): \(runA.info.threads) vs \(runB.info.threads) threads")
            #expect(runA.iterations.map { $0.map(\.loss.bitPattern) } == runB.iterations.map { $0.map(\.loss.bitPattern) }, "\(key)")
            #expect(runA.perClass == runB.perClass, "\(key)")
        }
    }

    @Test func anAdHocScenarioTrainsPerRunAsProcesses() throws {
        let study = try StudyFolderFixture(tinyStudy(epochs: 1, seeds: "seeds: 2", scenarios: ["none: none"]))
        let result = try runFreezeStudy(["run", "--freeze", "0-16", "--name", "head", "--bn", "frozen"] + study.sweepFlags)
        #expect(result.status == 0, "\(result.output)\(result.error)")
        let head = try #require(try study.read().scenario("head"))
        #expect(head.runs.map(\.seed) == [0, 1] && head.runs.allSatisfy { $0.status == .complete })
        #expect(head.info.bn == "frozen" && head.info.freezePatterns.count == 17)
        #expect(head.runs.first?.info.command.contains("--freeze 0-16 --bn frozen") == true, "\(head.runs.first?.info.command ?? "")")
    }

    @Test func aRunOutsideTheStudyIsRefused() throws {
        let study = try StudyFolderFixture(tinyStudy(seeds: "seeds: [0, 7]"))
        let seed = try runFreezeStudy(["run-task", "--scenario", "none", "--seed", "3"] + study.flags)
        #expect(seed.status != 0 && seed.error.contains("seed 3 is not one of the seeds") && seed.error.contains("0, 7"), "\(seed.error)")
        let scenario = try runFreezeStudy(["run-task", "--scenario", "nonesuch", "--seed", "0"] + study.flags)
        #expect(scenario.status != 0 && scenario.error.contains("no scenario named 'nonesuch'"), "\(scenario.error)")
        #expect(study.folder.existingParts().isEmpty)
    }
}
