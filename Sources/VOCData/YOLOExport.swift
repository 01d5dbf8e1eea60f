import Foundation

/// Writes a dataset FreezeStudy has read in YOLOv5's own layout, so one dataset serves both
/// programs (`freeze-study data export --format yolo`):
/// ```
/// out/images/train/<image>   out/labels/train/<image stem>.txt   (and the same for val)
/// out/data.yaml              path (absolute: YOLOv5 resolves a relative one against its own
///                            folder), train: images/train, val: images/val, nc, names
/// ```
/// Labels are converted as YOLOv5's `data/VOC.yaml` converts VOC XML: difficult objects left
/// out, the class index, then `x y w h` normalised by the image size, with VOC's 1-based corners
/// (x = ((xmin + xmax)/2 − 1)/w, w = (xmax − xmin)/w; the reader's `BoxXYXY` already holds
/// xmin − 1 … xmax − 1). Every image gets a label file, empty for a background image.
public enum YOLOExport {
    /// How an image reached the export.
    public enum Transfer: String, Sendable {
        /// A hard link to the source file: no bytes copied, the source must stay on this file system.
        case hardLinked = "hard-linked"
        /// A copy (asked for, or the source is on another file system).
        case copied
    }

    /// What was written.
    public struct Summary: Sendable {
        /// Images per split, train then val.
        public var trainImages = 0, valImages = 0
        /// Label lines written (objects), over both splits.
        public var objects = 0
        /// Difficult objects the source kept flagged and the export left out.
        public var difficultLeftOut = 0
        /// Images hard-linked and copied.
        public var hardLinked = 0, copied = 0
        /// The data YAML written.
        public var dataYAML: URL
    }

    /// Writes `train` and `val` (the same class names) under `out`, which must not already hold
    /// `images/`, `labels/` or `data.yaml`. Images are hard-linked unless `copyImages` (or the
    /// link fails, as it does across file systems; then copied). `source` is named in data.yaml.
    public static func write(train: DetectionDataset, val: DetectionDataset, to out: URL, source: String,
                             copyImages: Bool = false) throws -> Summary {
        guard train.classNames == val.classNames else {
            throw DataError(file: source, reason: "the train and val splits name different classes")
        }
        let out = out.standardizedFileURL
        for name in ["images", "labels", "data.yaml"] where FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path) {
            throw DataError(file: out.appendingPathComponent(name).path,
                            reason: "already exists; export into an empty folder (nothing is overwritten)")
        }
        var summary = Summary(dataYAML: out.appendingPathComponent("data.yaml"))
        for (split, dataset) in [(DataSplit.train, train), (.val, val)] {
            let count = try write(dataset, split: split, to: out, copyImages: copyImages, summary: &summary)
            if split == .train { summary.trainImages = count } else { summary.valImages = count }
        }
        try writeText(dataYAML(names: train.classNames, root: out, source: source), to: summary.dataYAML)
        return summary
    }

    /// One split's images and labels; returns the number of images.
    private static func write(_ dataset: DetectionDataset, split: DataSplit, to out: URL, copyImages: Bool,
                              summary: inout Summary) throws -> Int {
        let images = out.appendingPathComponent("images/\(split.rawValue)")
        let labels = out.appendingPathComponent("labels/\(split.rawValue)")
        for folder in [images, labels] {
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw DataError(file: folder.path, reason: "cannot create the folder (\(error.localizedDescription))")
            }
        }
        var used = Set<String>()
        for sample in dataset.samples {
            let name = uniqueName(URL(fileURLWithPath: sample.imagePath).lastPathComponent, used: &used)
            let target = images.appendingPathComponent(name)
            switch try transfer(URL(fileURLWithPath: sample.imagePath), to: target, copy: copyImages) {
            case .hardLinked: summary.hardLinked += 1
            case .copied: summary.copied += 1
            }
            let kept = sample.trainingObjects
            summary.difficultLeftOut += sample.objects.count - kept.count
            summary.objects += kept.count
            let lines = kept.map { labelLine($0, width: sample.width, height: sample.height) + "\n" }
            try writeText(lines.joined(), to: labels.appendingPathComponent((name as NSString).deletingPathExtension + ".txt"))
        }
        return dataset.samples.count
    }

    /// `class x y w h`, normalised, each number in its shortest exact decimal form (as Python's
    /// `str(float)` writes it in YOLOv5's conversion).
    static func labelLine(_ object: AnnotatedObject, width: Int, height: Int) -> String {
        let (w, h) = (Double(width), Double(height))
        let (x1, y1, x2, y2) = (Double(object.box.x1), Double(object.box.y1), Double(object.box.x2), Double(object.box.y2))
        let values = [(x1 + x2) / 2 / w, (y1 + y2) / 2 / h, (x2 - x1) / w, (y2 - y1) / h]
        return ([String(object.classIndex)] + values.map { "\($0)" }).joined(separator: " ")
    }

    /// `name`, or `stem_2.ext`, `stem_3.ext` … when an earlier image of the split took its stem
    /// (two VOC years or two listed folders may hold the same file name, and `a.jpg` beside
    /// `a.jpeg` would share `a.txt`). Compared without case, for case-insensitive file systems.
    private static func uniqueName(_ name: String, used: inout Set<String>) -> String {
        let stem = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        var candidate = stem
        var n = 1
        while used.contains(candidate.lowercased()) {
            n += 1
            candidate = "\(stem)_\(n)"
        }
        used.insert(candidate.lowercased())
        return candidate + (ext.isEmpty ? "" : ".\(ext)")
    }

    /// Hard-links (or copies) the file `source` points at to `target`. A symbolic link is followed
    /// first: a hard link to the link itself would break when its relative target moves.
    private static func transfer(_ source: URL, to target: URL, copy: Bool) throws -> Transfer {
        let real = source.resolvingSymlinksInPath()
        if !copy, (try? FileManager.default.linkItem(at: real, to: target)) != nil { return .hardLinked }
        do { try FileManager.default.copyItem(at: real, to: target) } catch {
            throw DataError(file: target.path, reason: "cannot copy \(real.path) here (\(error.localizedDescription))")
        }
        return .copied
    }

    /// The data YAML of the export; names single-quoted (YAML's only escape there is '').
    static func dataYAML(names: [String], root: URL, source: String) -> String {
        let quoted = { (text: String) in "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        let lines = [
            "# Written by freeze-study data export from \(source.replacingOccurrences(of: "\n", with: " ")):",
            "# YOLOv5's layout, labels converted as YOLOv5's data/VOC.yaml converts VOC (difficult objects left out).",
            "path: \(quoted(root.path))",
            "train: images/train",
            "val: images/val",
            "nc: \(names.count)",
            "names:",
        ] + names.enumerated().map { "  \($0): \(quoted($1))" }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func writeText(_ text: String, to url: URL) throws {
        do { try Data(text.utf8).write(to: url) } catch {
            throw DataError(file: url.path, reason: "cannot write (\(error.localizedDescription))")
        }
    }
}
