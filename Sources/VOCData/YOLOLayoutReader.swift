import Foundation

/// Reads YOLO-format datasets: images anywhere under an `images/` folder, and beside it a `labels/`
/// folder mirroring it with one `<class> <cx> <cy> <w> <h>` line (normalised to 0…1) per object.
///
/// The label of `…/images/train/a.jpg` is `…/labels/train/a.txt` (YOLOv5's `img2label_paths`: the
/// last `/images/` becomes `/labels/`). An image without a label file is a background image, as in
/// YOLOv5, and is reported; a label line with the wrong field count or a non-number skips the image
/// (YOLOv5 v7 skips it as corrupt); coordinates outside 0…1 are clipped with a warning (v7 would
/// skip the image); a class index outside `names` drops the object with a warning.
enum YOLOLayoutReader {
    /// The label file of an image path.
    static func labelPath(forImage path: String) -> String {
        var base = path
        if let range = path.range(of: "/images/", options: .backwards) {
            base.replaceSubrange(range, with: "/labels/")
        }
        return (base as NSString).deletingPathExtension + ".txt"
    }

    /// The image folder of `split` under a YOLO root: `images/<split>` if it exists; `images/` itself
    /// when it has no split subfolders (then both splits read the same images, with a warning);
    /// nil when `root` has no `images/`. Throws when other splits have folders but this one has none.
    static func imageFolder(root: URL, split: DataSplit) throws -> (url: URL, warning: DataProblem?)? {
        let images = root.appendingPathComponent("images")
        guard isDirectory(images) else { return nil }
        let sub = images.appendingPathComponent(split.rawValue)
        if isDirectory(sub) { return (sub, nil) }
        let others = ["train", "val", "test"].filter { isDirectory(images.appendingPathComponent($0)) }
        if !others.isEmpty {
            throw DataError(file: images.path, reason: "no \(split.rawValue)/ folder for split '\(split.rawValue)' "
                            + "(found \(others.map { $0 + "/" }.joined(separator: ", ")))")
        }
        return (images, DataProblem(file: images.path, kind: .splitOverlap,
                                    reason: "no train/ or val/ subfolder: split '\(split.rawValue)' reads every image of images/",
                                    skipped: false))
    }

    /// Every image file under `folder`, recursively, sorted; plus problems for label files without an image.
    static func scan(folder: URL) -> (images: [String], problems: [DataProblem]) {
        var images: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let relative = enumerator?.nextObject() as? String {
            if ImageProbe.imageExtensions.contains((relative as NSString).pathExtension.lowercased()) {
                images.append(folder.appendingPathComponent(relative).path)
            }
        }
        images.sort()
        return (images, orphanLabels(imageFolder: folder, images: images))
    }

    /// Image paths listed in a text file, one per line; `./x` and other relative paths are taken
    /// relative to the list's folder (YOLOv5 resolves `./` that way).
    static func list(file: URL) throws -> [String] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw DataError(file: file.path, reason: "cannot read the image list")
        }
        let folder = file.deletingLastPathComponent()
        return text.split(whereSeparator: \.isNewline).compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { return nil }
            if line.hasPrefix("/") { return line }
            let relative = line.hasPrefix("./") ? String(line.dropFirst(2)) : line
            return folder.appendingPathComponent(relative).standardizedFileURL.path
        }
    }

    /// Reads the images at `paths` (sorted here, as YOLOv5 sorts) and their labels.
    static func read(images paths: [String], classNames: [String], options: ReaderOptions) -> PartialDataset {
        var result = PartialDataset(classCount: classNames.count)
        for path in Set(paths).sorted() {
            let size: (width: Int, height: Int)
            switch ImageProbe.probe(path, check: options.imageCheck) {
            case .failure(let problem): result.problems.append(problem); continue
            case .success(let s): size = s
            }
            let labelFile = labelPath(forImage: path)
            guard FileManager.default.fileExists(atPath: labelFile) else {
                result.problems.append(DataProblem(file: path, kind: .missingLabels,
                                                   reason: "no label file \(labelFile); used as a background image", skipped: false))
                result.samples.append(DatasetSample(imagePath: path, width: size.width, height: size.height, objects: []))
                continue
            }
            guard let text = try? String(contentsOfFile: labelFile, encoding: .utf8) else {
                result.problems.append(DataProblem(file: labelFile, kind: .unreadableFile, reason: "label file cannot be read as UTF-8 text", skipped: true))
                continue
            }
            switch parseLabels(text, file: labelFile, classCount: classNames.count, width: size.width, height: size.height) {
            case .failure(let problem): result.problems.append(problem)
            case .success(let parsed):
                result.problems += parsed.problems
                result.samples.append(DatasetSample(imagePath: path, width: size.width, height: size.height, objects: parsed.objects))
            }
        }
        return result
    }

    /// Parses one label file into pixel boxes, or the problem that skips the image.
    static func parseLabels(_ text: String, file: String, classCount: Int, width: Int, height: Int)
        -> Result<(objects: [AnnotatedObject], problems: [DataProblem]), DataProblem> {
        var objects: [AnnotatedObject] = []
        var problems: [DataProblem] = []
        var seen = Set<[Float]>()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == 5 else {
                return .failure(DataProblem(file: file, line: line, kind: .badLabelLine,
                                            reason: "\(fields.count) fields, expected 5 (class cx cy w h)", skipped: true))
            }
            let values = fields.map { Float($0) }
            guard values.allSatisfy({ $0 != nil && $0!.isFinite }) else {
                let bad = zip(fields, values).first { $0.1 == nil || !$0.1!.isFinite }!.0
                return .failure(DataProblem(file: file, line: line, kind: .badLabelLine,
                                            reason: "'\(bad)' is not a finite number", skipped: true))
            }
            let v = values.map { $0! }
            guard v[0] >= 0, v[0] == v[0].rounded() else {
                return .failure(DataProblem(file: file, line: line, element: "class", kind: .badLabelLine,
                                            reason: "class '\(fields[0])' is not a non-negative integer", skipped: true))
            }
            guard seen.insert(v).inserted else {
                problems.append(DataProblem(file: file, line: line, kind: .duplicateLabel,
                                            reason: "duplicate of an earlier line; dropped", skipped: false))
                continue
            }
            let cls = Int(v[0])
            guard cls < classCount else {
                problems.append(DataProblem(file: file, line: line, element: "class", kind: .unknownClass,
                                            reason: "class \(cls) is not in names (nc = \(classCount)); object dropped", skipped: false))
                continue
            }
            let (w, h) = (Float(width), Float(height))
            let box = BoxXYXY(cx: v[1] * w, cy: v[2] * h, w: v[3] * w, h: v[4] * h)
            let checked = BoxCheck.check(box, imageWidth: width, imageHeight: height, file: file, line: line, element: "box")
            if let problem = checked.problem { problems.append(problem) }
            if let kept = checked.box { objects.append(AnnotatedObject(classIndex: cls, box: kept)) }
        }
        return .success((objects, problems))
    }

    /// Label files under the `labels/` twin of `imageFolder` that no image matches.
    private static func orphanLabels(imageFolder: URL, images: [String]) -> [DataProblem] {
        let labelFolder = labelPath(forImage: imageFolder.path + "/x.jpg")
        let folder = (labelFolder as NSString).deletingLastPathComponent
        guard folder != imageFolder.path, let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        let expected = Set(images.map(labelPath(forImage:)))
        var problems: [DataProblem] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".txt") else { continue }
            let path = (folder as NSString).appendingPathComponent(relative)
            if !expected.contains(path) {
                problems.append(DataProblem(file: path, kind: .missingImage, reason: "label file has no image", skipped: true))
            }
        }
        return problems.sorted { $0.file < $1.file }
    }
}
