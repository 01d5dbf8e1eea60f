@testable import Checkpoints

/// Assembles pickle bytes opcode by opcode, for hand-made test streams.
/// `PickleBuilder().proto(2).emptyDict().string("a").int(1).op(.SETITEM).stop().bytes`.
final class PickleBuilder {
    private(set) var bytes: [UInt8] = []

    @discardableResult func op(_ opcode: PickleOpcode) -> Self { bytes.append(opcode.rawValue); return self }
    @discardableResult func raw(_ more: [UInt8]) -> Self { bytes += more; return self }
    @discardableResult func proto(_ version: UInt8) -> Self { op(.PROTO).raw([version]) }
    @discardableResult func stop() -> Self { op(.STOP) }
    @discardableResult func mark() -> Self { op(.MARK) }
    @discardableResult func none() -> Self { op(.NONE) }
    @discardableResult func bool(_ value: Bool) -> Self { op(value ? .NEWTRUE : .NEWFALSE) }

    /// The shortest integer opcode pickle itself would pick.
    @discardableResult func int(_ value: Int) -> Self {
        switch value {
        case 0...0xFF: return op(.BININT1).raw([UInt8(value)])
        case 0...0xFFFF: return op(.BININT2).raw(le(UInt16(value)))
        case Int(Int32.min)...Int(Int32.max): return op(.BININT).raw(le(Int32(value)))
        default: return op(.LONG1).raw([8]).raw(le(Int64(value)))
        }
    }

    @discardableResult func float(_ value: Double) -> Self {
        op(.BINFLOAT).raw(withUnsafeBytes(of: value.bitPattern.bigEndian, Array.init))
    }

    @discardableResult func string(_ value: String) -> Self {
        let utf8 = Array(value.utf8)
        return op(.BINUNICODE).raw(le(UInt32(utf8.count))).raw(utf8)
    }

    @discardableResult func global(_ module: String, _ name: String) -> Self {
        op(.GLOBAL).raw(Array("\(module)\n\(name)\n".utf8))
    }

    @discardableResult func tuple(_ items: (PickleBuilder) -> Void) -> Self {
        mark()
        items(self)
        return op(.TUPLE)
    }

    @discardableResult func ints(_ values: [Int]) -> Self { tuple { b in values.forEach { b.int($0) } } }

    /// `collections.OrderedDict()`, as torch writes empty backward hooks.
    @discardableResult func orderedDict() -> Self { global("collections", "OrderedDict").op(.EMPTY_TUPLE).op(.REDUCE) }

    /// The persistent id `('storage', torch.<storageClass>, key, 'cpu', numel)` and BINPERSID.
    @discardableResult func storage(_ key: String, _ storageClass: String = "FloatStorage", numel: Int) -> Self {
        tuple { $0.string("storage").global("torch", storageClass).string(key).string("cpu").int(numel) }.op(.BINPERSID)
    }

    /// `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())` as torch pickles a tensor.
    @discardableResult func tensor(_ key: String, _ storageClass: String = "FloatStorage", numel: Int, offset: Int = 0,
                                   size: [Int], stride: [Int], requiresGrad: Bool = false) -> Self {
        global("torch._utils", "_rebuild_tensor_v2")
        return tuple {
            $0.storage(key, storageClass, numel: numel).int(offset).ints(size).ints(stride).bool(requiresGrad).orderedDict()
        }.op(.REDUCE)
    }

    /// A dict built with SETITEMS from `(key, value writer)` pairs.
    @discardableResult func dict(_ items: [(String, (PickleBuilder) -> Void)]) -> Self {
        op(.EMPTY_DICT).mark()
        for (key, value) in items {
            string(key)
            value(self)
        }
        return op(.SETITEMS)
    }

    private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
}
