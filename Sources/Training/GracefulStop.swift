import Foundation
import Synchronization

/// A stop flag that the trainer reads after every iteration; any thread may set it, and one
/// made by `GracefulStop` is also set by SIGINT/SIGTERM.
public final class StopRequest: Sendable {
    private let flag = Atomic<Bool>(false)
    private let followsSignals: Bool

    /// A request that only `request()` sets.
    public init() { followsSignals = false }

    fileprivate init(followingSignals: Void) { followsSignals = true }

    /// Whether a stop has been asked for.
    public var isRequested: Bool {
        flag.load(ordering: .acquiring) || (followsSignals && stopSignals.load(ordering: .acquiring) > 0)
    }

    /// Asks training to stop after the current iteration.
    public func request() { flag.store(true, ordering: .releasing) }
}

/// SIGINT/SIGTERM handling for a training process. The first signal sets `request`: the trainer
/// finishes its iteration and returns `.stopped`, and the caller saves a checkpoint there,
/// flushes and says how to resume. A second signal ends the process at once with status
/// 128 + signal (`_exit`: nothing half-written is flushed; the results file keeps its last flush).
///
/// Signals belong to the process: install one at a time. The handler does only what a signal
/// handler may (atomic counters, `_exit`); whoever polls `request` does the rest.
public final class GracefulStop {
    /// Set by the first signal.
    public let request = StopRequest(followingSignals: ())
    private let signals: [Int32]

    /// Installs the handlers for `signals`; `exitsOnSecondSignal: false` only counts a second
    /// signal (for tests).
    public init(signals: [Int32] = [SIGINT, SIGTERM], exitsOnSecondSignal: Bool = true) {
        self.signals = signals
        // Initialise the globals here: a signal handler must not run their lazy initialisation.
        stopSignals.store(0, ordering: .sequentiallyConsistent)
        firstStopSignal.store(0, ordering: .sequentiallyConsistent)
        lastStopSignalStatus.store(0, ordering: .sequentiallyConsistent)
        exitsOnSecondStopSignal.store(exitsOnSecondSignal, ordering: .sequentiallyConsistent)
        for number in signals { signal(number, handleStopSignal) }
    }

    /// Signals received since installation.
    public var signalCount: Int { stopSignals.load(ordering: .acquiring) }

    /// The first signal received (SIGINT, SIGTERM), 0 before one: a stopped run conventionally
    /// exits with 128 + it.
    public var firstSignal: Int32 { firstStopSignal.load(ordering: .acquiring) }

    /// The status a second signal exits with (128 + signal), 0 before one arrived.
    public var exitStatus: Int32 { lastStopSignalStatus.load(ordering: .acquiring) }

    /// Restores the default action of the signals.
    public func uninstall() {
        for number in signals { signal(number, SIG_DFL) }
    }

    deinit { uninstall() }
}

private let stopSignals = Atomic<Int>(0)
private let firstStopSignal = Atomic<Int32>(0)
private let lastStopSignalStatus = Atomic<Int32>(0)
private let exitsOnSecondStopSignal = Atomic<Bool>(true)

/// The signal handler: async-signal-safe operations only.
private func handleStopSignal(_ number: Int32) {
    _ = firstStopSignal.compareExchange(expected: 0, desired: number, ordering: .sequentiallyConsistent)  // before the count: readers of the request see it
    let count = stopSignals.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
    guard count >= 2 else { return }
    lastStopSignalStatus.store(128 + number, ordering: .sequentiallyConsistent)
    if exitsOnSecondStopSignal.load(ordering: .sequentiallyConsistent) { _exit(128 + number) }
}
