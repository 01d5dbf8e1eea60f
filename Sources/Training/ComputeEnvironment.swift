import NeuralCore

/// The process-wide compute settings a run's command sets once, before any work: how many
/// threads the kernels use, which BLAS does the GEMMs, and returning memory between phases.
/// (So that the orchestration above the trainer never reaches into NeuralCore.)
public enum ComputeEnvironment {
    /// Makes the kernels use `count` threads (at least 1). Results do not depend on it.
    public static func useThreads(_ count: Int) { setComputeThreads(count) }

    /// Threads the kernels use.
    public static var threads: Int { computeCores }

    /// The BLAS library and the core kernel it chose, e.g. `OpenBLAS Haswell`.
    public static var blas: String { "OpenBLAS \(BLAS.coreName)" }

    /// Gives back what earlier work left behind: the tensor buffer cache is emptied and freed
    /// memory returned to the system, so that a peak measured next is the next phase's own.
    public static func releaseMemory() {
        emptyTensorCache()
        ProcessStatistics.releaseFreedMemory()
    }
}
