import CLibCrypto
import NeuralCore

/// SHA-256 (OpenSSL's libcrypto) of a tensor's Float32 values in memory order, as 64 lower-case
/// hex digits: equal digests mean bit-identical tensors (to SHA-256's collision resistance),
/// without keeping a copy of the weights that would inflate the memory being measured.
public enum TensorDigest {
    /// The name recorded beside the digests.
    public static let algorithm = "sha256"

    /// The digest of `tensor`'s bytes.
    public static func sha256(_ tensor: Tensor) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = tensor.values.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "libcrypto's EVP_Digest failed for SHA-256")
        return digest.prefix(Int(length)).map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 15)] }.joined()
    }

    private static let hexDigits = (0..<16).map { String($0, radix: 16) }
}
