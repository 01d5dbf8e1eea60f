import Foundation

/// Text files as people write them: read into a `String` whatever the editor saved, then split
/// into numbered lines at any line ending.
///
/// Accepts UTF-8 with or without a byte-order mark and UTF-16 with one (Windows Notepad's
/// "Unicode"); anything else that is not UTF-8 is an error naming the line of the first bad byte.
/// Lines end at LF, CRLF or CR (Swift reads "\r\n" as one `Character`, so splitting on the LF
/// character alone would never split a Windows file); a missing final newline changes nothing.
public enum TextFile {
    /// The text of the file at `url`; an unreadable file or one that is not text throws a
    /// `ConfigError` naming the file (and the line of the first byte that is not UTF-8).
    public static func read(_ url: URL) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigError(file: url.path, line: nil, field: "", reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try decode(data, file: url.path)
    }

    /// Bytes as text: a UTF-8 or UTF-16 byte-order mark says the encoding and is dropped;
    /// without one the bytes must be UTF-8. `file` names them in errors.
    public static func decode(_ data: Data, file: String) throws -> String {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            guard (bytes.count - 2) % 2 == 0,
                  let text = String(data: Data(bytes.dropFirst(2)), encoding: littleEndian ? .utf16LittleEndian : .utf16BigEndian) else {
                throw ConfigError(file: file, line: nil, field: "", reason: "not valid UTF-16 text (it starts with a UTF-16 byte-order mark)")
            }
            return text
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        if let text = String(validating: body, as: UTF8.self) { return dropByteOrderMark(text) }
        let bad = firstInvalidUTF8Offset(body) ?? 0
        let line = lineNumber(ofOffset: bad, in: body)
        throw ConfigError(file: file, line: line, field: "",
                          reason: "not UTF-8 text (byte 0x\(String(body[body.startIndex + bad], radix: 16, uppercase: true)) "
                              + "at offset \(bad)); save the file as UTF-8")
    }

    /// `text` without a leading byte-order mark (U+FEFF), which some decoders keep.
    public static func dropByteOrderMark(_ text: String) -> String {
        text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
    }

    /// The lines of `text`, numbered from 1, split at LF, CRLF, CR (and the other Unicode line
    /// separators Python's `splitlines` knows). Blank lines are kept so the numbers stay true;
    /// a final line ending does not add an empty line.
    public static func lines(_ text: String) -> [(number: Int, text: Substring)] {
        var lines = dropByteOrderMark(text)[...].split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.enumerated().map { ($0 + 1, $1) }
    }

    /// The whitespace-separated words of a line (spaces, tabs, any Unicode blank), as Python's
    /// `str.split()` gives them.
    public static func words(_ line: Substring) -> [Substring] {
        line.split(whereSeparator: \.isWhitespace)
    }

    /// The 1-based line holding byte `offset`: lines end at LF, or at a CR not followed by LF.
    private static func lineNumber(ofOffset offset: Int, in bytes: ArraySlice<UInt8>) -> Int {
        var line = 1
        var i = bytes.startIndex
        while i < bytes.startIndex + offset {
            if bytes[i] == 0x0A || (bytes[i] == 0x0D && bytes[i + 1] != 0x0A) { line += 1 }
            i += 1
        }
        return line
    }

    private static func firstInvalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
