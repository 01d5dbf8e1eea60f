import ArgumentParser

/// `freeze-study`: the command line of FreezeStudy. Each subcommand parses its flags and
/// delegates to the library modules.
@main
struct FreezeStudy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze-study",
        abstract: "Reproduce YOLOv5's 'Transfer Learning with Frozen Layers' study on the CPU.",
        subcommands: [SweepCommand.self, RunCommand.self, RunTaskCommand.self, MergeCommand.self, StatusCommand.self, ScenariosCommand.self, ReportCommand.self, CrossCheckReportCommand.self,
                      LayersCommand.self, DataCommand.self, PretrainCommand.self]
    )
}
