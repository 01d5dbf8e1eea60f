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

/// Runs `body(part)` for every part of a fixed partition `0..<parts`, on at most `computeCores`
/// threads (each thread takes parts in turn; one thread runs them all in order).
///
/// The partition is the caller's, never the thread count's: a result that depends on how work is
/// cut (a sum of partial sums, a GEMM's shape) is then the same with one thread or two.
/// `inline` runs everything on the calling thread (work too small to be worth a dispatch).
public func forEachPart(_ parts: Int, inline: Bool = false, _ body: (Int) -> Void) {
    let threads = inline ? 1 : min(computeCores, parts)
    if threads <= 1 {
        for part in 0..<parts { body(part) }
        return
    }
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for part in stride(from: thread, to: parts, by: threads) { body(part) }
        }
    }
}
