import ConfigFile
import Foundation

/// Samples and problems gathered from one part of a dataset (a VOC image set, a YOLO folder).
struct PartialDataset {
    var samples: [DatasetSample] = []
    var problems: [DataProblem] = []
    var difficultPerClass: [Int]

    init(classCount: Int) { difficultPerClass = [Int](repeating: 0, count: classCount) }

    mutating func append(_ other: PartialDataset) {
        samples += other.samples
        problems += other.problems
        for i in difficultPerClass.indices { difficultPerClass[i] += other.difficultPerClass[i] }
    }
}

/// Reads a VOCdevkit tree: `VOC<year>/{Annotations/<id>.xml, JPEGImages/<id>.jpg, ImageSets/Main/<set>.txt}`.
///
/// Accepted roots: a folder holding `VOC2007/`, `VOC2012/`… (the synthetic VOC's `<out>`), a folder
/// holding `VOCdevkit/VOC<year>/` (the official tarballs), or a single `VOC<year>/` folder.
enum VOCDevkitReader {
    /// Whether `url` is a VOC year folder (it has `Annotations/` and `JPEGImages/`).
    static func isYearFolder(_ url: URL) -> Bool {
        isDirectory(url.appendingPathComponent("Annotations")) && isDirectory(url.appendingPathComponent("JPEGImages"))
    }

    /// The year folders under a devkit root, by year ("2007" → `…/VOC2007`), or nil if `url` is not one.
    static func yearFolders(in url: URL) -> [String: URL]? {
        for root in [url, url.appendingPathComponent("VOCdevkit")] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
            var years: [String: URL] = [:]
            for name in names where name.hasPrefix("VOC") && isYearFolder(root.appendingPathComponent(name)) {
                years[String(name.dropFirst(3))] = root.appendingPathComponent(name)
            }
            if !years.isEmpty { return years }
        }
        return nil
    }

    /// Reads `split` of the devkit at `url` (a root or a single year folder) with the image sets of `options`.
    static func read(_ url: URL, split: DataSplit, classNames: [String], options: ReaderOptions) throws -> PartialDataset {
        var result = PartialDataset(classCount: classNames.count)
        var looked: [String] = []
        var usedSets: [(year: String, ids: Set<String>)] = []
        let plan: [(URL, [String])]
        if isYearFolder(url) {
            var names: [String] = []
            for set in options.vocSplits.sets(split) { for n in set.names where !names.contains(n) { names.append(n) } }
            plan = [(url, names)]
        } else if let years = yearFolders(in: url) {
            plan = options.vocSplits.sets(split).compactMap { set in years[set.year].map { ($0, set.names) } }
        } else {
            throw DataError(file: url.path, reason: "not a VOCdevkit: no VOC<year>/ folder with Annotations/ and JPEGImages/")
        }
        for (yearURL, names) in plan {
            let main = yearURL.appendingPathComponent("ImageSets/Main")
            let candidates = names.map { main.appendingPathComponent("\($0).txt") }
            looked += candidates.map(\.path)
            guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else { continue }
            let part = try read(imageSet: file, classNames: classNames, options: options)
            usedSets.append((yearURL.lastPathComponent, Set(part.samples.map { URL(fileURLWithPath: $0.imagePath).deletingPathExtension().lastPathComponent })))
            result.append(part)
        }
        if usedSets.isEmpty {
            throw DataError(file: url.path, reason: "no image set for split '\(split.rawValue)'; looked for \(looked.joined(separator: ", "))")
        }
        if split == .val { result.problems += overlapWarnings(url, valSets: usedSets, options: options) }
        return result
    }

    /// Reads the images listed in a VOC image-set file (`…/VOC2007/ImageSets/Main/val.txt`).
    static func read(imageSet file: URL, classNames: [String], options: ReaderOptions) throws -> PartialDataset {
        let yearURL = file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let classIndex = Dictionary(classNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let images = ImageFolder(yearURL.appendingPathComponent("JPEGImages"))
        var result = PartialDataset(classCount: classNames.count)
        var seen = Set<String>()
        for (id, line) in try imageIDs(file) {
            guard seen.insert(id).inserted else {
                result.problems.append(DataProblem(file: file.path, line: line, kind: .duplicateLabel,
                                                   reason: "image id '\(id)' listed twice; the repeat is ignored", skipped: false))
                continue
            }
            let xml = yearURL.appendingPathComponent("Annotations/\(id).xml")
            readSample(id: id, xml: xml, image: images.file(named: id), listedIn: file.path, line: line,
                       classIndex: classIndex, options: options, into: &result)
        }
        return result
    }

    /// The image ids of an image-set file with their lines. Class-specific sets
    /// ("aeroplane_train.txt") carry "<id> <flag>"; the id is the first word.
    static func imageIDs(_ file: URL) throws -> [(id: String, line: Int)] {
        let text: String
        do { text = try TextFile.read(file) } catch let error as ConfigError {
            throw DataError(file: file.path, line: error.line, reason: "cannot read the image-set file: \(error.reason)")
        }
        return TextFile.lines(text).compactMap { line in TextFile.words(line.text).first.map { (String($0), line.number) } }
    }

    private static func readSample(id: String, xml: URL, image: URL, listedIn: String, line: Int, classIndex: [String: Int],
                                   options: ReaderOptions, into result: inout PartialDataset) {
        guard FileManager.default.fileExists(atPath: xml.path) else {
            result.problems.append(DataProblem(file: xml.path, kind: .missingAnnotation,
                                               reason: "image '\(id)' (\(listedIn):\(line)) has no annotation file", skipped: true))
            return
        }
        guard FileManager.default.fileExists(atPath: image.path) else {
            result.problems.append(DataProblem(file: image.path, kind: .missingImage,
                                               reason: "annotation '\(id)' (\(listedIn):\(line)) has no image file", skipped: true))
            return
        }
        let size: (width: Int, height: Int)
        switch ImageProbe.probe(image.path, check: options.imageCheck) {
        case .failure(let problem): result.problems.append(problem); return
        case .success(let s): size = s
        }
        guard let data = FileManager.default.contents(atPath: xml.path) else {
            result.problems.append(DataProblem(file: xml.path, kind: .unreadableFile, reason: "annotation file cannot be read", skipped: true))
            return
        }
        switch labels(annotation: data, file: xml.path, classIndex: classIndex, difficult: options.difficult, imageSize: size) {
        case .failure(let problem): result.problems.append(problem)
        case .success(let labels):
            result.problems += labels.problems
            for cls in labels.difficultClasses { result.difficultPerClass[cls] += 1 }
            result.samples.append(DatasetSample(imagePath: image.path, width: size.width, height: size.height, objects: labels.objects))
        }
    }

    /// The labels of annotation XML bytes for an image of `imageSize`, or the problem that skips it.
    static func labels(annotation data: Data, file: String, classIndex: [String: Int], difficult: DifficultPolicy,
                       imageSize size: (width: Int, height: Int))
        -> Result<(objects: [AnnotatedObject], problems: [DataProblem], difficultClasses: [Int]), DataProblem> {
        let annotation: VOCAnnotation
        do { annotation = try VOCAnnotation.parse(data) } catch let error as XMLSyntaxError {
            return .failure(DataProblem(file: file, line: error.line, kind: .malformedAnnotation, reason: error.reason, skipped: true))
        } catch {
            return .failure(DataProblem(file: file, kind: .malformedAnnotation, reason: "\(error)", skipped: true))
        }
        return .success(annotation.labels(classIndex: classIndex, difficult: difficult,
                                          imageWidth: size.width, imageHeight: size.height, file: file))
    }

    /// Warns when validation images also appear in the training image sets of the same year.
    private static func overlapWarnings(_ url: URL, valSets: [(year: String, ids: Set<String>)],
                                        options: ReaderOptions) -> [DataProblem] {
        guard let years = yearFolders(in: url) else { return [] }
        var problems: [DataProblem] = []
        for set in options.vocSplits.train {
            guard let yearURL = years[set.year],
                  let val = valSets.first(where: { $0.year == yearURL.lastPathComponent }) else { continue }
            let main = yearURL.appendingPathComponent("ImageSets/Main")
            guard let file = set.names.map({ main.appendingPathComponent("\($0).txt") })
                    .first(where: { FileManager.default.fileExists(atPath: $0.path) }),
                  let trainIDs = try? Set(imageIDs(file).map(\.id)) else { continue }
            let shared = trainIDs.intersection(val.ids)
            if !shared.isEmpty {
                problems.append(DataProblem(file: file.path, kind: .splitOverlap,
                                            reason: "\(shared.count) validation images are also training images of \(yearURL.lastPathComponent)",
                                            skipped: false))
            }
        }
        return problems
    }
}

/// Whether `url` is an existing directory.
func isDirectory(_ url: URL) -> Bool {
    var flag: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
}
