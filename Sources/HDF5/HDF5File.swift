import CHDF5
import Foundation

/// A failed HDF5 call, naming the operation, the file and the object path.
public struct HDF5Error: Error, CustomStringConvertible {
    public let operation: String
    public let file: String
    public let object: String

    public var description: String { "HDF5: \(operation) failed for '\(object)' in \(file)" }
}

/// HDF5's automatic error printing is turned off once; failures surface as `HDF5Error`.
private let silenceLibraryErrors: Void = {
    H5Eset_auto2(fs_H5E_DEFAULT(), nil, nil)
}()

/// An open HDF5 file (the HDF5 C library, `H5F*`). Closed when the last reference goes away.
public final class HDF5File {
    /// How to open a file.
    public enum Mode {
        /// Read an existing file.
        case readOnly
        /// Read and write an existing file.
        case readWrite
        /// Create a file, replacing any existing one.
        case truncate
        /// Create a file; fail if it exists.
        case createNew
    }

    /// The path as given.
    public let path: String
    let id: hid_t

    /// Opens or creates `path`.
    public init(path: String, mode: Mode) throws {
        _ = silenceLibraryErrors
        // The error-printing setting is per thread in a thread-safe HDF5 build: repeat it here.
        H5Eset_auto2(fs_H5E_DEFAULT(), nil, nil)
        self.path = path
        switch mode {
        case .readOnly: id = H5Fopen(path, fs_H5F_ACC_RDONLY(), fs_H5P_DEFAULT())
        case .readWrite: id = H5Fopen(path, fs_H5F_ACC_RDWR(), fs_H5P_DEFAULT())
        case .truncate: id = H5Fcreate(path, fs_H5F_ACC_TRUNC(), fs_H5P_DEFAULT(), fs_H5P_DEFAULT())
        case .createNew: id = H5Fcreate(path, fs_H5F_ACC_EXCL(), fs_H5P_DEFAULT(), fs_H5P_DEFAULT())
        }
        guard id >= 0 else {
            let reason = FileManager.default.fileExists(atPath: path) ? "open (not an HDF5 file, locked, or not permitted)" : "open (no such file or folder)"
            throw HDF5Error(operation: mode == .truncate || mode == .createNew ? "create" : reason, file: path, object: "/")
        }
    }

    deinit { if id >= 0 { H5Fclose(id) } }  // a failed open leaves no file to close

    /// The root group "/".
    public var root: HDF5Group { HDF5Group(file: self, id: H5Gopen2(id, "/", fs_H5P_DEFAULT()), path: "/") }

    /// Writes everything buffered to disk.
    public func flush() throws {
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw error("flush", "/") }
    }

    func error(_ operation: String, _ object: String) -> HDF5Error {
        HDF5Error(operation: operation, file: path, object: object)
    }
}

/// Something attributes can be attached to (a group or a dataset).
public protocol HDF5Object: AnyObject {
    var file: HDF5File { get }
    var id: hid_t { get }
    /// The object's path inside the file.
    var path: String { get }
}

/// A group: a folder of groups and datasets.
public final class HDF5Group: HDF5Object {
    public let file: HDF5File
    public let id: hid_t
    public let path: String

    init(file: HDF5File, id: hid_t, path: String) {
        self.file = file
        self.id = id
        self.path = path
    }

    deinit { if id >= 0 { H5Gclose(id) } }

    func childPath(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    /// Whether a link `name` (a relative path, "a/b" allowed) exists.
    public func contains(_ name: String) -> Bool {
        var prefix = ""
        for part in name.split(separator: "/") {
            prefix += (prefix.isEmpty ? "" : "/") + part
            if H5Lexists(id, prefix, fs_H5P_DEFAULT()) <= 0 { return false }
        }
        return true
    }

    /// Opens the existing group `name`.
    public func group(_ name: String) throws -> HDF5Group {
        let child = H5Gopen2(id, name, fs_H5P_DEFAULT())
        guard child >= 0 else { throw file.error("open group", childPath(name)) }
        return HDF5Group(file: file, id: child, path: childPath(name))
    }

    /// Creates the group `name` (and missing parents), or opens it if it exists.
    public func makeGroup(_ name: String) throws -> HDF5Group {
        if contains(name) { return try group(name) }
        let linkProperties = H5Pcreate(fs_H5P_LINK_CREATE())
        defer { H5Pclose(linkProperties) }
        H5Pset_create_intermediate_group(linkProperties, 1)
        let child = H5Gcreate2(id, name, linkProperties, fs_H5P_DEFAULT(), fs_H5P_DEFAULT())
        guard child >= 0 else { throw file.error("create group", childPath(name)) }
        return HDF5Group(file: file, id: child, path: childPath(name))
    }

    /// Removes the link `name` (the space is reused by later writes).
    public func remove(_ name: String) throws {
        guard H5Ldelete(id, name, fs_H5P_DEFAULT()) >= 0 else { throw file.error("delete", childPath(name)) }
    }

    /// Names of the members, in HDF5's (alphabetical) order.
    public func memberNames() throws -> [String] {
        final class Names { var values: [String] = [] }
        let names = Names()
        var index: hsize_t = 0
        let status = H5Literate(id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, context in
            let names = Unmanaged<Names>.fromOpaque(context!).takeUnretainedValue()
            names.values.append(String(cString: name!))
            return 0
        }, Unmanaged.passUnretained(names).toOpaque())
        guard status >= 0 else { throw file.error("list members", path) }
        return names.values
    }

    /// Opens the existing dataset `name`.
    public func dataset(_ name: String) throws -> HDF5Dataset {
        let child = H5Dopen2(id, name, fs_H5P_DEFAULT())
        guard child >= 0 else { throw file.error("open dataset", childPath(name)) }
        return HDF5Dataset(file: file, id: child, path: childPath(name))
    }
}
