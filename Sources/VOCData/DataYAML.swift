import ConfigFile
import Foundation

/// A YOLOv5 data YAML (`data/VOC.yaml`, `coco128.yaml`): `path`, `train`, `val`, `nc`, `names`.
///
/// `path` is the dataset root; a relative `path` (or none) is taken relative to the YAML file's
/// folder (YOLOv5 resolves it against its repository root, which does not exist here). `train` and
/// `val` are each a folder, a text file listing images, or a list of those, relative to `path`
/// (an entry starting `../` that does not exist there is also tried without it, as YOLOv5's
/// `check_dataset` does). A folder may be a VOC year/devkit folder and a `.txt` may be a VOC image
/// set (`VOC2007/ImageSets/Main/train.txt`), so one YAML can point at either layout. `names` is a
/// list or a `{index: name}` mapping; without it, `nc` gives `class0`… as YOLOv5 does. Other keys
/// (`test`, `download`, …) are YOLOv5's business and ignored. Every problem is a `ConfigError`
/// naming the file, line and field, like every other YAML FreezeStudy reads.
struct DataYAML {
    /// One `train`/`val` entry and where it came from.
    struct Entry {
        var url: URL
        var text: String
        var node: ConfigNode
    }

    var file: URL
    var root: URL
    var train: [Entry]
    var val: [Entry]
    var names: [String]

    func entries(_ split: DataSplit) -> [Entry] { split == .train ? train : val }

    static func read(_ file: URL) throws -> DataYAML {
        let document = try ConfigNode.load(file)
        let fields = try document.fields(allowed: nil)
        let base = file.deletingLastPathComponent()
        var root = base
        if let pathNode = fields["path"], !pathNode.isNull {
            let p = try pathNode.string()
            root = p.hasPrefix("/") ? URL(fileURLWithPath: p) : base.appendingPathComponent(p).standardizedFileURL
        }
        let names = try readNames(fields, document: document)
        func entries(_ key: String) throws -> [Entry] {
            guard let value = fields[key] else { throw document.error("missing '\(key)' (a folder, an image list or a list of those)") }
            return try (value.isSequence ? value.sequence() : [value]).map { item in
                let s = try item.string()
                guard !s.isEmpty, !item.isNull else { throw item.error("expected a path to a folder or an image list") }
                return Entry(url: resolve(s, root: root), text: s, node: item)
            }
        }
        return DataYAML(file: file, root: root, train: try entries("train"), val: try entries("val"), names: names)
    }

    /// `root/text`, or `root/text` without a leading `../` when only that exists (YOLOv5's rule).
    private static func resolve(_ text: String, root: URL) -> URL {
        if text.hasPrefix("/") { return URL(fileURLWithPath: text) }
        let url = root.appendingPathComponent(text).standardizedFileURL
        if !FileManager.default.fileExists(atPath: url.path), text.hasPrefix("../") {
            let stripped = root.appendingPathComponent(String(text.dropFirst(3))).standardizedFileURL
            if FileManager.default.fileExists(atPath: stripped.path) { return stripped }
        }
        return url
    }

    /// The most classes named `class0`… when a data YAML gives `nc` without `names` (COCO has 80,
    /// LVIS 1,203, Objects365 365, Open Images 601).
    static let maximumUnnamedClasses = 100_000

    private static func readNames(_ fields: [String: ConfigNode], document: ConfigNode) throws -> [String] {
        let ncNode = fields["nc"]
        let nc = try ncNode.map { node -> Int in
            let value = try node.int()
            guard value > 0 else { throw node.error("must be a positive integer") }
            return value
        }
        guard let namesNode = fields["names"] else {
            guard let nc, let ncNode else { throw document.error("neither 'names' nor 'nc' is given") }
            // Each class gets a made-up name: `nc: 1e18` must not try to make them all.
            guard nc <= maximumUnnamedClasses else {
                throw ncNode.error("\(nc) classes without 'names'; list the names (at most \(maximumUnnamedClasses) are made up)")
            }
            return (0..<nc).map { "class\($0)" }
        }
        var names: [String]
        if namesNode.isSequence {
            names = try namesNode.sequence().map { try $0.string() }
        } else if namesNode.scalarText == nil {
            var byIndex: [Int: String] = [:]
            for (key, value) in try namesNode.mapping() {
                guard let index = Int(key), index >= 0 else { throw value.error("'names' keys must be class indices (0: cat)") }
                byIndex[index] = try value.string()
            }
            guard byIndex.keys.sorted() == Array(0..<byIndex.count) else {
                throw namesNode.error("indices must be 0…\(byIndex.count - 1) without gaps")
            }
            names = (0..<byIndex.count).map { byIndex[$0]! }
        } else {
            throw namesNode.error("expected a list of class names or an index: name mapping")
        }
        guard !names.isEmpty else { throw namesNode.error("no class names") }
        if let nc, let ncNode, nc != names.count {
            throw ncNode.error("nc = \(nc) but names has \(names.count) entries")
        }
        var seen = Set<String>()
        if let repeated = names.first(where: { !seen.insert($0).inserted }) {
            throw namesNode.error("'\(repeated)' appears twice")
        }
        return names
    }
}
