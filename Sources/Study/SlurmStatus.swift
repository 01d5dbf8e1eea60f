import Foundation
import Results

/// The Slurm submissions of a study, read back from `runs/<study>/slurm/<stamp>/`.
enum SlurmStatus {
    /// One earlier `sweep --slurm`.
    struct Submitted {
        let folder: SlurmSubmissionFolder
        let manifest: SlurmManifest?
        let arrayJob: String?, mergeJob: String?
    }

    /// Every submission of the study, oldest first.
    static func submissions(in study: StudyFolder) -> [Submitted] {
        let slurm = study.folder.appendingPathComponent("slurm")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: slurm.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return names.map { name in
            let folder = SlurmSubmissionFolder(folder: slurm.appendingPathComponent(name))
            var ids: [String: String] = [:]
            let text = (try? String(contentsOf: folder.jobs, encoding: .utf8)) ?? ""
            for line in text.split(whereSeparator: \.isNewline) {
                let fields = line.split(separator: " ")
                if fields.count == 2 { ids[String(fields[0])] = String(fields[1]) }
            }
            return Submitted(folder: folder, manifest: try? SlurmManifest(contentsOf: folder.manifest), arrayJob: ids["array"],
                             mergeJob: ids["merge"])
        }
    }
}

extension Sweep {
    /// One line per run of the study (complete, recorded epochs, training now and by whom,
    /// missing) with, for runs of a Slurm submission, the array task's state in `squeue`;
    /// then the merge jobs still queued (`freeze-study status`).
    public func statusLines() -> [String] {
        let submissions = SlurmStatus.submissions(in: setup.folder)
        let jobs = submissions.flatMap { [$0.arrayJob, $0.mergeJob].compactMap { $0 } }
        let queue = SlurmCommands.queueStates(of: jobs)
        var lines: [String] = []
        var counts: [String: Int] = [:]
        for scenario in scenarios {
            for seed in setup.study.seeds {
                let key = RunKey(scenario: scenario.name, seed: seed)
                let (word, detail) = runState(key)
                var line = "\(key): \(detail)"
                if let task = latestTask(of: key, in: submissions) {
                    let id = "\(task.array)_\(task.index)"
                    if let state = queue?[id] {
                        line += "; Slurm task \(id) \(state.lowercased())"
                    } else if word != "complete", queue != nil {
                        line += "; Slurm task \(id) has ended (log \(displayPath(task.log)))"
                    }
                }
                counts[word, default: 0] += 1
                lines.append(line)
            }
        }
        for submission in submissions {
            if let merge = submission.mergeJob, let state = queue?[merge] { lines.append("merge-and-report job \(merge): \(state.lowercased())") }
        }
        if queue == nil && !jobs.isEmpty { lines.append("(squeue is not available here: Slurm's states are not shown)") }
        let summary = ["complete", "running", "stopped", "missing", "unreadable"].compactMap { word in
            counts[word].map { "\($0) \(word)" }
        }
        lines.append(summary.joined(separator: ", ") + " of \(scenarios.count * setup.study.seeds.count) runs")
        return lines
    }

    /// A one-word state and its description from the run's part and lock.
    private func runState(_ key: RunKey) -> (String, String) {
        let part = setup.folder.part(key)
        let holder = FileLock.currentHolder(of: setup.folder.partLock(key))
        guard FileManager.default.fileExists(atPath: part.path) else {
            return holder.map { ("running", "starting (\($0))") } ?? ("missing", "not started")
        }
        let store = ResultsStore(url: part, lockWait: 1)
        do {
            let status = try store.runStatus(key)
            let epochs = try store.recordedEpochs(key)
            let total = setup.settings(scenarios.first { $0.name == key.scenario }!, seed: key.seed).epochs
            switch status {
            case .complete: return ("complete", "complete (\(epochs) epochs)")
            case _ where holder != nil: return ("running", "training, \(epochs) of \(total) epochs recorded (\(holder!))")
            default: return ("stopped", "stopped after \(epochs) of \(total) epochs (resumes from its checkpoint)")
            }
        } catch {
            return ("unreadable", "part \(part.path) cannot be read: \(error)")
        }
    }

    /// The array task of the latest submission that holds `key`.
    private func latestTask(of key: RunKey, in submissions: [SlurmStatus.Submitted]) -> (array: String, index: Int, log: URL)? {
        for submission in submissions.reversed() {
            guard let array = submission.arrayJob, let index = submission.manifest?.runs.firstIndex(of: key) else { continue }
            return (array, index, submission.folder.taskLog(index))
        }
        return nil
    }
}
