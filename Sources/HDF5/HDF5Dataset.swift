import CHDF5
import Foundation

/// Element types FreezeStudy stores.
public protocol HDF5Scalar {
    static var nativeType: hid_t { get }
}
extension Float: HDF5Scalar { public static var nativeType: hid_t { fs_H5T_NATIVE_FLOAT() } }
extension Double: HDF5Scalar { public static var nativeType: hid_t { fs_H5T_NATIVE_DOUBLE() } }
extension Int64: HDF5Scalar { public static var nativeType: hid_t { fs_H5T_NATIVE_INT64() } }
extension Int32: HDF5Scalar { public static var nativeType: hid_t { fs_H5T_NATIVE_INT32() } }
extension UInt8: HDF5Scalar { public static var nativeType: hid_t { fs_H5T_NATIVE_UINT8() } }

/// A dataset: an n-dimensional array of numbers or strings.
public final class HDF5Dataset: HDF5Object {
    public let file: HDF5File
    public let id: hid_t
    public let path: String

    init(file: HDF5File, id: hid_t, path: String) {
        self.file = file
        self.id = id
        self.path = path
    }

    deinit { H5Dclose(id) }

    /// Current dimensions.
    public var shape: [Int] {
        let space = H5Dget_space(id)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return rank == 0 ? [] : dims.map { Int($0) }
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Every element, converted by HDF5 to `T`, in row-major order.
    public func read<T: HDF5Scalar & Numeric>(_: T.Type = T.self) throws -> [T] {
        var values = [T](repeating: 0, count: count)
        let status = values.withUnsafeMutableBytes {
            H5Dread(id, T.nativeType, fs_H5S_ALL(), fs_H5S_ALL(), fs_H5P_DEFAULT(), $0.baseAddress)
        }
        guard status >= 0 else { throw file.error("read \(T.self)", path) }
        return values
    }

    /// Every element of a string dataset (fixed-length, padding trimmed, or variable-length).
    public func readStrings() throws -> [String] {
        let type = H5Dget_type(id)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else { throw file.error("read strings (not a string dataset)", path) }
        let n = count
        if H5Tis_variable_str(type) > 0 {
            let memory = H5Tcopy(fs_H5T_C_S1())
            defer { H5Tclose(memory) }
            H5Tset_size(memory, Int(bitPattern: UInt(bitPattern: -1)))  // H5T_VARIABLE
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
            guard H5Dread(id, memory, fs_H5S_ALL(), fs_H5S_ALL(), fs_H5P_DEFAULT(), &pointers) >= 0 else {
                throw file.error("read strings", path)
            }
            defer { pointers.forEach { free($0) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(type)
        var bytes = [UInt8](repeating: 0, count: n * size)
        guard H5Dread(id, type, fs_H5S_ALL(), fs_H5S_ALL(), fs_H5P_DEFAULT(), &bytes) >= 0 else {
            throw file.error("read strings", path)
        }
        return (0..<n).map { decodeFixedString(bytes[$0 * size..<($0 + 1) * size]) }
    }
}

/// A fixed-length HDF5 string: bytes up to the first NUL (NULLTERM/NULLPAD), trailing spaces
/// kept unless the type pads with spaces.
func decodeFixedString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let content = bytes.prefix { $0 != 0 }
    return String(decoding: content, as: UTF8.self)
}

extension HDF5Group {
    /// Writes a new dataset of `values` with `shape` (contiguous, no compression).
    @discardableResult
    public func write<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int]? = nil) throws -> HDF5Dataset {
        let dims = (shape ?? [values.count]).map { hsize_t($0) }
        precondition(dims.reduce(1, *) == hsize_t(values.count), "HDF5 write \(name): \(values.count) values for shape \(dims)")
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        defer { H5Sclose(space) }
        let dataset = H5Dcreate2(id, name, T.nativeType, space, fs_H5P_DEFAULT(), fs_H5P_DEFAULT(), fs_H5P_DEFAULT())
        guard dataset >= 0 else { throw file.error("create dataset", childPath(name)) }
        let result = HDF5Dataset(file: file, id: dataset, path: childPath(name))
        let status = values.withUnsafeBytes {
            H5Dwrite(dataset, T.nativeType, fs_H5S_ALL(), fs_H5S_ALL(), fs_H5P_DEFAULT(), $0.baseAddress)
        }
        guard status >= 0 else { throw file.error("write", childPath(name)) }
        return result
    }

    /// Writes a new 1-D dataset of variable-length UTF-8 strings (h5py reads them as `str`).
    @discardableResult
    public func writeStrings(_ name: String, _ values: [String]) throws -> HDF5Dataset {
        let type = variableStringType()
        defer { H5Tclose(type) }
        var dims = [hsize_t(values.count)]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let dataset = H5Dcreate2(id, name, type, space, fs_H5P_DEFAULT(), fs_H5P_DEFAULT(), fs_H5P_DEFAULT())
        guard dataset >= 0 else { throw file.error("create dataset", childPath(name)) }
        let result = HDF5Dataset(file: file, id: dataset, path: childPath(name))
        let cStrings = values.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafePointer($0) }
        guard H5Dwrite(dataset, type, fs_H5S_ALL(), fs_H5S_ALL(), fs_H5P_DEFAULT(), &pointers) >= 0 else {
            throw file.error("write", childPath(name))
        }
        return result
    }

    /// Creates an empty 1-D dataset of `T` that grows by `append`, chunked by `chunk` elements.
    @discardableResult
    public func makeSeries<T: HDF5Scalar>(_ name: String, of _: T.Type, chunk: Int = 256) throws -> HDF5Dataset {
        var dims: [hsize_t] = [0]
        var maxDims: [hsize_t] = [fs_H5S_UNLIMITED()]
        let space = H5Screate_simple(1, &dims, &maxDims)
        defer { H5Sclose(space) }
        let properties = H5Pcreate(fs_H5P_DATASET_CREATE())
        defer { H5Pclose(properties) }
        var chunkDims = [hsize_t(chunk)]
        H5Pset_chunk(properties, 1, &chunkDims)
        let dataset = H5Dcreate2(id, name, T.nativeType, space, fs_H5P_DEFAULT(), properties, fs_H5P_DEFAULT())
        guard dataset >= 0 else { throw file.error("create series", childPath(name)) }
        return HDF5Dataset(file: file, id: dataset, path: childPath(name))
    }
}

func variableStringType() -> hid_t {
    let type = H5Tcopy(fs_H5T_C_S1())
    H5Tset_size(type, Int(bitPattern: UInt(bitPattern: -1)))  // H5T_VARIABLE
    H5Tset_cset(type, H5T_CSET_UTF8)
    return type
}

extension HDF5Dataset {
    /// Appends values to a 1-D extendable dataset (`makeSeries`).
    public func append<T: HDF5Scalar>(_ values: [T]) throws {
        guard !values.isEmpty else { return }
        let old = hsize_t(shape.first ?? 0)
        var newSize = [old + hsize_t(values.count)]
        guard H5Dset_extent(id, &newSize) >= 0 else { throw file.error("extend", path) }
        let fileSpace = H5Dget_space(id)
        defer { H5Sclose(fileSpace) }
        var start = [old], count = [hsize_t(values.count)]
        H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &count, nil)
        let memorySpace = H5Screate_simple(1, &count, nil)
        defer { H5Sclose(memorySpace) }
        let status = values.withUnsafeBytes {
            H5Dwrite(id, T.nativeType, memorySpace, fileSpace, fs_H5P_DEFAULT(), $0.baseAddress)
        }
        guard status >= 0 else { throw file.error("append", path) }
    }

    /// Shrinks or grows a 1-D extendable dataset to `length` elements.
    public func resize(to length: Int) throws {
        var size = [hsize_t(length)]
        guard H5Dset_extent(id, &size) >= 0 else { throw file.error("resize", path) }
    }
}
