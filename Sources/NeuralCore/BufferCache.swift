import Foundation
import Synchronization

/// Keeps freed tensor buffers by size and hands them out again, so that the same shapes in
/// every training step do not go back to the kernel (glibc serves buffers above 32 MB with a
/// fresh `mmap`, and every page of those faults again on first touch).
///
/// PyTorch's caching allocator does the same on the GPU. Sizes are rounded up to 4 KiB, so a
/// buffer is reused only for requests of the same rounded size.
final class BufferCache: Sendable {
    static let shared = BufferCache(meter: .shared)

    static let granuleBytes = 4096
    /// Buffers below this size are left to malloc, which already recycles them well.
    static let minimumCachedBytes = 64 * 1024

    private let meter: MemoryMeter
    private let freeLists = Mutex([Int: [UnsafeMutableRawPointer]]())

    init(meter: MemoryMeter) { self.meter = meter }

    static func roundedSize(_ bytes: Int) -> Int {
        (max(bytes, 1) + granuleBytes - 1) / granuleBytes * granuleBytes
    }

    /// A buffer of at least `bytes` bytes, 64-byte aligned, contents undefined.
    func allocate(bytes: Int) -> (pointer: UnsafeMutableRawPointer, capacity: Int) {
        let size = Self.roundedSize(bytes)
        if size >= Self.minimumCachedBytes,
           let reused = freeLists.withLock({ $0[size]?.popLast() }) {
            meter.allocated(size, fromCache: true)
            return (reused, size)
        }
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        meter.allocated(size, fromCache: false)
        return (pointer, size)
    }

    func release(_ pointer: UnsafeMutableRawPointer, capacity: Int) {
        if capacity >= Self.minimumCachedBytes {
            freeLists.withLock { $0[capacity, default: []].append(pointer) }
            meter.released(capacity, toCache: true)
        } else {
            pointer.deallocate()
            meter.released(capacity, toCache: false)
        }
    }

    /// Returns every cached buffer to the system (between scenarios, or to measure RSS).
    func empty() {
        let all = freeLists.withLock { lists -> [Int: [UnsafeMutableRawPointer]] in
            defer { lists.removeAll() }
            return lists
        }
        for (size, pointers) in all {
            pointers.forEach { $0.deallocate() }
            meter.dropped(cachedBytes: size * pointers.count)
        }
    }
}

/// Frees every cached tensor buffer (`torch.cuda.empty_cache()`).
public func emptyTensorCache() { BufferCache.shared.empty() }
