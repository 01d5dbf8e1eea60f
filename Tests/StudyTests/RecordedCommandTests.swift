import Testing
@testable import Study

/// The command recorded with a run and shown in the report's "Reproduce" section.
@Suite struct RecordedCommandTests {
    @Test func pathsInsideTheWorkingDirectoryAreRelativeAndWordsAreQuoted() {
        let command = ShellCommand.recorded(["run-task", "--study", "/home/me/FreezeStudy/Experiments/freeze-study.yaml", "--cache-dir",
                                             "/home/me/FreezeStudy/cache", "--weights", "/data/yolov5n.pt", "--name", "thaw slow"],
                                            workingDirectory: "/home/me/FreezeStudy")
        #expect(command == "freeze-study run-task --study Experiments/freeze-study.yaml --cache-dir cache --weights /data/yolov5n.pt --name 'thaw slow'")
        #expect(ShellCommand.recorded(["sweep", "--study", "/home/me/FreezeStudyOther/x.yaml"], workingDirectory: "/home/me/FreezeStudy/")
                == "freeze-study sweep --study /home/me/FreezeStudyOther/x.yaml", "a sibling folder with the same prefix stays absolute")
    }
}
