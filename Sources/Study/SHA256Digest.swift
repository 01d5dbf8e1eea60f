import CLibCrypto
import Foundation

/// SHA-256 (OpenSSL's libcrypto) as 64 lower-case hex digits: the digest a committed file is
/// checked against, and the name of a configuration.
enum SHA256Digest {
    /// The digest of `bytes`.
    static func hex(_ bytes: Data) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "libcrypto's EVP_Digest failed for SHA-256")
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }

    /// The digest of `text`'s UTF-8 bytes.
    static func hex(_ text: String) -> String { hex(Data(text.utf8)) }

    /// The digest of the file at `url`.
    static func hex(contentsOf url: URL) throws -> String {
        do {
            return hex(try Data(contentsOf: url, options: .mappedIfSafe))
        } catch {
            throw StudyError("cannot read \(url.path) to check its SHA-256 digest: \(error.localizedDescription)")
        }
    }
}
