/// CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), the checksum zip stores per entry.
enum CRC32 {
    /// Slicing-by-4 tables: `tables[0]` is the classic byte table, `tables[k][b]` advances it k bytes.
    private static let tables: [[UInt32]] = {
        var first = [UInt32](repeating: 0, count: 256)
        for byte in 0..<256 {
            var c = UInt32(byte)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            first[byte] = c
        }
        var tables = [first]
        for k in 1..<4 {
            tables.append((0..<256).map { b in
                let previous = tables[k - 1][b]
                return first[Int(previous & 0xFF)] ^ (previous >> 8)
            })
        }
        return tables
    }()

    /// The checksum of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let t0 = tables[0], t1 = tables[1], t2 = tables[2], t3 = tables[3]
        return t0.withUnsafeBufferPointer { t0 in
            t1.withUnsafeBufferPointer { t1 in
                t2.withUnsafeBufferPointer { t2 in
                    t3.withUnsafeBufferPointer { t3 in
                        var crc: UInt32 = 0xFFFF_FFFF
                        var i = 0
                        let n = bytes.count
                        while i + 4 <= n {
                            crc ^= UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                            crc = t3[Int(crc & 0xFF)] ^ t2[Int((crc >> 8) & 0xFF)]
                                ^ t1[Int((crc >> 16) & 0xFF)] ^ t0[Int(crc >> 24)]
                            i += 4
                        }
                        while i < n {
                            crc = t0[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
                            i += 1
                        }
                        return crc ^ 0xFFFF_FFFF
                    }
                }
            }
        }
    }
}
