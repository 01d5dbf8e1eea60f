import ConfigFile
import Foundation

/// The layouts `DatasetReader` recognises.
public enum DatasetLayout: String, Sendable {
    /// `VOC<year>/{Annotations, JPEGImages, ImageSets/Main}`.
    case vocDevkit = "VOCdevkit"
    /// `images/` with `labels/` beside it.
    case yolo = "YOLO"
    /// A YOLOv5 data YAML pointing at either.
    case dataYAML = "data YAML"
}

/// Reads a detection dataset from any of the three layouts YOLOv5 users have, into the same samples.
public enum DatasetReader {
    /// Which layout `url` is, or a `DataError` explaining why it is none of them.
    ///
    /// A `.yaml`/`.yml` file is a data YAML; a folder with a `data.yaml` at its top is read through
    /// that YAML (the synthetic VOC writes one, carrying its class names); a folder with
    /// `VOC<year>/` (or `VOCdevkit/VOC<year>/`) folders, or a year folder itself, is a VOCdevkit; a
    /// folder with `images/` is a YOLO layout.
    public static func layout(of url: URL) throws -> DatasetLayout {
        if isDirectory(url) {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("data.yaml").path) { return .dataYAML }
            if VOCDevkitReader.isYearFolder(url) || VOCDevkitReader.yearFolders(in: url) != nil { return .vocDevkit }
            if isDirectory(url.appendingPathComponent("images")) { return .yolo }
            throw DataError(file: url.path, reason: "unrecognised dataset layout: no VOC<year>/ folder with Annotations/ and "
                            + "JPEGImages/ (VOCdevkit), no images/ folder (YOLO layout) and no data.yaml")
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DataError(file: url.path, reason: "no such file or folder")
        }
        if ["yaml", "yml"].contains(url.pathExtension.lowercased()) { return .dataYAML }
        throw DataError(file: url.path, reason: "not a dataset: expected a data YAML (.yaml) or a dataset folder")
    }

    /// Reads `split` of the dataset at `path` (see `load(_:split:options:)`).
    public static func load(_ path: String, split: DataSplit, options: ReaderOptions = ReaderOptions()) throws -> DetectionDataset {
        try load(URL(fileURLWithPath: path), split: split, options: options)
    }

    /// Reads `split` of the dataset at `url`: a VOCdevkit folder, a YOLO layout folder or a data YAML.
    ///
    /// Bad samples are skipped and reported in `problems`; repaired labels are reported too. Throws
    /// a `DataError` when the layout is wrong or when no usable image is left.
    public static func load(_ url: URL, split: DataSplit, options: ReaderOptions = ReaderOptions()) throws -> DetectionDataset {
        let classNames: [String]
        var part: PartialDataset
        switch try layout(of: url) {
        case .vocDevkit:
            classNames = options.classNames ?? vocClassNames
            part = try VOCDevkitReader.read(url, split: split, classNames: classNames, options: options)
        case .yolo:
            classNames = try yoloClassNames(root: url, options: options)
            let folder = try YOLOLayoutReader.imageFolder(root: url, split: split)!
            let scan = YOLOLayoutReader.scan(folder: folder.url)
            part = YOLOLayoutReader.read(images: scan.images, classNames: classNames, options: options)
            part.problems += scan.problems + [folder.warning].compactMap { $0 }
        case .dataYAML:
            let file = isDirectory(url) ? url.appendingPathComponent("data.yaml") : url
            let yaml = try DataYAML.read(file)
            classNames = yaml.names
            part = try read(yaml, split: split, options: options)
        }
        guard !part.samples.isEmpty else {
            let skipped = part.problems.filter(\.skipped)
            let examples = skipped.prefix(3).map(\.description).joined(separator: "; ")
            throw DataError(file: url.path, reason: "no usable images in split '\(split.rawValue)'"
                            + (skipped.isEmpty ? " (the split is empty)" : ": \(skipped.count) skipped, e.g. \(examples)"))
        }
        return DetectionDataset(classNames: classNames, samples: part.samples, problems: part.problems,
                                difficultObjectsPerClass: part.difficultPerClass)
    }

    private static func read(_ yaml: DataYAML, split: DataSplit, options: ReaderOptions) throws -> PartialDataset {
        var result = PartialDataset(classCount: yaml.names.count)
        var yoloImages: [String] = []
        for entry in yaml.entries(split) {
            if isDirectory(entry.url) {
                if VOCDevkitReader.isYearFolder(entry.url) || VOCDevkitReader.yearFolders(in: entry.url) != nil {
                    result.append(try VOCDevkitReader.read(entry.url, split: split, classNames: yaml.names, options: options))
                } else {
                    let folder = try YOLOLayoutReader.imageFolder(root: entry.url, split: split)
                    let scan = YOLOLayoutReader.scan(folder: folder?.url ?? entry.url)
                    yoloImages += scan.images
                    result.problems += scan.problems + [folder?.warning].compactMap { $0 }
                }
            } else if FileManager.default.fileExists(atPath: entry.url.path) {
                // YOLOv5 reads any file named here as a list of images, whatever its extension.
                let main = entry.url.deletingLastPathComponent()
                let year = main.deletingLastPathComponent().deletingLastPathComponent()
                if main.lastPathComponent == "Main", VOCDevkitReader.isYearFolder(year) {
                    result.append(try VOCDevkitReader.read(imageSet: entry.url, classNames: yaml.names, options: options))
                } else {
                    yoloImages += try YOLOLayoutReader.list(file: entry.url)
                }
            } else {
                throw entry.node.error("'\(entry.text)' does not exist (\(entry.url.path))")
            }
        }
        if !yoloImages.isEmpty {
            result.append(YOLOLayoutReader.read(images: yoloImages, classNames: yaml.names, options: options))
        }
        return result
    }

    /// Class names for a bare YOLO folder: the options', or `classes.txt` at its top, one per line.
    private static func yoloClassNames(root: URL, options: ReaderOptions) throws -> [String] {
        if let names = options.classNames { return names }
        let file = root.appendingPathComponent("classes.txt")
        if FileManager.default.fileExists(atPath: file.path) {
            let names = try TextFile.lines(TextFile.read(file)).map { $0.text.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !names.isEmpty { return names }
        }
        throw DataError(file: root.path, reason: "a YOLO layout carries no class names: read it through a data YAML "
                        + "(names: [...]) or put a classes.txt beside images/")
    }
}
