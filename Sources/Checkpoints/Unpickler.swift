import Foundation

/// What a pickle stream used: its protocol, how often each opcode occurred (pickletools names)
/// and the globals it named, in order of first use (`module.name`).
public struct PickleStatistics: Sendable {
    /// The PROTO argument, nil for protocol 0–1 streams.
    public var protocolVersion: Int?
    /// Occurrences per opcode name, e.g. `["BINGET": 20407, …]`.
    public var opcodeCounts: [String: Int] = [:]
    /// Globals (GLOBAL and STACK_GLOBAL) in order of first use.
    public var globals: [String] = []
}

/// A restricted pickle interpreter for protocols 2–5 (and the binary opcodes of 0–1): it builds
/// `PickleValue`s and never imports or calls anything. Known globals become values
/// (`PickleCalls.swift`); every other class becomes an opaque `PickleObject`.
///
/// Mirrors CPython's `Lib/pickle.py` `_Unpickler`, including its mark stack (a MARK starts a new
/// frame, so popping below it is an underflow) and `MEMOIZE` numbering by memo size.
final class Unpickler {
    /// Resolves a persistent id (BINPERSID), e.g. PyTorch's `('storage', …)` tuples.
    typealias PersistentLoad = (_ id: PickleValue, _ offset: Int) throws -> PickleValue

    let file: String
    /// The stream's name inside the file, used in messages (`yolov5n-ckpt/data.pkl`).
    let entry: String
    let bytes: [UInt8]
    private let persistentLoad: PersistentLoad
    var position = 0
    /// Offset and name of the opcode being executed, for messages.
    private(set) var opcodeOffset = 0
    private var opcode: PickleOpcode = .PROTO
    private var stack: [PickleValue] = []
    private var marks: [Int] = []  // stack heights at each open MARK
    private var memo: [Int: PickleValue] = [:]
    private var opcodeCounts = [Int](repeating: 0, count: 256)
    private var globalsSeen: [String] = []
    private var globalsSet: Set<String> = []
    private var protocolVersion: Int?

    init(bytes: [UInt8], file: String, entry: String, persistentLoad: @escaping PersistentLoad) {
        self.bytes = bytes
        self.file = file
        self.entry = entry
        self.persistentLoad = persistentLoad
    }

    /// What the stream used so far.
    var statistics: PickleStatistics {
        var counts: [String: Int] = [:]
        for (byte, count) in opcodeCounts.enumerated() where count > 0 {
            counts[PickleOpcode(rawValue: UInt8(byte))!.name] = count
        }
        return PickleStatistics(protocolVersion: protocolVersion, opcodeCounts: counts, globals: globalsSeen)
    }

    /// Runs the stream to its STOP and returns the value it leaves.
    func load() throws -> PickleValue {
        while true {
            opcodeOffset = position
            guard position < bytes.count else {
                throw error(.malformedPickle, "the stream ends at byte \(bytes.count) without a STOP opcode")
            }
            let byte = bytes[position]
            position += 1
            guard let opcode = PickleOpcode(rawValue: byte) else {
                throw error(.unknownOpcode, "unknown opcode \(PickleOpcode.describe(byte: byte))")
            }
            self.opcode = opcode
            opcodeCounts[Int(byte)] += 1
            if opcode == .STOP {
                return try pop()
            }
            try execute(opcode)
        }
    }

    private func execute(_ opcode: PickleOpcode) throws {
        switch opcode {
        case .PROTO:
            let version = Int(try readByte())
            guard version <= 5 else { throw error(.malformedPickle, "pickle protocol \(version) is newer than 5") }
            protocolVersion = version
        case .FRAME:
            let length = try readInteger(UInt64.self)
            guard length <= UInt64(bytes.count - position) else {
                throw error(.malformedPickle, "FRAME of \(length) bytes, but only \(bytes.count - position) bytes remain")
            }
        case .MARK: marks.append(stack.count)
        case .POP:
            if stack.count > (marks.last ?? 0) { stack.removeLast() } else { _ = try popMark() }  // as pickle.py
        case .POP_MARK: _ = try popMark()
        case .DUP: stack.append(try top())
        case .NONE: stack.append(.none)
        case .NEWTRUE: stack.append(.bool(true))
        case .NEWFALSE: stack.append(.bool(false))
        case .BININT: stack.append(.int(Int(try readInteger(Int32.self))))
        case .BININT1: stack.append(.int(Int(try readByte())))
        case .BININT2: stack.append(.int(Int(try readInteger(UInt16.self))))
        case .LONG1: stack.append(Self.decodeLong(try readBytes(Int(try readByte()))))
        case .LONG4: stack.append(Self.decodeLong(try readBytes(try readLength(Int32.self))))
        case .BINFLOAT:  // the one big-endian argument in pickle
            stack.append(.float(Double(bitPattern: UInt64(bigEndian: try readInteger(UInt64.self, littleEndian: false)))))
        case .BINUNICODE: stack.append(.string(try readUTF8(try readLength(UInt32.self))))
        case .SHORT_BINUNICODE: stack.append(.string(try readUTF8(Int(try readByte()))))
        case .BINUNICODE8: stack.append(.string(try readUTF8(try readLength(UInt64.self))))
        // Python 2 `str`; torch.load decodes them as UTF-8.
        case .BINSTRING: stack.append(.string(try readUTF8(try readLength(Int32.self))))
        case .SHORT_BINSTRING: stack.append(.string(try readUTF8(Int(try readByte()))))
        case .BINBYTES: stack.append(.bytes(try readBytes(try readLength(UInt32.self))))
        case .SHORT_BINBYTES: stack.append(.bytes(try readBytes(Int(try readByte()))))
        case .BINBYTES8, .BYTEARRAY8: stack.append(.bytes(try readBytes(try readLength(UInt64.self))))
        case .EMPTY_DICT: stack.append(.dict(PickleDict()))
        case .EMPTY_LIST: stack.append(.list(PickleList()))
        case .EMPTY_TUPLE: stack.append(.tuple([]))
        case .EMPTY_SET: stack.append(.set(PickleList()))
        case .DICT:
            let dict = PickleDict()
            try setItems(try popMark(), into: .dict(dict))
            stack.append(.dict(dict))
        case .LIST: stack.append(.list(PickleList(try popMark())))
        case .TUPLE: stack.append(.tuple(try popMark()))
        case .TUPLE1: stack.append(.tuple([try pop()]))
        case .TUPLE2: let b = try pop(), a = try pop(); stack.append(.tuple([a, b]))
        case .TUPLE3: let c = try pop(), b = try pop(), a = try pop(); stack.append(.tuple([a, b, c]))
        case .FROZENSET: stack.append(.set(PickleList(try popMark())))
        case .ADDITEMS:
            let items = try popMark()
            guard case let .set(set) = try top() else { throw typeError("a set to add to", found: try top()) }
            set.items.append(contentsOf: items)
        case .APPEND: let item = try pop(); try append([item], to: try top())
        case .APPENDS: let items = try popMark(); try append(items, to: try top())
        case .SETITEM: let value = try pop(), key = try pop(); try setItems([key, value], into: try top())
        case .SETITEMS: try setItems(try popMark(), into: try top())
        case .PUT: memo[try readDecimalLine()] = try top()
        case .BINPUT: memo[Int(try readByte())] = try top()
        case .LONG_BINPUT: memo[Int(try readInteger(UInt32.self))] = try top()
        case .MEMOIZE: memo[memo.count] = try top()
        case .GET: stack.append(try memoValue(try readDecimalLine()))
        case .BINGET: stack.append(try memoValue(Int(try readByte())))
        case .LONG_BINGET: stack.append(try memoValue(Int(try readInteger(UInt32.self))))
        case .GLOBAL:
            let module = try readLine(), name = try readLine()
            stack.append(global(module: module, name: name))
        case .STACK_GLOBAL:
            let nameValue = try pop(), moduleValue = try pop()
            guard let module = moduleValue.stringValue, let name = nameValue.stringValue else {
                throw error(.wrongType, "STACK_GLOBAL needs two strings, found \(moduleValue.kindName) and \(nameValue.kindName)")
            }
            stack.append(global(module: module, name: name))
        case .REDUCE:
            let arguments = try pop(), callable = try pop()
            guard case let .tuple(items) = arguments else { throw typeError("an argument tuple", found: arguments) }
            stack.append(try call(callable, items))
        case .NEWOBJ:
            let arguments = try pop(), cls = try pop()
            guard case let .tuple(items) = arguments else { throw typeError("an argument tuple", found: arguments) }
            stack.append(try call(cls, items))
        case .NEWOBJ_EX:  // keyword arguments are dropped: no class this interpreter models takes any
            _ = try pop()
            let arguments = try pop(), cls = try pop()
            guard case let .tuple(items) = arguments else { throw typeError("an argument tuple", found: arguments) }
            stack.append(try call(cls, items))
        case .BUILD:
            let state = try pop()
            build(try top(), state: state)
        case .BINPERSID:
            let id = try pop()
            stack.append(try persistentLoad(id, opcodeOffset))
        case .PERSID:
            stack.append(try persistentLoad(.string(try readLine()), opcodeOffset))
        default:
            throw error(.unknownOpcode, "opcode \(PickleOpcode.describe(byte: opcode.rawValue)) (\(opcode.name)) is not supported"
                + " (a protocol 0/1 text or extension-registry opcode; PyTorch writes protocol 2 or higher)")
        }
    }

    // MARK: stack, marks and memo

    private func pop() throws -> PickleValue {
        guard stack.count > (marks.last ?? 0) else { throw underflow() }
        return stack.removeLast()
    }

    private func top() throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.last else { throw underflow() }
        return value
    }

    /// The items above the innermost MARK, which is closed.
    private func popMark() throws -> [PickleValue] {
        guard let height = marks.popLast() else { throw error(.malformedPickle, "\(opcodeName) needs a MARK, but none is open") }
        let items = Array(stack[height...])
        stack.removeSubrange(height...)
        return items
    }

    private func memoValue(_ index: Int) throws -> PickleValue {
        guard let value = memo[index] else { throw error(.malformedPickle, "memo has no entry \(index)") }
        return value
    }

    private func underflow() -> CheckpointError {
        error(.malformedPickle, "stack underflow: \(opcodeName) needs a value"
            + (marks.isEmpty ? ", but the stack is empty" : " above the open MARK, but there is none"))
    }

    // MARK: errors

    func error(_ kind: CheckpointError.Kind, _ reason: String) -> CheckpointError {
        CheckpointError(kind, file: file, location: "\(entry) offset \(opcodeOffset)", reason: reason)
    }

    /// The name of the opcode being executed (computed only for messages: `String(describing:)` is slow).
    var opcodeName: String { opcode.name }

    func typeError(_ expected: String, found: PickleValue) -> CheckpointError {
        error(.wrongType, "\(opcodeName) expects \(expected), found \(found.kindName)")
    }

    private func global(module: String, name: String) -> PickleValue {
        let qualified = "\(module).\(name)"
        if globalsSet.insert(qualified).inserted { globalsSeen.append(qualified) }
        return .global(module: module, name: name)
    }
}
