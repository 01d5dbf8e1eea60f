import Foundation

/// The signals that ask a process to stop (SIGTERM, SIGINT, SIGHUP), unblocked in the calling
/// thread. A process inherits the blocked signals of the thread that started it, and threads of
/// a dispatch pool block them all, so a run started from one would never see the sweep's or
/// Slurm's SIGTERM. Call it first thing on the main thread: threads started later inherit it.
enum TerminationSignals {
    static func unblock() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
