import CHDF5

extension HDF5Group {
    /// Copies the object `name` (a group with everything below it, or a dataset), attributes
    /// included, to `destination` under `newName` (a relative path; missing parent groups are
    /// created). HDF5's own `H5Ocopy`: the bytes are copied by the library, chunking and
    /// extendable shapes are kept, and source and destination may be different files.
    public func copy(_ name: String, to destination: HDF5Group, as newName: String) throws {
        let linkProperties = H5Pcreate(fs_H5P_LINK_CREATE())
        defer { H5Pclose(linkProperties) }
        H5Pset_create_intermediate_group(linkProperties, 1)
        guard H5Ocopy(id, name, destination.id, newName, fs_H5P_DEFAULT(), linkProperties) >= 0 else {
            throw HDF5Error(operation: "copy \(childPath(name)) from \(file.path) to \(destination.childPath(newName))",
                            file: destination.file.path, object: destination.childPath(newName))
        }
    }
}
