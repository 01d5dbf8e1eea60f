/// Every pickle opcode of protocols 0–5, under the names `pickletools` gives them (so that
/// messages and opcode counts read as in Python's `Lib/pickletools.py`, the format's reference).
///
/// `Unpickler` implements the binary ones listed in `Unpickler.supported`; the text-mode and
/// extension-registry opcodes of protocols 0–1 (INST, OBJ, EXT1, …) are recognised by name and
/// refused.
enum PickleOpcode: UInt8, CaseIterable {
    case MARK = 0x28, STOP = 0x2E, POP = 0x30, POP_MARK = 0x31, DUP = 0x32
    case FLOAT = 0x46, INT = 0x49, BININT = 0x4A, BININT1 = 0x4B, LONG = 0x4C, BININT2 = 0x4D
    case NONE = 0x4E, PERSID = 0x50, BINPERSID = 0x51, REDUCE = 0x52
    case STRING = 0x53, BINSTRING = 0x54, SHORT_BINSTRING = 0x55, UNICODE = 0x56, BINUNICODE = 0x58
    case APPEND = 0x61, BUILD = 0x62, GLOBAL = 0x63, DICT = 0x64, EMPTY_DICT = 0x7D, APPENDS = 0x65
    case GET = 0x67, BINGET = 0x68, INST = 0x69, LONG_BINGET = 0x6A, LIST = 0x6C, EMPTY_LIST = 0x5D
    case OBJ = 0x6F, PUT = 0x70, BINPUT = 0x71, LONG_BINPUT = 0x72, SETITEM = 0x73, TUPLE = 0x74
    case EMPTY_TUPLE = 0x29, SETITEMS = 0x75, BINFLOAT = 0x47
    // protocol 2
    case PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84
    case TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8A, LONG4 = 0x8B
    // protocol 3
    case BINBYTES = 0x42, SHORT_BINBYTES = 0x43
    // protocol 4
    case SHORT_BINUNICODE = 0x8C, BINUNICODE8 = 0x8D, BINBYTES8 = 0x8E, EMPTY_SET = 0x8F, ADDITEMS = 0x90
    case FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95
    // protocol 5
    case BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98

    /// The pickletools name ("SHORT_BINUNICODE").
    var name: String { String(describing: self) }

    /// The opcode byte as `0x8c`, with its ASCII character when printable (`0x69 'i'`).
    static func describe(byte: UInt8) -> String {
        let hex = "0x" + String(byte, radix: 16, uppercase: false).leftPadded(to: 2)
        return (0x21...0x7E).contains(byte) ? "\(hex) '\(Character(Unicode.Scalar(byte)))'" : hex
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
