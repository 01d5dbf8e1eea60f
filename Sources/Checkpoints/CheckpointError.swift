/// A checkpoint file that cannot be read or written: names the file, where in it, and why.
///
/// Everything in this module that reads user-supplied bytes throws this error rather than
/// trapping; `kind` lets callers (and tests) tell the cases apart without parsing `reason`.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, coarsely.
    public enum Kind: String, Sendable {
        /// The file could not be opened, read or written.
        case io
        /// A pre-1.6 PyTorch file (a bare pickle stream, not a zip archive).
        case legacyFormat
        /// The zip container is truncated or inconsistent.
        case corruptArchive
        /// A zip entry uses compression or encryption (PyTorch stores entries uncompressed).
        case compressedEntry
        /// A zip entry the checkpoint refers to is absent.
        case missingEntry
        /// A pickle opcode this interpreter does not implement.
        case unknownOpcode
        /// The pickle stream is truncated or its stack, mark or memo use is inconsistent.
        case malformedPickle
        /// A tensor reaches past the end of its storage.
        case storageOutOfRange
        /// A value has the wrong type for where it is used (e.g. a string as a tensor size).
        case wrongType
        /// The checkpoint holds no model weights that can be turned into a state dict.
        case noModelState
        /// A safetensors header or data section that violates the format.
        case invalidSafeTensors
        /// Tensors that cannot be written (duplicate or reserved names).
        case invalidArgument
    }

    /// What went wrong.
    public let kind: Kind
    /// The file's path as given.
    public let file: String
    /// Where in the file: an entry, an offset, a tensor name.
    public let location: String
    /// What was found and, where it helps, what to do.
    public let reason: String

    /// An error of `kind` at `location` in `file`.
    public init(_ kind: Kind, file: String, location: String, reason: String) {
        self.kind = kind
        self.file = file
        self.location = location
        self.reason = reason
    }

    /// `file: location: reason`.
    public var description: String { "\(file): \(location): \(reason)" }
}
