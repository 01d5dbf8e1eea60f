import Dispatch
import Foundation

/// Threads the kernels use: parallel loops split work into this many parts, and every GEMM runs
/// single-threaded inside one part (see `BLAS`). All the machine's cores unless
/// `setComputeThreads(_:)` chose fewer (a run that shares the machine with other runs).
public var computeCores: Int { computeThreadCount }

nonisolated(unsafe) private var computeThreadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Sets how many threads the kernels use (at least 1); call it once, before any work starts.
public func setComputeThreads(_ count: Int) {
    precondition(count >= 1, "setComputeThreads: \(count) threads")
    computeThreadCount = count
}

/// Runs `body` over `0..<count`, split into contiguous ranges, one per core.
///
/// Small loops (`count * costPerItem` below a threshold) run inline: a dispatch costs a few
/// microseconds, more than the work.
public func parallelFor(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let parts = min(computeCores, count)
    if parts == 1 || count * costPerItem < 32_768 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = count * part / parts
            let end = count * (part + 1) / parts
            if start < end { body(start..<end) }
        }
    }
}

/// Runs `body(worker)` once per worker, concurrently, for `workers` ≤ cores (inline for one).
public func forEachWorker(_ workers: Int, _ body: (Int) -> Void) {
    if workers <= 1 {
        body(0)
        return
    }
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: workers) { body($0) }
    }
}
