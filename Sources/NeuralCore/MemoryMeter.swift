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
        var systemAllocations = 0
        var peakReservedBytes = 0
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
    /// Highest `reservedBytes` since the last `resetPeak()` (what tensors add to the RSS).
    public var peakReservedBytes: Int { counts.withLock { $0.peakReservedBytes } }
    /// Buffers taken from the system rather than from the cache, ever: a training step that
    /// adds to it allocates in its hot loop (small buffers below the cache's size class go to
    /// malloc and count here too).
    public var systemAllocations: Int { counts.withLock { $0.systemAllocations } }

    /// Starts new high-water marks at the current live and reserved bytes.
    public func resetPeak() {
        counts.withLock {
            $0.peakBytes = $0.liveBytes
            $0.peakReservedBytes = $0.liveBytes + $0.cachedBytes
        }
    }

    func allocated(_ bytes: Int, fromCache: Bool) {
        counts.withLock {
            $0.liveBytes += bytes
            $0.liveBuffers += 1
            if fromCache { $0.cachedBytes -= bytes } else { $0.systemAllocations += 1 }
            $0.peakBytes = max($0.peakBytes, $0.liveBytes)
            $0.peakReservedBytes = max($0.peakReservedBytes, $0.liveBytes + $0.cachedBytes)
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
