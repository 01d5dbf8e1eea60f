import HDF5
import NeuralCore

/// The golden PyTorch YOLOv5n file (`../shared/fixtures/yolov5n-golden.h5`, fixtures README §1).
public struct GoldenFile {
    public let file: HDF5File

    public init() throws { file = try Fixtures.hdf5("yolov5n-golden.h5") }

    /// `/params`: every state_dict entry but `num_batches_tracked`, by PyTorch name.
    public func parameters() throws -> [String: Tensor] {
        let group = try file.root.group("params")
        var result: [String: Tensor] = [:]
        for name in try group.memberNames() { result[name] = try group.tensor(name) }
        return result
    }

    /// A float32 dataset by path ("eval/raw0").
    public func tensor(_ path: String) throws -> Tensor { try file.root.tensor(path) }

    /// An int64 dataset by path.
    public func integers(_ path: String) throws -> [Int64] { try file.root.dataset(path).read(Int64.self) }

    /// `/named_parameters/names` in PyTorch order.
    public func parameterNames() throws -> [String] { try file.root.dataset("named_parameters/names").readStrings() }
}

/// A raw head output [N, na·no, ny, nx] reordered as PyTorch's (N, na, ny, nx, no) view.
public func pytorchLayout(_ raw: Tensor, anchors na: Int) -> [Float] {
    let (n, channels, ny, nx) = (raw.n, raw.c, raw.h, raw.w)
    let no = channels / na
    var result = [Float](repeating: 0, count: raw.count)
    for b in 0..<n { for a in 0..<na { for y in 0..<ny { for x in 0..<nx { for k in 0..<no {
        result[(((b * na + a) * ny + y) * nx + x) * no + k] = raw.data[((b * channels + a * no + k) * ny + y) * nx + x]
    } } } } }
    return result
}

/// The inverse of `pytorchLayout`: a (N, na, ny, nx, no) tensor as [N, na·no, ny, nx].
public func detectLayout(_ pytorch: Tensor) -> Tensor {
    let (n, na, ny, nx, no) = (pytorch.shape[0], pytorch.shape[1], pytorch.shape[2], pytorch.shape[3], pytorch.shape[4])
    let result = Tensor(shape: [n, na * no, ny, nx])
    for b in 0..<n { for a in 0..<na { for y in 0..<ny { for x in 0..<nx { for k in 0..<no {
        result.data[((b * na * no + a * no + k) * ny + y) * nx + x] = pytorch.data[(((b * na + a) * ny + y) * nx + x) * no + k]
    } } } } }
    return result
}
