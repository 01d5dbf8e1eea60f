import Dispatch
import Foundation

/// Cores used by the element-wise kernels (and, through `BLAS.configure`, by OpenBLAS).
public let computeCores = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Runs `body` over `0..<count`, split into contiguous ranges, one per core.
///
/// Small loops (`count * costPerItem` below a threshold) run inline: a dispatch costs a few
/// microseconds, more than the work.
public func parallelFor(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let chunks = min(computeCores, count)
    if chunks == 1 || count * costPerItem < 32_768 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            if start < end { body(start..<end) }
        }
    }
}
