import ArgumentParser
import Foundation
import Report

/// `freeze-study crosscheck-report`: one study as trained by FreezeStudy and by YOLOv5's train.py
/// (Experiments/crosscheck/), side by side, from the two results files alone.
struct CrossCheckReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosscheck-report",
        abstract: "Compare one study trained by FreezeStudy and by YOLOv5's train.py: both results files side by side, "
            + "their agreement per scenario (Welch 95 % interval) and the guide's claims from each.")

    @Option(help: "FreezeStudy's results file of the study (freeze-study sweep).")
    var freezestudy: String

    @Option(help: "YOLOv5's results file of the same study (Experiments/crosscheck/crosscheck.py run).")
    var yolov5: String

    @Option(help: "Report folder.")
    var out = "reports/crosscheck"

    func run() throws {
        let written = try CrossCheckReport.write(freezeStudy: URL(fileURLWithPath: freezestudy), yolov5: URL(fileURLWithPath: yolov5),
                                                 to: URL(fileURLWithPath: out), command: commandLine())
        print("Wrote the cross-check of \(freezestudy) and \(yolov5) to \(out):")
        for file in written { print("  \(file.path)") }
    }
}
