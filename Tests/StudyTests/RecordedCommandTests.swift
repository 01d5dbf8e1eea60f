import Foundation
import Testing
@testable import Study

/// The command recorded with a run and shown in the report's "Reproduce" section.
@Suite struct RecordedCommandTests {
    @Test func pathsInsideTheWorkingDirectoryAreRelativeAndWordsAreQuoted() {
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let outside = here.deletingLastPathComponent().appendingPathComponent("weights/yolov5n.pt").path
        let command = ShellCommand.recorded(["run-task", "--study", here.appendingPathComponent("Experiments/freeze-study.yaml").path,
                                             "--cache-dir", here.appendingPathComponent("cache").path, "--weights", outside,
                                             "--name", "thaw slow"],
                                            workingDirectory: here.path)
        #expect(command == "freeze-study run-task --study Experiments/freeze-study.yaml --cache-dir cache --weights \(ShellCommand.quoted(outside)) --name 'thaw slow'")
        let sibling = here.path + "Other/x.yaml"
        #expect(ShellCommand.recorded(["sweep", "--study", sibling], workingDirectory: here.path + "/") == "freeze-study sweep --study \(ShellCommand.quoted(sibling))",
                "a sibling folder with the same prefix stays absolute")
    }
}
