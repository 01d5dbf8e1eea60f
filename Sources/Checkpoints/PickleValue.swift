/// A value built by the restricted unpickler: plain Python data, tensors, and opaque objects
/// standing for any class the interpreter does not know. Nothing is ever executed.
///
/// Lists, sets, dicts and objects are reference types because pickle mutates them after they
/// are memoized (APPENDS, SETITEMS, BUILD) and several places may share one.
public indirect enum PickleValue: @unchecked Sendable {  // built once by the unpickler, then only read
    /// Python `None`.
    case none
    /// Python `True` / `False`.
    case bool(Bool)
    /// A Python int that fits in 64 bits.
    case int(Int)
    /// A Python int beyond 64 bits: two's-complement bytes, least significant first.
    case bigInt([UInt8])
    /// A Python float (BINFLOAT is a float64).
    case float(Double)
    /// A Python `str` (also Python 2 `str`, decoded as UTF-8).
    case string(String)
    /// `bytes` or `bytearray` (also `_codecs.encode(s, "latin1")`, protocol 2's spelling of bytes).
    case bytes([UInt8])
    /// A Python tuple (also `torch.Size`).
    case tuple([PickleValue])
    /// A Python list, shared by reference.
    case list(PickleList)
    /// `set` or `frozenset`, in insertion order.
    case set(PickleList)
    /// `dict` or `collections.OrderedDict`, in insertion order.
    case dict(PickleDict)
    /// A rebuilt `torch.Tensor` or `torch.nn.Parameter`.
    case tensor(TorchTensor)
    /// A storage from a persistent id, before a tensor is rebuilt on it.
    case storage(TorchStorage)
    /// A class or function reference (GLOBAL / STACK_GLOBAL) not yet called.
    case global(module: String, name: String)
    /// An instance of a class this interpreter does not model (nn.Module, numpy array, …).
    case object(PickleObject)

    /// A short description of the value's kind, for error messages ("int", "str", "dict", …).
    public var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .set: "set"
        case .dict: "dict"
        case .tensor: "tensor"
        case .storage: "storage"
        case let .global(module, name): "global \(module).\(name)"
        case let .object(object): "\(object.module).\(object.name) object"
        }
    }

    /// The value as a 64-bit int (bools count, as in Python).
    public var intValue: Int? {
        switch self {
        case let .int(v): v
        case let .bool(b): b ? 1 : 0
        default: nil
        }
    }

    /// The value as a string.
    public var stringValue: String? { if case let .string(s) = self { s } else { nil } }
    /// The value as a dict.
    public var dictValue: PickleDict? { if case let .dict(d) = self { d } else { nil } }
    /// The value as an opaque object.
    public var objectValue: PickleObject? { if case let .object(o) = self { o } else { nil } }
    /// The value as a tensor.
    public var tensorValue: TorchTensor? { if case let .tensor(t) = self { t } else { nil } }
    /// Whether the value is `None`.
    public var isNone: Bool { if case .none = self { true } else { false } }

    /// The items of a tuple, list or set.
    public var sequenceItems: [PickleValue]? {
        switch self {
        case let .tuple(items): items
        case let .list(list), let .set(list): list.items
        default: nil
        }
    }

    /// `self[key]` for a dict with string keys, or attribute `key` of an object whose BUILD state is
    /// a dict (an `nn.Module`'s `__dict__`): `checkpoint["model"]?["stride"]`.
    public subscript(key: String) -> PickleValue? {
        switch self {
        case let .dict(dict): dict[key]
        case let .object(object): object.attribute(key)
        default: nil
        }
    }
}

/// A mutable Python list (or set), shared by reference.
public final class PickleList {
    /// The elements in order.
    public internal(set) var items: [PickleValue]
    init(_ items: [PickleValue] = []) { self.items = items }
}

/// A Python dict in insertion order, shared by reference. Keys are matched by value for
/// strings, numbers and tuples of them; other keys (rare) by position only.
public final class PickleDict {
    /// Key–value pairs in insertion order (a re-set key keeps its first position, as in Python).
    public private(set) var items: [(key: PickleValue, value: PickleValue)] = []
    /// Attributes set by BUILD (OrderedDict's `__dict__`, e.g. a state_dict's `_metadata`).
    public internal(set) var attributes: PickleValue?
    private var index: [HashableKey: Int] = [:]

    init() {}

    /// Number of entries.
    public var count: Int { items.count }
    /// String keys in order (others skipped).
    public var stringKeys: [String] { items.compactMap { $0.key.stringValue } }

    /// The value for a string key.
    public subscript(key: String) -> PickleValue? {
        index[.string(key)].map { items[$0].value }
    }

    func set(_ key: PickleValue, _ value: PickleValue) {
        if let hashable = HashableKey(key) {
            if let i = index[hashable] { items[i].value = value; return }
            index[hashable] = items.count
        }
        items.append((key, value))
    }

    /// The subset of pickle values usable as Swift dictionary keys.
    private indirect enum HashableKey: Hashable {
        case none, bool(Bool), int(Int), float(Double), string(String), bytes([UInt8]), tuple([HashableKey])
        init?(_ value: PickleValue) {
            switch value {
            case .none: self = .none
            case let .bool(b): self = .int(b ? 1 : 0)  // Python: True == 1
            case let .int(i): self = .int(i)
            case let .float(f): self = f == f.rounded() && abs(f) < 0x1p62 ? .int(Int(f)) : .float(f)  // 1.0 == 1
            case let .string(s): self = .string(s)
            case let .bytes(b): self = .bytes(b)
            case let .tuple(items):
                var keys: [HashableKey] = []
                for item in items {
                    guard let key = HashableKey(item) else { return nil }
                    keys.append(key)
                }
                self = .tuple(keys)
            default: return nil
            }
        }
    }
}

/// An instance of a class the interpreter does not model, recorded instead of constructed:
/// its class, the arguments it was created with, its BUILD state and any items appended to it.
public final class PickleObject {
    /// The class's module (`yolov5.models.yolo`, `torch.nn.modules.conv`, `numpy`).
    public let module: String
    /// The class's name (`DetectionModel`, `Conv2d`, `ndarray`).
    public let name: String
    /// Arguments given to REDUCE or NEWOBJ.
    public let arguments: [PickleValue]
    /// The BUILD state: for an `nn.Module`, its `__dict__` (`_parameters`, `_buffers`, `_modules`, `training`, …).
    public internal(set) var state: PickleValue?
    /// Items added by APPEND(S) (list subclasses).
    public internal(set) var listItems: [PickleValue] = []
    /// Items added by SETITEM(S) (dict subclasses).
    public internal(set) var dictItems: [(key: PickleValue, value: PickleValue)] = []

    init(module: String, name: String, arguments: [PickleValue]) {
        self.module = module
        self.name = name
        self.arguments = arguments
    }

    /// `module.name`.
    public var qualifiedName: String { "\(module).\(name)" }

    /// Entry `name` of a dict state (also the dict of a `(dict, slots)` state tuple).
    public func attribute(_ key: String) -> PickleValue? {
        switch state {
        case let .dict(dict)?: return dict[key]
        case let .tuple(parts)? where parts.count == 2:
            return parts[0].dictValue?[key] ?? parts[1].dictValue?[key]
        default: return nil
        }
    }
}
