import Foundation
import NeuralCore

/// A safetensors file opened and validated, tensors not yet converted: names, dtypes and shapes
/// are known, elements are read from the memory-mapped file on request.
public struct SafeTensorsFile {
    /// The file.
    public let url: URL
    /// Tensor names in data-section order (the order `SafeTensors.write` was given).
    public let names: [String]
    /// Each tensor as stored (dtype, shape, bytes).
    public let entries: [String: StoredTensor]
    /// The `__metadata__` strings.
    public let metadata: [String: String]

    /// The tensor called `name` as Float32 (F16/BF16 exact, F64 and I64 rounded to nearest).
    public func tensor(_ name: String) -> Tensor? { entries[name]?.tensor() }
}

/// A safetensors file read completely: every tensor as Float32, in order, with its metadata.
public struct SafeTensorsContents {
    /// Tensor names in data-section order.
    public let names: [String]
    /// Every tensor converted to Float32.
    public let tensors: [String: Tensor]
    /// Each tensor's dtype in the file.
    public let dtypes: [String: DType]
    /// The `__metadata__` strings.
    public let metadata: [String: String]
}

extension SafeTensors {
    /// Reads every tensor of the file at `url` as Float32, with its metadata.
    public static func read(_ url: URL) throws -> SafeTensorsContents {
        let file = try open(url)
        return SafeTensorsContents(names: file.names, tensors: file.entries.mapValues { $0.tensor() },
                                   dtypes: file.entries.mapValues(\.dtype), metadata: file.metadata)
    }

    /// Maps and validates the file at `url`: header length, JSON, dtypes, shapes against sizes, and
    /// offsets that tile the data section without gaps or overlaps. Throws `.invalidSafeTensors`
    /// naming the tensor at fault.
    public static func open(_ url: URL) throws -> SafeTensorsFile {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError(.io, file: url.path, location: "file", reason: "cannot be read (\(error.localizedDescription))")
        }
        func invalid(_ location: String, _ reason: String) -> CheckpointError {
            CheckpointError(.invalidSafeTensors, file: url.path, location: location, reason: reason)
        }
        guard bytes.count >= 8 else {
            throw invalid("header length", "the file has \(bytes.count) bytes, fewer than the 8-byte header length")
        }
        let headerLength = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength >= 2, headerLength <= UInt64(bytes.count - 8) else {
            throw invalid("header length", "\(headerLength) bytes announced, but \(bytes.count - 8) bytes follow it")
        }
        let dataStart = 8 + Int(headerLength)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: bytes[8..<dataStart])
        } catch {
            throw invalid("header", "is not valid JSON (\(error.localizedDescription))")
        }
        guard let header = object as? [String: Any] else { throw invalid("header", "is JSON but not an object") }

        var metadata: [String: String] = [:]
        if let raw = header[metadataKey] {
            guard let strings = raw as? [String: Any] else { throw invalid(metadataKey, "must be an object of strings") }
            for (key, value) in strings {
                guard let string = value as? String else { throw invalid("\(metadataKey) '\(key)'", "must be a string") }
                metadata[key] = string
            }
        }
        let dataSize = bytes.count - dataStart
        var layout: [(name: String, begin: Int, end: Int, dtype: DType, shape: [Int])] = []
        for (name, value) in header where name != metadataKey {
            let location = "tensor '\(name)'"
            guard let info = value as? [String: Any] else { throw invalid(location, "must be an object") }
            guard let code = info["dtype"] as? String else { throw invalid(location, "has no string 'dtype'") }
            guard let dtype = DType(safeTensorsCode: code) else { throw invalid(location, "has unknown dtype '\(code)'") }
            guard let shape = integers(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw invalid(location, "'shape' must be an array of non-negative integers")
            }
            guard let offsets = integers(info["data_offsets"]), offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw invalid(location, "'data_offsets' must be [begin, end] with 0 <= begin <= end")
            }
            guard offsets[1] <= dataSize else {
                throw invalid(location, "data_offsets \(offsets) reach past the data section (\(dataSize) bytes)")
            }
            var count = 1, overflow = false
            for size in shape {
                let (product, o) = count.multipliedReportingOverflow(by: size)
                count = product
                overflow = overflow || o
            }
            let (byteCount, o) = count.multipliedReportingOverflow(by: dtype.byteCount)
            guard !overflow, !o, byteCount == offsets[1] - offsets[0] else {
                throw invalid(location, "shape \(shape) of \(code) needs \(overflow || o ? "too many" : String(byteCount))"
                    + " bytes, but data_offsets \(offsets) hold \(offsets[1] - offsets[0])")
            }
            layout.append((name, offsets[0], offsets[1], dtype, shape))
        }
        layout.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0, previous = "the start of the data section"
        for item in layout {
            guard item.begin >= covered else {
                throw invalid("tensor '\(item.name)'", "data_offsets [\(item.begin), \(item.end)] overlap \(previous)")
            }
            guard item.begin == covered else {
                throw invalid("tensor '\(item.name)'", "data_offsets [\(item.begin), \(item.end)] leave bytes \(covered)..<\(item.begin)"
                    + " after \(previous) unused")
            }
            covered = item.end
            previous = "tensor '\(item.name)'"
        }
        guard covered == dataSize else {
            throw invalid("data section", "\(dataSize) bytes, but the tensors cover \(covered): the file is truncated or padded")
        }
        var entries: [String: StoredTensor] = [:]
        for item in layout {
            entries[item.name] = StoredTensor(checkedDType: item.dtype, shape: item.shape,
                                              strides: StoredTensor.contiguousStrides(for: item.shape), storageOffset: 0,
                                              storage: bytes[(dataStart + item.begin)..<(dataStart + item.end)])
        }
        return SafeTensorsFile(url: url, names: layout.map(\.name), entries: entries, metadata: metadata)
    }

    /// A JSON array of integers; floats, booleans and out-of-range numbers are refused.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        for element in array {
            guard let number = element as? NSNumber, let integer = element as? Int,
                  ["i", "l", "q", "s"].contains(String(cString: number.objCType)) else { return nil }
            result.append(integer)
        }
        return result
    }
}
