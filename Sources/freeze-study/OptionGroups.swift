import ArgumentParser
import Foundation
import Study

/// `--study`, the same for every command that reads a study file.
struct StudyFileOption: ParsableArguments {
    @Option(help: "Study file.")
    var study = "Experiments/freeze-study.yaml"

    /// The study file, relative to the working folder.
    var url: URL { URL(fileURLWithPath: study) }
}

/// `--cache-dir`, the same for every command that makes or reuses the synthetic data and the
/// pretrained weights.
struct CacheOption: ParsableArguments {
    @Option(help: "Cache of the synthetic data and pretrained weights.")
    var cacheDir = "cache"

    /// The cache folder, relative to the working folder.
    var url: URL { URL(fileURLWithPath: cacheDir) }
}

/// Flags of the commands that train or merge a whole study (`sweep`, `run`, `merge`).
struct StudyOptions: ParsableArguments {
    @OptionGroup var studyFile: StudyFileOption

    @Option(help: "HDF5 results file (default: runs/<study name>/results.h5); parts, checkpoints and logs live beside it.")
    var results: String?

    @OptionGroup var cache: CacheOption

    @Option(help: "Report folder (default: reports/<study name>).")
    var report: String?

    @Option(help: "Starting weights for every scenario instead of the study file's: a YOLOv5 .pt, a FreezeStudy .safetensors, 'pretrained' or 'none'.")
    var weights: WeightsSource?

    func sweepOptions() -> SweepOptions {
        var options = SweepOptions(study: studyFile.url)
        options.results = results.map { URL(fileURLWithPath: $0) }
        options.cacheDirectory = cache.url
        options.report = report.map { URL(fileURLWithPath: $0) }
        options.weights = weights
        options.command = commandLine()
        return options
    }
}

/// `--jobs N`, shared by the commands that train.
struct JobOptions: ParsableArguments {
    @Option(help: "Runs trained at once, each its own process (default: half the cores, at least 1; each gets cores ÷ jobs threads).")
    var jobs: Int?

    @Option(name: .customLong("mpi"), help: "Train each run on this many MPI ranks, data-parallel (`mpirun -np K freeze-study run-task`; each rank gets cores ÷ (jobs × K) threads).")
    var mpiRanks: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let mpiRanks, mpiRanks < 1 { throw ValidationError("--mpi must be at least 1") }
    }

    /// `options` with the flags given.
    func apply(to options: inout SweepOptions) {
        options.jobs = jobs
        options.mpiRanks = mpiRanks
    }
}
