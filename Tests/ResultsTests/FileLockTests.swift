import Foundation
import Testing
import TestSupport
@testable import Results

@Suite struct FileLockTests {
    @Test func aSecondHolderIsRefusedAtOnceWithTheFirstNamed() throws {
        let folder = TemporaryFolder()
        let url = folder.file("study/results.h5.lock")
        let first = try FileLock.acquire(url, purpose: "freeze-study sweep --study s.yaml")
        let start = Date()
        do {
            _ = try FileLock.acquire(url, purpose: "a second sweep")
            Issue.record("two holders of one lock")
        } catch FileLockError.held(let file, let holder) {
            #expect(Date().timeIntervalSince(start) < 1, "refused without waiting")
            #expect(file == url.path)
            let named = try #require(holder)
            #expect(named.pid == getpid() && named.host == FileLock.hostName())
            #expect(named.purpose == "freeze-study sweep --study s.yaml")
            #expect(abs(try #require(named.since).timeIntervalSinceNow) < 60)
            #expect(FileLockError.held(file: file, holder: holder).description.contains("pid \(getpid()) on \(FileLock.hostName()) since "))
        }
        #expect(FileLock.currentHolder(of: url)?.pid == getpid())
        first.release()
        #expect(FileLock.currentHolder(of: url) == nil)
        let second = try FileLock.acquire(url, purpose: "the next one")
        #expect(FileLock.currentHolder(of: url)?.purpose == "the next one")
        second.release()
    }

    /// The kernel drops a `flock` when its holder dies: a process holding the lock (a shell that
    /// takes it with util-linux's flock(1) on its own descriptor, then becomes `sleep`) killed with
    /// SIGKILL leaves no stale lock.
    @Test func aKilledHolderLeavesNoStaleLock() throws {
        let folder = TemporaryFolder()
        let url = folder.file("results.h5.lock")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", #"exec 9>>"$0" && flock 9 && exec sleep 60"#, url.path]
        try holder.run()
        var held = false
        let deadline = Date().addingTimeInterval(10)
        while !held, Date() < deadline {
            do { try FileLock.acquire(url, purpose: "probe").release(); usleep(20_000) } catch { held = true }
        }
        #expect(held, "the shell took the lock")
        let start = Date()
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        let lock = try FileLock.acquire(url, purpose: "after the kill")
        #expect(Date().timeIntervalSince(start) < 1)
        lock.release()
    }
}
