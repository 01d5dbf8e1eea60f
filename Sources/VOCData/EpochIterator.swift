import Foundation

/// Hands out the batches of one epoch in order while `workers` background threads prepare the
/// next ones, at most `prefetch` ahead of the consumer. Dropping the iterator stops the workers
/// after the batch each is preparing.
public final class EpochIterator: IteratorProtocol {
    /// Seconds `next()` spent waiting for a batch that was not ready (data-loading stall).
    public private(set) var waitSeconds: Double = 0
    /// The index of the next batch: batches handed out so far, with those before a `start` skipped.
    public private(set) var delivered = 0
    /// Batches in this epoch.
    public let count: Int

    private let loader: BatchLoader
    private let plan: BatchPlan
    private let epoch: Int
    private let queue: BatchQueue?

    /// The batches of `plan` from index `start` on (a run resuming inside the epoch).
    init(loader: BatchLoader, plan: BatchPlan, epoch: Int, start: Int = 0) {
        self.loader = loader
        self.plan = plan
        self.epoch = epoch
        count = plan.batches.count
        delivered = min(start, count)
        let workers = min(loader.configuration.workers, count - delivered)
        if workers > 0 {
            let queue = BatchQueue(count: count, capacity: loader.configuration.prefetch, start: delivered)
            for _ in 0..<workers {
                let thread = Thread { [plan, epoch] in
                    while let index = queue.claim() { queue.put(index, loader.makeBatch(index, plan: plan, epoch: epoch)) }
                }
                thread.name = "VOCData batch worker"
                thread.start()
            }
            self.queue = queue
        } else {
            queue = nil
        }
    }

    deinit { queue?.cancel() }

    /// The next batch, or nil at the end of the epoch.
    public func next() -> Batch? {
        guard delivered < count else { return nil }
        defer { delivered += 1 }
        guard let queue else { return loader.makeBatch(delivered, plan: plan, epoch: epoch) }
        let (batch, waited) = queue.take(delivered)
        waitSeconds += waited
        return batch
    }
}

/// The bounded hand-over between workers and the consumer: workers claim batch indices in order,
/// but never more than `capacity` beyond the last one consumed; finished batches wait, keyed by
/// index, until the consumer takes them in order.
final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private let capacity: Int
    private var nextToClaim = 0
    private var consumed = 0
    private var ready: [Int: Batch] = [:]
    private var cancelled = false

    init(count: Int, capacity: Int, start: Int = 0) {
        self.count = count
        self.capacity = capacity
        nextToClaim = start
        consumed = start
    }

    /// The next batch index to prepare, waiting while the queue is full; nil when done or cancelled.
    func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled && nextToClaim < count && nextToClaim >= consumed + capacity { condition.wait() }
        guard !cancelled && nextToClaim < count else { return nil }
        defer { nextToClaim += 1 }
        return nextToClaim
    }

    /// Hands a finished batch over.
    func put(_ index: Int, _ batch: Batch) {
        condition.lock()
        if !cancelled { ready[index] = batch }
        condition.broadcast()
        condition.unlock()
    }

    /// Batch `index`, waiting until a worker has put it; returns the seconds waited.
    func take(_ index: Int) -> (Batch, Double) {
        condition.lock()
        defer { condition.unlock() }
        var waited = 0.0
        if ready[index] == nil {
            let start = DispatchTime.now().uptimeNanoseconds
            while ready[index] == nil { condition.wait() }
            waited = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let batch = ready.removeValue(forKey: index)!
        consumed = index + 1
        condition.broadcast()
        return (batch, waited)
    }

    /// Stops the workers after their current batch.
    func cancel() {
        condition.lock()
        cancelled = true
        ready.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
