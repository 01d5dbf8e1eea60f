import CHDF5
import Foundation

/// An attribute value FreezeStudy reads or writes.
public enum HDF5AttributeValue: Equatable, Sendable {
    case string(String)
    case double(Double)
    case int(Int64)
    case doubles([Double])
    case ints([Int64])
    case strings([String])
}

extension HDF5Object {
    /// Writes (or replaces) an attribute.
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue) throws {
        if H5Aexists(id, name) > 0 { H5Adelete(id, name) }
        switch value {
        case .string(let s): try writeStringAttribute(name, [s], scalar: true)
        case .strings(let s): try writeStringAttribute(name, s, scalar: false)
        case .double(let d): try writeNumericAttribute(name, [d], scalar: true)
        case .doubles(let d): try writeNumericAttribute(name, d, scalar: false)
        case .int(let i): try writeNumericAttribute(name, [i], scalar: true)
        case .ints(let i): try writeNumericAttribute(name, i, scalar: false)
        }
    }

    /// Whether the attribute exists.
    public func hasAttribute(_ name: String) -> Bool { H5Aexists(id, name) > 0 }

    /// Reads an attribute as whichever kind it holds.
    public func attribute(_ name: String) throws -> HDF5AttributeValue {
        let attribute = H5Aopen(id, name, fs_H5P_DEFAULT())
        guard attribute >= 0 else { throw file.error("open attribute '\(name)'", path) }
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        let space = H5Aget_space(attribute)
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        let count = Int(H5Sget_simple_extent_npoints(space))
        switch H5Tget_class(type) {
        case H5T_STRING:
            let strings = try readStringAttribute(attribute, type: type, count: count, name: name)
            return rank == 0 ? .string(strings.first ?? "") : .strings(strings)
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: count)
            guard H5Aread(attribute, fs_H5T_NATIVE_INT64(), &values) >= 0 else { throw file.error("read attribute '\(name)'", path) }
            return rank == 0 ? .int(values[0]) : .ints(values)
        default:
            var values = [Double](repeating: 0, count: count)
            guard H5Aread(attribute, fs_H5T_NATIVE_DOUBLE(), &values) >= 0 else { throw file.error("read attribute '\(name)'", path) }
            return rank == 0 ? .double(values[0]) : .doubles(values)
        }
    }

    /// A string attribute (a one-element array is accepted too).
    public func stringAttribute(_ name: String) throws -> String {
        switch try attribute(name) {
        case .string(let s): return s
        case .strings(let s) where s.count == 1: return s[0]
        default: throw file.error("read attribute '\(name)' as a string", path)
        }
    }

    /// A numeric attribute as Double.
    public func doubleAttribute(_ name: String) throws -> Double {
        switch try attribute(name) {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .doubles(let d) where d.count == 1: return d[0]
        case .ints(let i) where i.count == 1: return Double(i[0])
        default: throw file.error("read attribute '\(name)' as a number", path)
        }
    }

    private func writeNumericAttribute<T: HDF5Scalar>(_ name: String, _ values: [T], scalar: Bool) throws {
        var dims = [hsize_t(values.count)]
        let space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(id, name, T.nativeType, space, fs_H5P_DEFAULT(), fs_H5P_DEFAULT())
        guard attribute >= 0 else { throw file.error("create attribute '\(name)'", path) }
        defer { H5Aclose(attribute) }
        let status = values.withUnsafeBytes { H5Awrite(attribute, T.nativeType, $0.baseAddress) }
        guard status >= 0 else { throw file.error("write attribute '\(name)'", path) }
    }

    private func writeStringAttribute(_ name: String, _ values: [String], scalar: Bool) throws {
        let type = variableStringType()
        defer { H5Tclose(type) }
        var dims = [hsize_t(values.count)]
        let space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(id, name, type, space, fs_H5P_DEFAULT(), fs_H5P_DEFAULT())
        guard attribute >= 0 else { throw file.error("create attribute '\(name)'", path) }
        defer { H5Aclose(attribute) }
        let cStrings = values.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafePointer($0) }
        guard H5Awrite(attribute, type, &pointers) >= 0 else { throw file.error("write attribute '\(name)'", path) }
    }

    private func readStringAttribute(_ attribute: hid_t, type: hid_t, count: Int, name: String) throws -> [String] {
        if H5Tis_variable_str(type) > 0 {
            let memory = variableStringType()
            defer { H5Tclose(memory) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard H5Aread(attribute, memory, &pointers) >= 0 else { throw file.error("read attribute '\(name)'", path) }
            defer { pointers.forEach { free($0) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(type)
        var bytes = [UInt8](repeating: 0, count: count * size)
        guard H5Aread(attribute, type, &bytes) >= 0 else { throw file.error("read attribute '\(name)'", path) }
        return (0..<count).map { decodeFixedString(bytes[$0 * size..<($0 + 1) * size]) }
    }
}
