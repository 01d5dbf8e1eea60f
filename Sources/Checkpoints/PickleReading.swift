/// Reading opcode arguments: bounds-checked, so a stream that ends early throws instead of trapping.
extension Unpickler {
    func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw endsEarly(needing: 1) }
        defer { position += 1 }
        return bytes[position]
    }

    func readBytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= bytes.count - position else { throw endsEarly(needing: count) }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// A fixed-width integer argument, little-endian unless told otherwise (only BINFLOAT is big-endian).
    func readInteger<T: FixedWidthInteger>(_: T.Type, littleEndian: Bool = true) throws -> T {
        let size = MemoryLayout<T>.size
        guard size <= bytes.count - position else { throw endsEarly(needing: size) }
        let raw = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: T.self) }
        position += size
        return littleEndian ? T(littleEndian: raw) : raw
    }

    /// A length prefix of type `T`, which must be non-negative and fit in what remains.
    func readLength<T: FixedWidthInteger>(_: T.Type) throws -> Int {
        let length = try readInteger(T.self)
        guard length >= 0, UInt64(length) <= UInt64(bytes.count - position) else {
            throw error(.malformedPickle, "\(opcodeName) announces \(length) bytes, but only \(bytes.count - position) remain:"
                + " the stream is truncated")
        }
        return Int(length)
    }

    /// `count` bytes of UTF-8 (invalid sequences become U+FFFD rather than failing).
    func readUTF8(_ count: Int) throws -> String {
        String(decoding: try readBytes(count), as: UTF8.self)
    }

    /// A newline-terminated argument (GLOBAL, PUT, GET, PERSID).
    func readLine() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else {
            throw error(.malformedPickle, "\(opcodeName) argument has no terminating newline: the stream is truncated")
        }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    /// A decimal memo index on its own line (PUT, GET).
    func readDecimalLine() throws -> Int {
        let line = try readLine()
        guard let value = Int(line), value >= 0 else { throw error(.malformedPickle, "\(opcodeName) index '\(line)' is not a number") }
        return value
    }

    private func endsEarly(needing count: Int) -> CheckpointError {
        error(.malformedPickle, "the stream ends inside the argument of \(opcodeName): needs \(count) bytes at byte \(position),"
            + " but it has \(bytes.count) bytes")
    }

    /// A LONG1/LONG4 payload: two's complement, least significant byte first.
    static func decodeLong(_ payload: [UInt8]) -> PickleValue {
        guard let last = payload.last else { return .int(0) }
        let negative = last & 0x80 != 0
        let extension_: UInt8 = negative ? 0xFF : 0
        // Fits in 64 bits when every byte beyond the 8th repeats the sign and the 8th agrees with it.
        if payload.count > 8 {
            let high = payload[8...]
            guard high.allSatisfy({ $0 == extension_ }), (payload[7] & 0x80 != 0) == negative else { return .bigInt(payload) }
        }
        var value: UInt64 = negative ? ~0 : 0
        for (i, byte) in payload.prefix(8).enumerated() {
            value &= ~(UInt64(0xFF) << (8 * UInt64(i)))
            value |= UInt64(byte) << (8 * UInt64(i))
        }
        return .int(Int(Int64(bitPattern: value)))
    }
}
