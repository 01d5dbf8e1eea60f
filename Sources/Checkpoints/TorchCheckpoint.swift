import Foundation

/// A PyTorch checkpoint (`torch.save`, zip format of torch >= 1.6) read without Python: the
/// unpickled `data.pkl` with every tensor rebuilt on its storage entry.
///
/// Mirrors `torch.load(path, map_location="cpu", weights_only=False)`, except that classes are
/// never imported: modules and other objects stay opaque `PickleObject`s that can be walked.
/// ```swift
/// let checkpoint = try TorchCheckpoint.load(url)         // yolov5 train.py checkpoint
/// let weights = try checkpoint.stateDict()              // `ema` if present, else `model`
/// let conv = weights["model.0.conv.weight"]!             // float16 [16, 3, 6, 6]
/// ```
public final class TorchCheckpoint {
    /// The file it was read from.
    public let url: URL
    /// The unpickled object (for a YOLOv5 checkpoint, a dict).
    public let root: PickleValue
    /// The archive's top folder (`yolov5n-ckpt` for `yolov5n-ckpt.pt`, or `archive`).
    public let archiveName: String
    /// What `data.pkl` used: protocol, opcodes, globals.
    public let statistics: PickleStatistics
    /// Storages read, by key.
    public let storages: [String: TorchStorage]

    private init(url: URL, root: PickleValue, archiveName: String, statistics: PickleStatistics, storages: [String: TorchStorage]) {
        self.url = url
        self.root = root
        self.archiveName = archiveName
        self.statistics = statistics
        self.storages = storages
    }

    /// Reads the checkpoint at `url`, checking each entry it reads against its CRC-32 when
    /// `verifyChecksums` is set. Throws `CheckpointError` for legacy, corrupt or unsupported files.
    public static func load(_ url: URL, verifyChecksums: Bool = true) throws -> TorchCheckpoint {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError(.io, file: url.path, location: "file", reason: "cannot be read (\(error.localizedDescription))")
        }
        // torch < 1.6 wrote a bare pickle stream starting with the magic number 0x1950a86a20f9469cfc6c.
        if bytes.count >= 2, bytes[bytes.startIndex] == PickleOpcode.PROTO.rawValue, bytes[bytes.startIndex + 1] <= 5 {
            throw CheckpointError(.legacyFormat, file: url.path, location: "offset 0",
                                  reason: "a legacy (pre-1.6) PyTorch file: a pickle stream, not a zip archive. Re-save it"
                                    + " with torch>=1.6: torch.save(torch.load(path, weights_only=False), new_path)")
        }
        let archive = try ZipArchive(bytes: bytes, path: url.path)
        guard let pickleEntry = archive.entries.first(where: {
            $0.name == "data.pkl" || ($0.name.hasSuffix("/data.pkl") && $0.name.split(separator: "/").count == 2)
        }) else {
            throw CheckpointError(.missingEntry, file: url.path, location: "zip entries",
                                  reason: "no '<name>/data.pkl' among \(archive.entries.count) entries: not a PyTorch checkpoint")
        }
        let prefix = String(pickleEntry.name.dropLast("data.pkl".count))
        let bigEndian = try archive.entry(named: prefix + "byteorder").map {
            String(decoding: try archive.contents(of: $0, verifyChecksum: verifyChecksums), as: UTF8.self) == "big"
        } ?? false
        let pickle = try archive.contents(of: pickleEntry, verifyChecksum: verifyChecksums)
        var storages: [String: TorchStorage] = [:]
        let unpickler = Unpickler(bytes: Array(pickle), file: url.path, entry: pickleEntry.name) { id, offset in
            let storage = try Self.storage(id, offset: offset, archive: archive, prefix: prefix, pickleEntry: pickleEntry.name,
                                           bigEndian: bigEndian, verifyChecksums: verifyChecksums, cache: storages)
            storages[storage.key] = storage
            return .storage(storage)
        }
        let root = try unpickler.load()
        return TorchCheckpoint(url: url, root: root, archiveName: String(prefix.dropLast()),
                               statistics: unpickler.statistics, storages: storages)
    }

    /// Resolves `('storage', storage_type, key, location, numel)` to the bytes of `<prefix>data/<key>`.
    private static func storage(_ id: PickleValue, offset: Int, archive: ZipArchive, prefix: String, pickleEntry: String,
                                bigEndian: Bool, verifyChecksums: Bool, cache: [String: TorchStorage]) throws -> TorchStorage {
        func failure(_ kind: CheckpointError.Kind, _ reason: String) -> CheckpointError {
            CheckpointError(kind, file: archive.path, location: "\(pickleEntry) offset \(offset)", reason: reason)
        }
        guard case let .tuple(fields) = id, fields.count == 5, fields[0].stringValue == "storage" else {
            throw failure(.wrongType, "persistent id must be ('storage', type, key, location, numel), found \(id.kindName)")
        }
        guard case let .global(module, name) = fields[1], let dtype = TorchStorage.dtype(ofStorageClass: module, name) else {
            throw failure(.wrongType, "persistent id names storage type \(fields[1].kindName), not a torch storage class")
        }
        guard let key = fields[2].stringValue, let location = fields[3].stringValue, let elements = fields[4].intValue, elements >= 0 else {
            throw failure(.wrongType, "persistent id needs a string key, a string location and an int numel, found "
                + "\(fields[2].kindName), \(fields[3].kindName), \(fields[4].kindName)")
        }
        if let known = cache[key], known.dtype == dtype, known.elementCount == elements { return known }
        let entryName = prefix + "data/" + key
        guard let entry = archive.entry(named: entryName) else {
            throw failure(.missingEntry, "storage '\(key)' (\(module).\(name)) has no entry '\(entryName)' in the archive")
        }
        let (byteCount, overflow) = elements.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow, entry.size >= byteCount else {
            throw failure(.storageOutOfRange, "storage '\(key)' declares \(elements) \(dtype) elements (\(byteCount) bytes),"
                + " but entry '\(entryName)' has \(entry.size) bytes")
        }
        var bytes = try archive.contents(of: entry, verifyChecksum: verifyChecksums).prefix(byteCount)
        if bigEndian, dtype.byteCount > 1 { bytes = Self.byteSwapped(bytes, elementSize: dtype.byteCount) }
        return TorchStorage(key: key, dtype: dtype, location: location, elementCount: elements, bytes: bytes)
    }

    /// Elements of a big-endian archive (`byteorder` = "big") turned little-endian.
    private static func byteSwapped(_ bytes: Data, elementSize: Int) -> Data {
        var swapped = [UInt8](bytes)
        for start in stride(from: 0, to: swapped.count - elementSize + 1, by: elementSize) {
            swapped[start..<(start + elementSize)].reverse()
        }
        return Data(swapped)
    }

    /// The root dict's string keys in order (empty when the root is not a dict).
    public var topLevelKeys: [String] { root.dictValue?.stringKeys ?? [] }

    /// The root dict's value for `key`.
    public subscript(key: String) -> PickleValue? { root.dictValue?[key] }
}
