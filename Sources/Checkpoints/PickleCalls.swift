/// What REDUCE, NEWOBJ, BUILD, APPEND(S) and SETITEM(S) do to values. Nothing is executed:
/// a known global is turned into a value (`call`), any other class into an opaque `PickleObject`.
extension Unpickler {
    /// The known globals, by `module.name`. Everything else becomes an opaque object.
    enum KnownGlobal: String, CaseIterable {
        case orderedDict = "collections.OrderedDict"
        case dict = "builtins.dict", dict2 = "__builtin__.dict"
        case set = "builtins.set", set2 = "__builtin__.set"
        case frozenset = "builtins.frozenset", frozenset2 = "__builtin__.frozenset"
        case bytes = "builtins.bytes", bytes2 = "__builtin__.bytes"
        case bytearray = "builtins.bytearray", bytearray2 = "__builtin__.bytearray"
        case codecsEncode = "_codecs.encode"
        case torchSize = "torch.Size"
        case rebuildTensor = "torch._utils._rebuild_tensor"
        case rebuildTensorV2 = "torch._utils._rebuild_tensor_v2"
        case rebuildTensorV3 = "torch._utils._rebuild_tensor_v3"
        case rebuildParameter = "torch._utils._rebuild_parameter"
        case rebuildParameterWithState = "torch._utils._rebuild_parameter_with_state"
    }

    /// `callable(*arguments)` for REDUCE, or `cls.__new__(cls, *arguments)` for NEWOBJ.
    func call(_ callable: PickleValue, _ arguments: [PickleValue]) throws -> PickleValue {
        guard case let .global(module, name) = callable else {
            throw typeError("a class or function to call", found: callable)
        }
        guard let known = KnownGlobal(rawValue: "\(module).\(name)") else {
            return .object(PickleObject(module: module, name: name, arguments: arguments))
        }
        switch known {
        case .orderedDict, .dict, .dict2:
            let dict = PickleDict()
            if let pairs = arguments.first?.sequenceItems {
                for pair in pairs {
                    guard let kv = pair.sequenceItems, kv.count == 2 else { throw typeError("(key, value) pairs", found: pair) }
                    dict.set(kv[0], kv[1])
                }
            }
            return .dict(dict)
        case .set, .set2, .frozenset, .frozenset2:
            return .set(PickleList(arguments.first?.sequenceItems ?? []))
        case .bytes, .bytes2, .bytearray, .bytearray2, .codecsEncode:
            return Self.encodedBytes(arguments) ?? .object(PickleObject(module: module, name: name, arguments: arguments))
        case .torchSize:
            guard let sizes = arguments.first?.sequenceItems else { return .tuple([]) }
            return .tuple(sizes)
        case .rebuildTensor, .rebuildTensorV2, .rebuildTensorV3:
            return .tensor(try rebuildTensor(arguments, function: known))
        case .rebuildParameter, .rebuildParameterWithState:
            return .tensor(try rebuildParameter(arguments))
        }
    }

    /// Protocol 2's spellings of bytes: `bytes()`, `_codecs.encode(text, "latin1")` and
    /// `bytearray(text, "latin-1")` (each code point below 256 is one byte); nil for other encodings.
    private static func encodedBytes(_ arguments: [PickleValue]) -> PickleValue? {
        switch arguments.first {
        case nil: return .bytes([])
        case let .bytes(bytes)?: return .bytes(bytes)
        case let .string(text)?:
            let encoding = (arguments.count > 1 ? arguments[1].stringValue : "utf-8")?.lowercased()
            switch encoding {
            case "latin1", "latin-1", "iso-8859-1":
                var bytes: [UInt8] = []
                for scalar in text.unicodeScalars {
                    guard scalar.value < 256 else { return nil }
                    bytes.append(UInt8(scalar.value))
                }
                return .bytes(bytes)
            case "utf-8", "utf8": return .bytes(Array(text.utf8))
            default: return nil
            }
        default: return nil
        }
    }

    /// BUILD: an object's state (`__setstate__` / `__dict__.update`), an OrderedDict's attributes.
    /// Other targets have no state worth keeping; BUILD on them is accepted and ignored.
    func build(_ target: PickleValue, state: PickleValue) {
        switch target {
        case let .object(object): object.state = state
        case let .dict(dict): dict.attributes = state
        default: break
        }
    }

    /// APPEND(S) onto a list, or onto an opaque object (a list subclass).
    func append(_ items: [PickleValue], to target: PickleValue) throws {
        switch target {
        case let .list(list): list.items.append(contentsOf: items)
        case let .object(object): object.listItems.append(contentsOf: items)
        default: throw typeError("a list to append to", found: target)
        }
    }

    /// SETITEM(S) into a dict, or into an opaque object (a dict subclass); `flat` alternates key, value.
    func setItems(_ flat: [PickleValue], into target: PickleValue) throws {
        guard flat.count % 2 == 0 else {
            throw error(.malformedPickle, "\(opcodeName) needs key–value pairs, found \(flat.count) items")
        }
        switch target {
        case let .dict(dict):
            for i in stride(from: 0, to: flat.count, by: 2) { dict.set(flat[i], flat[i + 1]) }
        case let .object(object):
            for i in stride(from: 0, to: flat.count, by: 2) { object.dictItems.append((flat[i], flat[i + 1])) }
        default: throw typeError("a dict to set items in", found: target)
        }
    }
}
