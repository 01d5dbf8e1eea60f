import ConfigFile
import Foundation

/// Reads YOLO-format datasets: images anywhere under an `images/` folder, and beside it a `labels/`
/// folder mirroring it with one `<class> <cx> <cy> <w> <h>` line (normalised to 0…1) per object.
///
/// The label of `…/images/train/a.jpg` is `…/labels/train/a.txt` (YOLOv5's `img2label_paths`: the
/// last `/images/` becomes `/labels/`). An image without a label file is a background image, as in
/// YOLOv5, and is reported; a label line with the wrong field count or a non-number skips the image
/// (YOLOv5 v7 skips it as corrupt); a polygon line (YOLOv5's segment labels) gives its bounding
/// box; coordinates outside 0…1 are clipped with a warning (v7 would skip the image); a class
/// index outside `names` drops the object with a warning.
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

    /// Every image file under `folder` (see `ImageFiles.all(under:)`); plus problems for label
    /// files without an image.
    static func scan(folder: URL) -> (images: [String], problems: [DataProblem]) {
        let images = ImageFiles.all(under: folder)
        return (images, orphanLabels(imageFolder: folder, images: images))
    }

    /// Image paths listed in a text file, one per line (blank lines and surrounding blanks
    /// ignored); `./x` and other relative paths are taken relative to the list's folder (YOLOv5
    /// resolves `./` that way). Lines that do not name an image by their extension are left out,
    /// as YOLOv5 leaves them out.
    static func list(file: URL) throws -> [String] {
        let text: String
        do { text = try TextFile.read(file) } catch let error as ConfigError {
            throw DataError(file: file.path, line: error.line, reason: "cannot read the image list: \(error.reason)")
        }
        let folder = file.deletingLastPathComponent()
        return TextFile.lines(text).compactMap { raw in
            let line = raw.text.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, ImageFiles.hasImageExtension(line) else { return nil }
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
            let text: String
            do { text = try TextFile.read(URL(fileURLWithPath: labelFile)) } catch {
                let e = error as? ConfigError
                result.problems.append(DataProblem(file: labelFile, line: e?.line, kind: .unreadableFile,
                                                   reason: "label file cannot be read: \(e?.reason ?? "\(error)")", skipped: true))
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
    ///
    /// A line is `class cx cy w h`, or a polygon `class x1 y1 x2 y2 …` (YOLOv5's segment labels,
    /// which detection training turns into the polygon's bounding box, `segments2boxes`). YOLOv5
    /// takes every line of a file as a polygon once one line has more than 6 fields; here each
    /// line is read by its own field count, which agrees on every file that is not a mix.
    static func parseLabels(_ text: String, file: String, classCount: Int, width: Int, height: Int)
        -> Result<(objects: [AnnotatedObject], problems: [DataProblem]), DataProblem> {
        var objects: [AnnotatedObject] = []
        var problems: [DataProblem] = []
        var seen = Set<[Float]>()
        for (line, raw) in TextFile.lines(text) {
            let fields = TextFile.words(raw)
            if fields.isEmpty { continue }
            guard fields.count == 5 || (fields.count >= 7 && fields.count % 2 == 1) else {
                return .failure(DataProblem(file: file, line: line, kind: .badLabelLine,
                                            reason: "\(fields.count) fields, expected 5 (class cx cy w h) "
                                                + "or a polygon (class x1 y1 x2 y2 x3 y3 …)", skipped: true))
            }
            let values = fields.map { Float($0) }
            if let bad = zip(fields, values).first(where: { $0.1 == nil || !$0.1!.isFinite })?.0 {
                return .failure(DataProblem(file: file, line: line, kind: .badLabelLine,
                                            reason: "'\(bad)' is not a finite number", skipped: true))
            }
            let v = values.map { $0! }
            guard v[0] >= 0, v[0] == v[0].rounded() else {
                return .failure(DataProblem(file: file, line: line, element: "class", kind: .badLabelLine,
                                            reason: "class '\(fields[0])' is not a non-negative integer", skipped: true))
            }
            let row = fields.count == 5 ? v : [v[0]] + polygonBox(Array(v.dropFirst()))
            guard seen.insert(row).inserted else {
                problems.append(DataProblem(file: file, line: line, kind: .duplicateLabel,
                                            reason: "duplicate of an earlier line; dropped", skipped: false))
                continue
            }
            // Compared as a float first: Int(1e30) would trap.
            guard row[0] < Float(classCount) else {
                problems.append(DataProblem(file: file, line: line, element: "class", kind: .unknownClass,
                                            reason: "class \(fields[0]) is not in names (nc = \(classCount)); object dropped", skipped: false))
                continue
            }
            let cls = Int(row[0])
            let (w, h) = (Float(width), Float(height))
            let box = BoxXYXY(cx: row[1] * w, cy: row[2] * h, w: row[3] * w, h: row[4] * h)
            let checked = BoxCheck.check(box, imageWidth: width, imageHeight: height, file: file, line: line, element: "box")
            if let problem = checked.problem { problems.append(problem) }
            if let kept = checked.box { objects.append(AnnotatedObject(classIndex: cls, box: kept)) }
        }
        return .success((objects, problems))
    }

    /// The normalised cx, cy, w, h of the box around a polygon `x1 y1 x2 y2 …` (YOLOv5's
    /// `segments2boxes`: min and max of the points).
    static func polygonBox(_ xy: [Float]) -> [Float] {
        let xs = stride(from: 0, to: xy.count, by: 2).map { xy[$0] }, ys = stride(from: 1, to: xy.count, by: 2).map { xy[$0] }
        let (x1, x2, y1, y2) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
        return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1]
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
