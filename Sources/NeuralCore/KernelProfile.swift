import Dispatch
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

    private static let installed = Mutex<KernelProfile?>(nil)
    private let samples = Mutex<[Sample]>([])

    public init() {}

    /// The profile layers report to, if any.
    public static var current: KernelProfile? { installed.withLock { $0 } }

    /// Installs (or removes, with nil) the profile layers report to.
    public static func install(_ profile: KernelProfile?) { installed.withLock { $0 = profile } }

    /// Everything recorded so far.
    public var recorded: [Sample] { samples.withLock { $0 } }

    /// Forgets the recorded samples.
    public func reset() { samples.withLock { $0.removeAll() } }

    func record(_ sample: Sample) { samples.withLock { $0.append(sample) } }
}

/// Seconds since an arbitrary origin, monotonic.
@inline(__always)
public func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
