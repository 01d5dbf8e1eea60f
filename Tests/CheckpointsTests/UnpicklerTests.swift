@testable import Checkpoints
import Testing

/// Runs a stream with a persistent-load hook that returns `('pid', id)`.
func unpickle(_ bytes: [UInt8]) throws -> PickleValue {
    try Unpickler(bytes: bytes, file: "test.pkl", entry: "data.pkl") { id, _ in .tuple([.string("pid"), id]) }.load()
}

/// The error a stream throws (or nil when it loads).
func unpicklingError(_ bytes: [UInt8]) -> CheckpointError? {
    do {
        _ = try unpickle(bytes)
        return nil
    } catch {
        return error as? CheckpointError
    }
}

@Suite struct UnpicklerTests {
    @Test(arguments: [2, 3, 4, 5])
    func cpythonStreamsOfEveryProtocolLoad(_ version: Int) throws {
        let value = try unpickle(PythonPickles.bytes(protocol: version))
        #expect(pickleDescription(value) == PythonPickles.expected)
        // The memo shares one list object between both places, as in Python.
        let shared = try #require(value["shared"]?.sequenceItems)
        guard case let .list(first) = shared[0], case let .list(second) = shared[1] else {
            Issue.record("shared items are not lists")
            return
        }
        #expect(first === second)
    }

    /// The opcodes CPython only writes for huge objects, protocol 0/1 leftovers, and stack manipulation.
    @Test func handMadeOpcodes() throws {
        let p = PickleBuilder().proto(4).mark()
        p.op(.BINUNICODE8).raw([2, 0, 0, 0, 0, 0, 0, 0] + Array("u8".utf8))
        p.op(.BINBYTES8).raw([1, 0, 0, 0, 0, 0, 0, 0, 0xAB])
        p.op(.BINBYTES).raw([1, 0, 0, 0, 0xCD])
        p.op(.SHORT_BINSTRING).raw([2] + Array("s1".utf8))
        p.op(.BINSTRING).raw([2, 0, 0, 0] + Array("s4".utf8))
        p.op(.LONG4).raw([2, 0, 0, 0, 0xFF, 0x7F])  // 32767
        p.op(.LONG1).raw([0])  // 0
        p.op(.LONG1).raw([1, 0xFF])  // -1
        p.op(.LONG1).raw([9] + [UInt8](repeating: 0xFF, count: 9))  // -1 in 9 bytes still fits 64 bits
        p.int(99).op(.POP)  // discarded
        p.mark().int(1).int(2).op(.POP_MARK)  // discarded with its mark
        p.int(5).op(.DUP)  // 5, 5
        p.int(6).op(.PUT).raw(Array("7\n".utf8)).op(.POP).op(.GET).raw(Array("7\n".utf8))  // 6 via text memo
        p.int(8).op(.LONG_BINPUT).raw([0, 1, 0, 0]).op(.POP).op(.LONG_BINGET).raw([0, 1, 0, 0])  // 8 via memo 256
        p.mark().string("k").int(1).op(.DICT)
        p.mark().int(1).int(2).op(.LIST)
        p.op(.EMPTY_SET).mark().int(3).op(.ADDITEMS)
        p.string("builtins").string("frozenset").op(.STACK_GLOBAL).mark().int(4).op(.LIST).op(.TUPLE1).op(.REDUCE)
        p.op(.TUPLE).stop()
        let value = try unpickle(p.bytes)
        #expect(pickleDescription(value) == "('u8', b'ab', b'cd', 's1', 's4', 32767, 0, -1, -1, 5, 5, 6, 8, "
            + "{'k': 1}, [1, 2], {3}, {4})")
    }

    @Test func persistentIdsReachTheHook() throws {
        let p = PickleBuilder().proto(2).tuple { $0.string("storage").int(3) }.op(.BINPERSID).stop()
        #expect(pickleDescription(try unpickle(p.bytes)) == "('pid', ('storage', 3))")
        let text = PickleBuilder().proto(2).op(.PERSID).raw(Array("abc\n".utf8)).stop()
        #expect(pickleDescription(try unpickle(text.bytes)) == "('pid', 'abc')")
    }

    /// Unknown classes become opaque objects with their arguments, BUILD state and added items.
    @Test func unknownClassesBecomeOpaqueObjects() throws {
        let p = PickleBuilder().proto(2)
        p.global("models.common", "C3").op(.EMPTY_TUPLE).op(.NEWOBJ)
        p.dict([("training", { $0.bool(true) }), ("_modules", { $0.orderedDict() })]).op(.BUILD)
        p.global("my.module", "Thing").tuple { $0.int(1).string("a") }.op(.REDUCE).int(5).op(.APPEND)
        p.mark().string("k").int(2).op(.SETITEMS)
        p.op(.TUPLE2).stop()
        let items = try #require(try unpickle(p.bytes).sequenceItems)
        let c3 = try #require(items[0].objectValue)
        #expect(c3.qualifiedName == "models.common.C3" && c3.arguments.isEmpty)
        #expect(pickleDescription(try #require(c3.attribute("training"))) == "True")
        #expect(items[0]["_modules"]?.dictValue?.count == 0)
        let thing = try #require(items[1].objectValue)
        #expect(pickleDescription(items[1]) == "my.module.Thing(1, 'a')")
        #expect(thing.listItems.count == 1 && thing.dictItems.count == 1)
    }

    @Test func torchSizeBecomesATupleAndOrderedDictKeepsItsMetadata() throws {
        let p = PickleBuilder().proto(2)
        p.global("torch", "Size").tuple { $0.ints([2, 3]) }.op(.REDUCE)
        p.orderedDict().mark().string("b").int(1).string("a").int(2).op(.SETITEMS)
        p.dict([("_metadata", { $0.dict([("", { $0.dict([("version", { $0.int(1) })]) })]) })]).op(.BUILD)
        p.op(.TUPLE2).stop()
        let items = try #require(try unpickle(p.bytes).sequenceItems)
        #expect(pickleDescription(items[0]) == "(2, 3)")
        let dict = try #require(items[1].dictValue)
        #expect(dict.stringKeys == ["b", "a"])
        #expect(dict.attributes?["_metadata"] != nil)
    }
}

/// Streams that must fail with an error naming the opcode, the offset and the reason.
@Suite struct MalformedPickleTests {
    @Test func unknownOpcodeIsNamedWithItsOffset() throws {
        let error = try #require(unpicklingError(PickleBuilder().proto(2).op(.EMPTY_DICT).raw([0xFF]).bytes))
        #expect(error.kind == .unknownOpcode)
        #expect(error.location == "data.pkl offset 3")
        #expect(error.reason.contains("0xff"))
    }

    @Test func textModeOpcodesAreNamedAsUnsupported() throws {
        let error = try #require(unpicklingError(PickleBuilder().proto(2).raw(Array("i".utf8)).bytes))
        #expect(error.kind == .unknownOpcode && error.reason.contains("INST") && error.reason.contains("0x69"))
    }

    @Test func streamWithoutStop() throws {
        let error = try #require(unpicklingError(PickleBuilder().proto(2).int(1).bytes))
        #expect(error.kind == .malformedPickle && error.reason.contains("without a STOP"))
    }

    @Test(arguments: [
        [0x80, 0x02, 0x4A, 0x01],                // BININT cut after one of its four bytes
        [0x80, 0x02, 0x58, 0x10, 0, 0, 0, 0x61],  // BINUNICODE announcing 16 bytes, 1 present
        [0x80, 0x02, 0x63, 0x61, 0x0A, 0x62],    // GLOBAL without the newline ending its name
        [0x80],                                   // PROTO without its version
    ] as [[UInt8]])
    func streamEndingInsideAnArgument(_ bytes: [UInt8]) throws {
        let error = try #require(unpicklingError(bytes))
        #expect(error.kind == .malformedPickle)
        #expect(error.reason.contains("truncated") || error.reason.contains("ends inside"), "\(error)")
    }

    @Test func stackUnderflow() throws {
        let error = try #require(unpicklingError(PickleBuilder().proto(2).int(1).op(.TUPLE2).stop().bytes))
        #expect(error.kind == .malformedPickle && error.reason.contains("underflow") && error.reason.contains("TUPLE2"))
        #expect(error.location == "data.pkl offset 4")
        // A MARK opens a new frame: values below it cannot be popped.
        let belowMark = try #require(unpicklingError(PickleBuilder().proto(2).int(1).mark().op(.TUPLE1).bytes))
        #expect(belowMark.kind == .malformedPickle && belowMark.reason.contains("MARK"))
    }

    @Test func missingMark() throws {
        let error = try #require(unpicklingError(PickleBuilder().proto(2).int(1).op(.TUPLE).stop().bytes))
        #expect(error.kind == .malformedPickle && error.reason.contains("needs a MARK"))
    }

    @Test func missingMemoEntry() throws {
        let error = try #require(unpicklingError(PickleBuilder().proto(2).op(.BINGET).raw([4]).stop().bytes))
        #expect(error.kind == .malformedPickle && error.reason.contains("memo has no entry 4"))
    }

    @Test func wrongTypes() throws {
        let reduceOnInt = PickleBuilder().proto(2).int(1).op(.EMPTY_TUPLE).op(.REDUCE).stop()
        #expect(unpicklingError(reduceOnInt.bytes)?.kind == .wrongType)
        let appendToDict = PickleBuilder().proto(2).op(.EMPTY_DICT).int(1).op(.APPEND).stop()
        #expect(unpicklingError(appendToDict.bytes)?.kind == .wrongType)
        let oddSetItems = PickleBuilder().proto(2).op(.EMPTY_DICT).mark().int(1).op(.SETITEMS).stop()
        #expect(unpicklingError(oddSetItems.bytes)?.kind == .malformedPickle)
        let stackGlobalOfInts = PickleBuilder().proto(4).int(1).int(2).op(.STACK_GLOBAL).stop()
        #expect(unpicklingError(stackGlobalOfInts.bytes)?.kind == .wrongType)
    }

    @Test func protocolNewerThanFive() throws {
        #expect(unpicklingError(PickleBuilder().proto(6).none().stop().bytes)?.kind == .malformedPickle)
    }

    @Test func frameLongerThanTheStream() throws {
        let p = PickleBuilder().proto(4).op(.FRAME).raw([0xFF, 0, 0, 0, 0, 0, 0, 0]).none().stop()
        #expect(unpicklingError(p.bytes)?.kind == .malformedPickle)
    }
}
