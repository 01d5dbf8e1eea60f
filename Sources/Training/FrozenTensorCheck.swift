import NeuralCore
import YOLOv5

/// Whether freezing was real: a fingerprint of every frozen parameter before training, compared
/// with the parameters after it. Bit-identical tensors give equal fingerprints, and no copy of
/// the weights is kept to inflate the memory being measured.
public struct FrozenTensorCheck: Sendable {
    /// Frozen parameter names and the FNV-1a hash of their bytes when the check was made.
    public let fingerprints: [(name: String, hash: UInt64)]

    /// Fingerprints the frozen parameters of `model` now.
    public init(_ model: YOLOv5Model) {
        fingerprints = model.namedParameters().filter { !$0.1.isTrainable }.map { ($0.0, Self.fingerprint($0.1.value)) }
    }

    /// The frozen parameters of `model` whose bytes differ from when the check was made, in order.
    public func changed(in model: YOLOv5Model) -> [String] {
        let now = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.0, $0.1) })
        return fingerprints.filter { name, hash in now[name].map { Self.fingerprint($0.value) } != hash }.map(\.name)
    }

    /// FNV-1a, 64 bits, over a tensor's bytes.
    public static func fingerprint(_ t: Tensor) -> UInt64 {
        withExtendedLifetime(t) {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in UnsafeRawBufferPointer(start: t.data, count: t.byteCount) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            return hash
        }
    }
}
