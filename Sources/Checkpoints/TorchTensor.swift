import Foundation
import NeuralCore

/// A storage named by a persistent id `('storage', torch.HalfStorage, key, location, numel)`:
/// the bytes of zip entry `<archive>/data/<key>`, little-endian.
public final class TorchStorage {
    /// The storage's key, the entry name under `data/`.
    public let key: String
    /// Element type from the storage class (`UntypedStorage`: bytes, i.e. uint8).
    public let dtype: DType
    /// Where it lived when saved ("cpu", "cuda:0"); everything is read onto the CPU.
    public let location: String
    /// Number of elements the persistent id declares.
    public let elementCount: Int
    let bytes: Data

    init(key: String, dtype: DType, location: String, elementCount: Int, bytes: Data) {
        self.key = key
        self.dtype = dtype
        self.location = location
        self.elementCount = elementCount
        self.bytes = bytes
    }

    /// The dtype of a legacy storage class (`torch.HalfStorage`, …) or of the untyped storage
    /// spellings (`torch.UntypedStorage`, `torch.storage.UntypedStorage`, `torch.storage.TypedStorage`,
    /// read as bytes); nil for anything else.
    static func dtype(ofStorageClass module: String, _ name: String) -> DType? {
        guard module == "torch" || module == "torch.storage" else { return nil }
        switch name {
        case "HalfStorage": return .float16
        case "BFloat16Storage": return .bfloat16
        case "FloatStorage": return .float32
        case "DoubleStorage": return .float64
        case "CharStorage": return .int8
        case "ByteStorage", "UntypedStorage", "TypedStorage", "_UntypedStorage": return .uint8
        case "ShortStorage": return .int16
        case "IntStorage": return .int32
        case "LongStorage": return .int64
        case "BoolStorage": return .bool
        default: return nil
        }
    }

    /// The dtype named by a `torch.float16`-style global (`_rebuild_tensor_v3`'s dtype argument).
    static func dtype(ofTorchDType module: String, _ name: String) -> DType? {
        guard module == "torch" else { return nil }
        switch name {
        case "float16", "half": return .float16
        case "bfloat16": return .bfloat16
        case "float32", "float": return .float32
        case "float64", "double": return .float64
        case "int8": return .int8
        case "uint8": return .uint8
        case "int16", "short": return .int16
        case "int32", "int": return .int32
        case "int64", "long": return .int64
        case "bool": return .bool
        default: return nil
        }
    }
}

/// A `torch.Tensor` or `torch.nn.Parameter` rebuilt from a checkpoint
/// (`torch._utils._rebuild_tensor_v2`, `_rebuild_parameter`).
public final class TorchTensor {
    /// Element type, shape, strides and bytes.
    public let stored: StoredTensor
    /// The key of the storage it views (several tensors may share one).
    public let storageKey: String
    /// `requires_grad` as pickled (False for the parameters a `--freeze` run froze, and for EMA copies).
    public let requiresGrad: Bool
    /// Whether it was pickled as an `nn.Parameter`.
    public let isParameter: Bool

    init(stored: StoredTensor, storageKey: String, requiresGrad: Bool, isParameter: Bool) {
        self.stored = stored
        self.storageKey = storageKey
        self.requiresGrad = requiresGrad
        self.isParameter = isParameter
    }

    /// Element type as stored.
    public var dtype: DType { stored.dtype }
    /// Sizes, outermost first; `[]` for a scalar (e.g. `num_batches_tracked`).
    public var shape: [Int] { stored.shape }
    /// Number of elements.
    public var count: Int { stored.count }
    /// The elements as Float32, row-major (float16 converted exactly).
    public func floatValues() -> [Float] { stored.floatValues() }
    /// The elements as Int64 for integer and bool dtypes, nil for floating point.
    public func int64Values() -> [Int64]? { stored.int64Values() }
    /// The elements as Float64 (exact for float64 and float16).
    public func doubleValues() -> [Double] { stored.doubleValues() }
    /// The elements as a Float32 NeuralCore tensor of the same shape.
    public func tensor() -> Tensor { stored.tensor() }
}

extension TorchTensor: CustomStringConvertible {
    /// `TorchTensor(float16, [16, 3, 6, 6], parameter)`.
    public var description: String { "TorchTensor(\(dtype), \(shape)\(isParameter ? ", parameter" : ""))" }
}
