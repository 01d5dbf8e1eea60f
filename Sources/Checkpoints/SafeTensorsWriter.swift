import Foundation
import NeuralCore

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N
/// bytes of JSON `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}`
/// padded with spaces to a multiple of 8, then the tensors' little-endian bytes, offsets counted
/// from the start of that data section, which they tile without gaps.
///
/// FreezeStudy's own checkpoints use it; see `Sources/Checkpoints/README.md` for the naming.
public enum SafeTensors {
    /// The key of the string-to-string metadata object in the header.
    public static let metadataKey = "__metadata__"

    /// Writes Float32 `tensors` in the given order (F32, data section in the same order) with
    /// `metadata`, atomically: into a temporary file beside `url`, flushed, then renamed over it,
    /// so a crash leaves either the old file or the new one, never half of one.
    /// Throws `.invalidArgument` for an empty, duplicate or reserved name, `.io` when writing fails.
    public static func write(tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        var offset = 0
        for (name, tensor) in tensors {
            guard !name.isEmpty, name != metadataKey, header[name] == nil else {
                let why = name.isEmpty ? "an empty name" : name == metadataKey ? "the reserved name" : "a duplicate name"
                throw CheckpointError(.invalidArgument, file: url.path, location: "tensor '\(name)'", reason: "\(why) cannot be written")
            }
            header[name] = ["dtype": DType.float32.safeTensorsCode, "shape": tensor.shape,
                            "data_offsets": [offset, offset + tensor.byteCount]] as [String: Any]
            offset += tensor.byteCount
        }
        if !metadata.isEmpty { header[metadataKey] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))  // data starts 8-aligned

        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw CheckpointError(.io, file: temporary.path, location: "file", reason: "cannot be created")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            do {
                try handle.write(contentsOf: withUnsafeBytes(of: UInt64(json.count).littleEndian) { Data($0) })
                try handle.write(contentsOf: json)
                for (_, tensor) in tensors { try handle.write(contentsOf: littleEndianBytes(of: tensor)) }
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            guard rename(temporary.path, url.path) == 0 else {
                throw CheckpointError(.io, file: url.path, location: "file",
                                      reason: "cannot replace it with \(temporary.lastPathComponent) (errno \(errno))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if error is CheckpointError { throw error }
            throw CheckpointError(.io, file: url.path, location: "file", reason: "cannot be written (\(error.localizedDescription))")
        }
    }

    /// A tensor's elements as little-endian bytes (no copy on little-endian hosts).
    private static func littleEndianBytes(of tensor: Tensor) -> Data {
        #if _endian(little)
        return Data(bytesNoCopy: tensor.data, count: tensor.byteCount, deallocator: .none)
        #else
        var bits = (0..<tensor.count).map { tensor.data[$0].bitPattern.littleEndian }
        return bits.withUnsafeBytes { Data($0) }
        #endif
    }
}
