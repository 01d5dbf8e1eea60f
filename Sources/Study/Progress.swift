import Foundation
import Training

/// Progress on the terminal: run, epoch, iteration, losses, images/s and ETA, at most a few
/// lines a second (rewritten in place on a terminal, one line every 10 s in a log file). With a
/// status file, the latest line is also kept there (rewritten at most twice a second), for a
/// sweep that shows the progress of all its runs together.
final class Progress {
    let scenario: String
    let epochs: Int
    let statusFile: URL?
    private let interactive = isatty(STDOUT_FILENO) != 0
    private var lastPrint = 0.0, lastStatus = 0.0
    private var secondsPerIteration: Double?
    private var validationSeconds = 0.0
    /// The gradient norm of the latest optimizer step (an iteration that only accumulates has none).
    private var gradientNorm: Double?

    /// Progress of `scenario` (a name to show, e.g. `none seed 0`) over `epochs` epochs.
    init(scenario: String, epochs: Int, statusFile: URL? = nil) {
        self.scenario = scenario
        self.epochs = epochs
        self.statusFile = statusFile
    }

    static func say(_ line: String) {
        print(line)
        fflush(stdout)
    }

    func iteration(_ r: IterationReport) {
        let seconds = r.waitSeconds + r.computeSeconds
        if r.optimizerStepped { gradientNorm = r.gradientNorm }
        secondsPerIteration = secondsPerIteration.map { 0.9 * $0 + 0.1 * seconds } ?? seconds
        let now = Date().timeIntervalSince1970
        let lastOfEpoch = r.iteration + 1 == r.iterationsPerEpoch
        let prints = now - lastPrint >= (interactive ? 0.25 : 10) || lastOfEpoch
        let updatesStatus = statusFile != nil && (now - lastStatus >= 0.5 || lastOfEpoch)
        guard prints || updatesStatus else { return }
        let remainingIterations = (epochs - r.epoch) * r.iterationsPerEpoch - r.iteration - 1
        let eta = Double(remainingIterations) * (secondsPerIteration ?? seconds) + Double(epochs - r.epoch) * validationSeconds
        let gradient = gradientNorm.map { String(format: "%.1f", $0) } ?? "-"
        let line = String(format: "%@  epoch %d/%d  it %d/%d  box %.4f obj %.4f cls %.4f  grad %@  %.1f img/s  ETA %@",
                          scenario, r.epoch + 1, epochs, r.iteration + 1, r.iterationsPerEpoch, r.box, r.obj, r.cls,
                          gradient, r.imagesPerSecond, Self.duration(eta))
        if updatesStatus {
            lastStatus = now
            writeStatus(line)
        }
        guard prints else { return }
        lastPrint = now
        if interactive {
            print("\r" + line.padding(toLength: 110, withPad: " ", startingAt: 0), terminator: "")
            fflush(stdout)
        } else {
            Self.say(line)
        }
    }

    func epoch(_ r: EpochReport) {
        validationSeconds = r.validation?.seconds ?? 0
        if interactive { print("") }
        let accuracy = r.validation.map {
            String(format: "mAP@0.5 %.3f  mAP@0.5:0.95 %.3f  P %.3f  R %.3f", $0.metrics.map50, $0.metrics.map50to95,
                   $0.metrics.meanPrecision, $0.metrics.meanRecall)
        } ?? "(validated after the last epoch)"
        let line = String(format: "%@  epoch %d/%d done in %.1f s: %@  %.1f img/s  peak %.2f GB tracked, %.2f GB RSS  CPU %.0f %%",
                          scenario, r.epoch + 1, epochs, r.epochSeconds, accuracy, r.imagesPerSecond,
                          Double(r.trackedPeakBytes) / 1e9, Double(r.peakResidentBytes) / 1e9, 100 * r.cpuUtilization)
        Self.say(line)
        writeStatus(line)
    }

    /// Replaces the status file's line (written beside it, then renamed: a reader never sees half).
    func writeStatus(_ line: String) {
        guard let statusFile else { return }
        let temporary = statusFile.deletingLastPathComponent().appendingPathComponent(".\(statusFile.lastPathComponent).\(getpid())")
        guard (try? Data((line + "\n").utf8).write(to: temporary)) != nil else { return }
        if rename(temporary.path, statusFile.path) != 0 { unlink(temporary.path) }
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
