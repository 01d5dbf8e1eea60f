import ArgumentParser
import Study

/// `sweep --slurm` and the resources each array task asks for.
struct SlurmFlags: ParsableArguments {
    @Flag(help: "Submit the missing runs as a Slurm job array, and a job that merges and writes the report after it, instead of training here.")
    var slurm = false

    @Flag(help: "With --slurm: write the scripts and the manifest under runs/<study>/slurm/, submit nothing.")
    var dryRun = false

    @Option(help: "Slurm partition.")
    var partition: String?

    @Option(help: "Time limit of each array task (Slurm's formats: 90, 4:00:00, 2-00:00:00); a task near it checkpoints and requeues itself.")
    var time: String?

    @Option(help: "CPUs of each array task; its run trains with as many threads.")
    var cpusPerTask: Int?

    @Option(help: "Memory of each array task (8G).")
    var mem: String?

    @Option(help: "Slurm account.")
    var account: String?

    @Option(help: "A further sbatch option for both jobs, as an #SBATCH line (--sbatch-arg=--qos=long); repeatable.")
    var sbatchArg: [String] = []

    @Flag(help: "With --slurm: do not refuse a results folder, cache or study under /tmp (a single-node cluster).")
    var assumeShared = false

    /// Whether any option but --slurm was given.
    var isUsed: Bool {
        dryRun || assumeShared || partition != nil || time != nil || cpusPerTask != nil || mem != nil || account != nil || !sbatchArg.isEmpty
    }

    func validate() throws {
        if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1") }
        for argument in sbatchArg where !argument.hasPrefix("-") {
            throw ValidationError("--sbatch-arg '\(argument)' is not an sbatch option (they start with '-', as in --sbatch-arg=--qos=long)")
        }
    }

    var options: SlurmOptions {
        var options = SlurmOptions()
        options.partition = partition
        options.time = time
        if let cpusPerTask { options.cpusPerTask = cpusPerTask }
        options.memory = mem
        options.account = account
        options.extraArguments = sbatchArg
        options.dryRun = dryRun
        options.assumeShared = assumeShared
        return options
    }
}
