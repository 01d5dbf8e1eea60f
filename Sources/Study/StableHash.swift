/// FNV-1a, 64 bits, as 16 hex digits: a stable name for a configuration (cache folders, the
/// results file's configuration digest). Not cryptographic; it only has to tell configurations apart.
func stableHash(_ text: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
