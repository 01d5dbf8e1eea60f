import Foundation
import HDF5
import NeuralCore

/// Where the golden PyTorch fixtures live: `../shared/fixtures` beside the repository root,
/// found from this file's path (not the working directory). A missing fixture throws, so a
/// test that needs it fails rather than skips.
public enum Fixtures {
    /// The repository root (two folders above `Tests/TestSupport`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/fixtures` relative to the repository root.
    public static let directory: URL = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures")

    /// The URL of a fixture file; throws if it does not exist.
    public static func url(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw MissingFixture(path: url.path) }
        return url
    }

    /// The contents of a text fixture.
    public static func text(_ name: String) throws -> String {
        try String(contentsOf: url(name), encoding: .utf8)
    }

    /// A JSON fixture decoded as `T`.
    public static func json<T: Decodable>(_ name: String, as _: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(name)))
    }

    /// An HDF5 fixture opened read-only.
    public static func hdf5(_ name: String) throws -> HDF5File {
        try HDF5File(path: url(name).path, mode: .readOnly)
    }
}

/// A fixture file that is not where the tests expect it.
public struct MissingFixture: Error, CustomStringConvertible {
    public let path: String
    public var description: String {
        "fixture missing: \(path) (the golden files belong in ../shared/fixtures beside the repository)"
    }
}

extension HDF5Group {
    /// A float32 dataset as a tensor of its own shape.
    public func tensor(_ name: String) throws -> Tensor {
        let dataset = try dataset(name)
        let shape = dataset.shape
        return Tensor(shape: shape.isEmpty ? [1] : shape, values: try dataset.read(Float.self))
    }
}
