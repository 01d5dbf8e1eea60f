import Foundation

/// CPU time and resident memory of this process (Linux `getrusage` and `/proc/self`).
public enum ProcessStatistics {
    /// User plus system CPU seconds used so far by all threads.
    public static var cpuSeconds: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Peak resident set size (VmHWM) in bytes since start or the last `resetPeakResident()`.
    public static var peakResidentBytes: Int { statusField("VmHWM:") ?? 0 }

    /// Restarts the VmHWM high-water mark at the current RSS (Linux: `echo 5 > /proc/self/clear_refs`).
    /// Returns false where the kernel does not allow it; the peak then covers the whole process.
    @discardableResult
    public static func resetPeakResident() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)); return true } catch { return false }
    }

    /// Returns memory that `free` has kept in the process to the system (glibc `malloc_trim`),
    /// so that a peak measured next is this phase's and not what earlier phases left behind.
    public static func releaseFreedMemory() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }

    private static func statusField(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix(name) }) else { return nil }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first
        return kilobytes.map { $0 * 1024 }
    }
}

#if os(Linux)
/// glibc's `int malloc_trim(size_t pad)` (declared in malloc.h, which Swift's Glibc module leaves out).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
