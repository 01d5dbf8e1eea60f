import Foundation

/// A fresh folder under the system temporary directory, removed when the value goes away.
public final class TemporaryFolder {
    public let url: URL

    /// A folder named after the test (`#function`) and a random suffix.
    public init(_ label: String = #function) {
        let name = "FreezeStudyTests-\(label.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// `name` inside the folder.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}
