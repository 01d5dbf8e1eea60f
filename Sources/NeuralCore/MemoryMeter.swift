import Synchronization

/// Counts the bytes of every live tensor buffer and keeps a resettable high-water mark.
///
/// The analogue of `torch.cuda.memory_allocated` (live bytes) and, through `peakBytes`, of the
/// peak that YOLOv5 logs as GPU_mem (`torch.cuda.memory_reserved`). Buffers parked in the
/// allocator's cache are reported separately as `cachedBytes`; `reservedBytes` is their sum.
public final class MemoryMeter: Sendable {
    /// The meter every `Tensor` reports to.
    public static let shared = MemoryMeter()

    private struct Counts {
        var liveBytes = 0
        var peakBytes = 0
        var cachedBytes = 0
        var liveBuffers = 0
    }
    private let counts = Mutex(Counts())

    public init() {}

    /// Bytes held by live tensors now.
    public var liveBytes: Int { counts.withLock { $0.liveBytes } }
    /// Number of live buffers now.
    public var liveBuffers: Int { counts.withLock { $0.liveBuffers } }
    /// Highest `liveBytes` since the last `resetPeak()`.
    public var peakBytes: Int { counts.withLock { $0.peakBytes } }
    /// Bytes of freed buffers kept by the allocator for reuse.
    public var cachedBytes: Int { counts.withLock { $0.cachedBytes } }
    /// Live plus cached bytes: what the process holds for tensors.
    public var reservedBytes: Int { counts.withLock { $0.liveBytes + $0.cachedBytes } }

    /// Starts a new high-water mark at the current live bytes.
    public func resetPeak() { counts.withLock { $0.peakBytes = $0.liveBytes } }

    func allocated(_ bytes: Int, fromCache: Bool) {
        counts.withLock {
            $0.liveBytes += bytes
            $0.liveBuffers += 1
            if fromCache { $0.cachedBytes -= bytes }
            $0.peakBytes = max($0.peakBytes, $0.liveBytes)
        }
    }

    func released(_ bytes: Int, toCache: Bool) {
        counts.withLock {
            $0.liveBytes -= bytes
            $0.liveBuffers -= 1
            if toCache { $0.cachedBytes += bytes }
        }
    }

    func dropped(cachedBytes bytes: Int) { counts.withLock { $0.cachedBytes -= bytes } }
}
