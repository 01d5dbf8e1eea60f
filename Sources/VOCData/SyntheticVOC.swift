import Foundation
import NeuralCore

/// The embedded default dataset (DESIGN.md): a deterministic generator of real VOCdevkit trees.
///
/// Layout written under `out`:
/// ```
/// out/data.yaml                              names, nc, and train/val pointing at the image sets
/// out/VOC2007/JPEGImages/000001.jpg …        JPEG, long side = imageSize
/// out/VOC2007/Annotations/000001.xml …       VOC XML (size, object/name/pose/truncated/occluded/difficult/bndbox)
/// out/VOC2007/ImageSets/Main/train.txt       ids of the training images
/// out/VOC2007/ImageSets/Main/val.txt         ids of the validation images
/// ```
/// `DatasetReader` reads `out` (through its data.yaml), `out/data.yaml`, or `out/VOC2007`.
public enum SyntheticVOC {
    /// Bumped whenever the generator's output changes, so caches keyed by `Configuration.fingerprint`
    /// refresh. 2: `source` became the superset task (its earlier output is `source-disjoint`'s;
    /// `voc` is unchanged).
    public static let generatorVersion = 2

    /// What to generate.
    public struct Configuration: Equatable, Sendable {
        /// `voc` (20 VOC classes), `source` (80 pretraining classes ⊃ VOC's) or `source-disjoint` (24 others).
        public var task: SyntheticTask
        /// Number of images written.
        public var images: Int
        /// Seed of every random choice; the same configuration writes the same bytes.
        public var seed: UInt64
        /// Long side of every image in pixels (short side 70–100 % of it).
        public var imageSize: Int
        /// Share of the images listed in val.txt.
        public var valFraction: Double
        /// JPEG quality.
        public var quality: Int

        /// A configuration; the defaults are the embedded default's.
        public init(task: SyntheticTask, images: Int, seed: UInt64, imageSize: Int = 320, valFraction: Double = 0.2,
                    quality: Int = 90) {
            self.task = task
            self.images = images
            self.seed = seed
            self.imageSize = imageSize
            self.valFraction = valFraction
            self.quality = quality
        }

        /// A short name that changes with anything that changes the output (for cache folders).
        public var fingerprint: String {
            "\(task.rawValue)-n\(images)-s\(seed)-px\(imageSize)-v\(Int((valFraction * 1000).rounded()))-q\(quality)-g\(SyntheticVOC.generatorVersion)"
        }
    }

    /// What was written.
    public struct Summary: Sendable {
        /// Images listed in train.txt.
        public var trainImages: Int
        /// Images listed in val.txt.
        public var valImages: Int
        /// Annotated objects, difficult ones included.
        public var objects: Int
        /// Objects marked difficult.
        public var difficultObjects: Int
        /// Wall-clock seconds of the generation.
        public var seconds: Double
    }

    /// Generates `images` images of `task` into `out` (see `Configuration` for the parameters).
    @discardableResult
    public static func generate(task: SyntheticTask, to out: URL, images: Int, seed: UInt64, imageSize: Int = 320,
                                valFraction: Double = 0.2) throws -> Summary {
        try generate(Configuration(task: task, images: images, seed: seed, imageSize: imageSize, valFraction: valFraction), to: out)
    }

    /// Generates the configured dataset into `out` (created if needed), using every core.
    @discardableResult
    public static func generate(_ configuration: Configuration, to out: URL) throws -> Summary {
        let c = configuration
        guard c.images > 0 else { throw DataError(file: out.path, reason: "synthetic VOC needs at least 1 image, got \(c.images)") }
        guard c.imageSize >= 32 else { throw DataError(file: out.path, reason: "synthetic image size must be at least 32, got \(c.imageSize)") }
        guard (0...1).contains(c.valFraction) else { throw DataError(file: out.path, reason: "val fraction must be within 0…1, got \(c.valFraction)") }
        let start = DispatchTime.now().uptimeNanoseconds
        let year = out.appendingPathComponent("VOC2007")
        let folders = ["JPEGImages", "Annotations", "ImageSets/Main"].map { year.appendingPathComponent($0) }
        do {
            for folder in folders { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        } catch {
            throw DataError(file: out.path, reason: "cannot create the output folders (\(error.localizedDescription))")
        }
        let counts = UnsafeMutableBufferPointer<(objects: Int, difficult: Int, error: String?)>.allocate(capacity: c.images)
        counts.initialize(repeating: (0, 0, nil))
        defer { counts.deallocate() }
        DispatchQueue.concurrentPerform(iterations: computeCores) { worker in
            var i = worker
            while i < c.images {
                counts[i] = writeImage(i, configuration: c, year: year)
                i += computeCores
            }
        }
        if let failure = counts.first(where: { $0.error != nil })?.error { throw DataError(file: out.path, reason: failure) }
        let ids = (0..<c.images).map(imageID)
        var order = Array(0..<c.images)
        var rng = SeededGenerator(seed: SampleSeeds.mix(c.seed ^ 0x5EED_5A17))
        SampleSeeds.shuffle(&order, using: &rng)
        let valCount = Int((Double(c.images) * c.valFraction).rounded())
        let valSet = Set(order.prefix(valCount))
        let train = (0..<c.images).filter { !valSet.contains($0) }.map { ids[$0] }
        let val = (0..<c.images).filter { valSet.contains($0) }.map { ids[$0] }
        try write(train.map { $0 + "\n" }.joined(), to: folders[2].appendingPathComponent("train.txt"))
        try write(val.map { $0 + "\n" }.joined(), to: folders[2].appendingPathComponent("val.txt"))
        try write(dataYAML(c, classNames: c.task.classNames), to: out.appendingPathComponent("data.yaml"))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Summary(trainImages: train.count, valImages: val.count, objects: counts.reduce(0) { $0 + $1.objects },
                       difficultObjects: counts.reduce(0) { $0 + $1.difficult }, seconds: seconds)
    }

    /// VOC-style six-digit id of image `index` (000001 for index 0).
    static func imageID(_ index: Int) -> String {
        let digits = String(index + 1)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Image `index` of a configuration, painted but not encoded, with its annotation XML.
    static func render(_ index: Int, configuration c: Configuration) -> (image: RGBImage, xml: String, objects: [SyntheticObject]) {
        let classes = c.task.classes
        var rng = SampleSeeds.generator(seed: c.seed ^ c.task.seedSalt, epoch: 0, index: index)
        let long = c.imageSize
        let short = max(16, Int(Float(long) * rng.uniform(0.7, 1)) / 2 * 2)
        let landscape = rng.uniform(0, 1) < 0.7
        let (w, h) = landscape ? (long, short) : (short, long)
        let picker = SyntheticClassPicker(count: classes.count, weights: c.task.classWeights)
        let scene = SyntheticScene(classes: classes, picker: picker, style: c.task.sceneStyle, width: w, height: h, using: &rng)
        let objects = scene.annotations
        let id = imageID(index)
        let xml = VOCXMLWriter.annotation(
            folder: "VOC2007", filename: "\(id).jpg", width: w, height: h, database: "FreezeStudy synthetic \(c.task.databaseName)",
            objects: objects.map { (classes[$0.classIndex].name, $0.minX + 1, $0.minY + 1, $0.maxX + 1, $0.maxY + 1,
                                    $0.difficult, $0.truncated, $0.occluded) })
        return (scene.image, xml, objects)
    }

    /// Paints, encodes and writes image `index` and its annotation; returns its object counts or an error.
    private static func writeImage(_ index: Int, configuration c: Configuration, year: URL)
        -> (objects: Int, difficult: Int, error: String?) {
        let (image, xml, objects) = render(index, configuration: c)
        let id = imageID(index)
        do {
            let jpeg = try JPEG.encode(image, quality: c.quality)
            try jpeg.write(to: year.appendingPathComponent("JPEGImages/\(id).jpg"))
            try Data(xml.utf8).write(to: year.appendingPathComponent("Annotations/\(id).xml"))
        } catch {
            return (0, 0, "cannot write image \(id): \(error)")
        }
        return (objects.count, objects.filter(\.difficult).count, nil)
    }

    private static func dataYAML(_ c: Configuration, classNames: [String]) -> String {
        """
        # FreezeStudy synthetic VOC, generator version \(generatorVersion):
        # freeze-study data synth --task \(c.task.rawValue) --images \(c.images) --seed \(c.seed) --image-size \(c.imageSize) --val-fraction \(c.valFraction)
        path: .
        train: VOC2007/ImageSets/Main/train.txt
        val: VOC2007/ImageSets/Main/val.txt
        nc: \(classNames.count)
        names: [\(classNames.map { "'\($0)'" }.joined(separator: ", "))]

        """
    }

    private static func write(_ text: String, to url: URL) throws {
        do { try Data(text.utf8).write(to: url) } catch {
            throw DataError(file: url.path, reason: "cannot write (\(error.localizedDescription))")
        }
    }
}

extension SyntheticTask {
    /// Mixed into the seed of every image, so the tasks draw different images from one seed.
    var seedSalt: UInt64 {
        switch self {
        case .voc: return 0x0C
        case .sourceDisjoint: return 0x5C  // the earlier `source`'s, so that its images stay the same
        case .source: return 0xC0C0
        }
    }

    /// The `<database>` of the annotations (the earlier `source` keeps its own).
    var databaseName: String { self == .voc ? "voc" : "source" }
}
