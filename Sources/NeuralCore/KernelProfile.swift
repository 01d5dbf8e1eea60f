import Dispatch
import Foundation
import Synchronization

/// Optional timing of convolution passes, for benchmarks and per-layer profiles. When no
/// profile is installed (always, outside `freeze-bench`), layers pay one atomic load.
public final class KernelProfile: Sendable {
    /// A convolution pass.
    public enum Pass: String, Sendable, CaseIterable {
        case forward, weightGradient = "weight gradient", inputGradient = "input gradient"
    }

    /// One timed pass of one convolution.
    public struct Sample: Sendable {
        public let pass: Pass
        /// [N, C, H, W] of the input.
        public let inputShape: [Int]
        public let outputChannels: Int, kernel: Int, stride: Int, padding: Int
        public let seconds: Double

        public init(pass: Pass, inputShape: [Int], outputChannels: Int, kernel: Int, stride: Int, padding: Int, seconds: Double) {
            self.pass = pass
            self.inputShape = inputShape
            self.outputChannels = outputChannels
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
            self.seconds = seconds
        }

        /// Multiply-adds × 2 of the pass (the same for all three passes of a convolution).
        public var flops: Double {
            let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
            let oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1
            return 2 * Double(n * outputChannels * c * kernel * kernel * oh * ow)
        }
    }

    /// One timed pass of one graph node (a YOLOv5 layer), with the CPU time both threads spent
    /// in it: cpuSeconds / seconds is how busy the cores were.
    public struct NodeSample: Sendable {
        public let node: Int
        public let module: String
        public let backward: Bool
        public let seconds: Double, cpuSeconds: Double

        public init(node: Int, module: String, backward: Bool, seconds: Double, cpuSeconds: Double) {
            self.node = node
            self.module = module
            self.backward = backward
            self.seconds = seconds
            self.cpuSeconds = cpuSeconds
        }
    }

    private static let installed = Mutex<KernelProfile?>(nil)
    private let samples = Mutex<[Sample]>([])
    private let nodeSamples = Mutex<[NodeSample]>([])

    public init() {}

    /// The profile layers report to, if any.
    public static var current: KernelProfile? { installed.withLock { $0 } }

    /// Installs (or removes, with nil) the profile layers report to.
    public static func install(_ profile: KernelProfile?) { installed.withLock { $0 = profile } }

    /// Everything recorded so far.
    public var recorded: [Sample] { samples.withLock { $0 } }

    /// Every node pass recorded so far.
    public var recordedNodes: [NodeSample] { nodeSamples.withLock { $0 } }

    /// Forgets the recorded samples.
    public func reset() {
        samples.withLock { $0.removeAll() }
        nodeSamples.withLock { $0.removeAll() }
    }

    func record(_ sample: Sample) { samples.withLock { $0.append(sample) } }

    /// Records a node pass.
    public func record(_ sample: NodeSample) { nodeSamples.withLock { $0.append(sample) } }

    /// Runs `body`, recording its wall and CPU time as a pass of `node` when a profile is installed.
    @inline(__always)
    public static func timeNode<R>(_ node: Int, _ module: @autoclosure () -> String, backward: Bool, _ body: () -> R) -> R {
        guard let profile = current else { return body() }
        let (start, cpuStart) = (monotonicSeconds(), processCPUSeconds())
        let result = body()
        profile.record(NodeSample(node: node, module: module(), backward: backward, seconds: monotonicSeconds() - start,
                                  cpuSeconds: processCPUSeconds() - cpuStart))
        return result
    }
}

/// Seconds since an arbitrary origin, monotonic.
@inline(__always)
public func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU seconds used so far by all threads of this process (CLOCK_PROCESS_CPUTIME_ID, nanosecond resolution).
public func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
