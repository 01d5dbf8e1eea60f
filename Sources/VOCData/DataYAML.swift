import Foundation
import Yams

/// A YOLOv5 data YAML (`data/VOC.yaml`, `coco128.yaml`): `path`, `train`, `val`, `nc`, `names`.
///
/// `path` is the dataset root; a relative `path` (or none) is taken relative to the YAML file's
/// folder (YOLOv5 resolves it against its repository root, which does not exist here). `train` and
/// `val` are each a folder, a `.txt` list of images, or a list of those, relative to `path`. A
/// folder may be a VOC year/devkit folder and a `.txt` may be a VOC image set
/// (`VOC2007/ImageSets/Main/train.txt`), so one YAML can point at either layout. `names` is a list
/// or a `{index: name}` mapping; without it, `nc` gives `class0`… as YOLOv5 does.
struct DataYAML {
    /// One `train`/`val` entry and the YAML line it came from.
    struct Entry {
        var url: URL
        var text: String
        var line: Int?
    }

    var file: URL
    var root: URL
    var train: [Entry]
    var val: [Entry]
    var names: [String]

    func entries(_ split: DataSplit) -> [Entry] { split == .train ? train : val }

    static func read(_ file: URL) throws -> DataYAML {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw DataError(file: file.path, reason: "cannot read the data YAML")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw DataError(file: file.path, reason: "not valid YAML: \(error)")
        }
        guard let map = node, map.mapping != nil else {
            throw DataError(file: file.path, line: node?.mark?.line, reason: "a data YAML must be a mapping with train, val and names")
        }
        let base = file.deletingLastPathComponent()
        var root = base
        if let pathNode = map["path"] {
            guard let p = pathNode.string else { throw DataError(file: file.path, line: pathNode.mark?.line, reason: "'path' must be a string") }
            root = p.hasPrefix("/") ? URL(fileURLWithPath: p) : base.appendingPathComponent(p).standardizedFileURL
        }
        let names = try readNames(map, file: file)
        func entries(_ key: String) throws -> [Entry] {
            guard let value = map[key] else {
                throw DataError(file: file.path, line: map.mark?.line, reason: "missing '\(key)'")
            }
            let items: [Node] = value.sequence.map(Array.init) ?? [value]
            return try items.map { item in
                guard let s = item.string, !s.isEmpty else {
                    throw DataError(file: file.path, line: item.mark?.line, reason: "'\(key)' entries must be paths")
                }
                let url = s.hasPrefix("/") ? URL(fileURLWithPath: s) : root.appendingPathComponent(s).standardizedFileURL
                return Entry(url: url, text: s, line: item.mark?.line)
            }
        }
        return DataYAML(file: file, root: root, train: try entries("train"), val: try entries("val"), names: names)
    }

    private static func readNames(_ map: Node, file: URL) throws -> [String] {
        let ncNode = map["nc"]
        var nc: Int?
        if let ncNode {
            guard let value = ncNode.int, value > 0 else {
                throw DataError(file: file.path, line: ncNode.mark?.line, reason: "'nc' must be a positive integer")
            }
            nc = value
        }
        guard let namesNode = map["names"] else {
            guard let nc else { throw DataError(file: file.path, line: map.mark?.line, reason: "neither 'names' nor 'nc' is given") }
            return (0..<nc).map { "class\($0)" }
        }
        var names: [String]
        if let list = namesNode.sequence {
            names = try list.map { item in
                guard let s = item.string else { throw DataError(file: file.path, line: item.mark?.line, reason: "class names must be strings") }
                return s
            }
        } else if let mapping = namesNode.mapping {
            var byIndex: [Int: String] = [:]
            for (key, value) in mapping {
                guard let i = key.int, let s = value.string else {
                    throw DataError(file: file.path, line: key.mark?.line, reason: "'names' mapping must be index: name")
                }
                byIndex[i] = s
            }
            guard byIndex.keys.sorted() == Array(0..<byIndex.count) else {
                throw DataError(file: file.path, line: namesNode.mark?.line, reason: "'names' indices must be 0…\(byIndex.count - 1) without gaps")
            }
            names = (0..<byIndex.count).map { byIndex[$0]! }
        } else {
            throw DataError(file: file.path, line: namesNode.mark?.line, reason: "'names' must be a list or an index: name mapping")
        }
        guard !names.isEmpty else { throw DataError(file: file.path, line: namesNode.mark?.line, reason: "'names' is empty") }
        if let nc, nc != names.count {
            throw DataError(file: file.path, line: ncNode?.mark?.line, reason: "nc = \(nc) but names has \(names.count) entries")
        }
        if Set(names).count != names.count {
            throw DataError(file: file.path, line: namesNode.mark?.line, reason: "'names' has duplicates")
        }
        return names
    }
}
