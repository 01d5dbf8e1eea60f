import CHDF5

extension HDF5Object {
    /// Deletes the attribute `name`; deleting one that does not exist is not an error.
    public func removeAttribute(_ name: String) throws {
        guard H5Aexists(id, name) > 0 else { return }
        guard H5Adelete(id, name) >= 0 else { throw file.error("delete attribute '\(name)'", path) }
    }
}
