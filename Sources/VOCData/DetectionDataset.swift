/// One labelled object of an image, in the image's original pixels.
public struct AnnotatedObject: Equatable, Sendable {
    /// Index into `DetectionDataset.classNames`.
    public var classIndex: Int
    /// The box in original-image pixels (see `BoxXYXY` for the VOC → pixel convention).
    public var box: BoxXYXY
    /// VOC's `difficult` flag. Training never uses such objects (YOLOv5's VOC conversion drops them);
    /// they are present only when the reader keeps them (`ReaderOptions.difficult = .keepFlagged`).
    public var difficult: Bool
    /// VOC's `truncated` flag (kept for training, as YOLOv5 does).
    public var truncated: Bool

    /// An object; `difficult` and `truncated` default to false (YOLO txt labels carry neither).
    public init(classIndex: Int, box: BoxXYXY, difficult: Bool = false, truncated: Bool = false) {
        self.classIndex = classIndex
        self.box = box
        self.difficult = difficult
        self.truncated = truncated
    }
}

/// One image of a dataset with its labels.
public struct DatasetSample: Equatable, Sendable {
    /// The image file (a JPEG).
    public var imagePath: String
    /// Width of the image file in pixels.
    public var width: Int
    /// Height of the image file in pixels.
    public var height: Int
    /// The labelled objects; difficult ones only when the reader keeps them.
    public var objects: [AnnotatedObject]

    /// A sample.
    public init(imagePath: String, width: Int, height: Int, objects: [AnnotatedObject]) {
        self.imagePath = imagePath
        self.width = width
        self.height = height
        self.objects = objects
    }

    /// The objects the trainer learns from: every object that is not `difficult`.
    public var trainingObjects: [AnnotatedObject] { objects.filter { !$0.difficult } }
}

/// A split of a detection dataset as read from disk: class names, the usable samples, and every
/// problem met on the way (skipped samples and repaired labels alike).
public struct DetectionDataset: Sendable {
    /// Class names in index order (`names` of a YOLOv5 data YAML).
    public var classNames: [String]
    /// The samples that can be used, in a deterministic order.
    public var samples: [DatasetSample]
    /// What went wrong while reading; see `DataProblem.skipped`.
    public var problems: [DataProblem]
    /// Difficult objects seen in VOC annotations, per class (whether dropped or kept).
    public var difficultObjectsPerClass: [Int]

    /// A dataset.
    public init(classNames: [String], samples: [DatasetSample], problems: [DataProblem] = [],
                difficultObjectsPerClass: [Int]? = nil) {
        self.classNames = classNames
        self.samples = samples
        self.problems = problems
        self.difficultObjectsPerClass = difficultObjectsPerClass ?? [Int](repeating: 0, count: classNames.count)
    }

    /// Number of classes (`nc`).
    public var classCount: Int { classNames.count }

    /// Samples that were skipped, one per problem with `skipped == true`.
    public var skippedCount: Int { problems.filter(\.skipped).count }

    /// Objects per class over all samples (difficult ones included when kept).
    public var objectsPerClass: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for sample in samples { for object in sample.objects { counts[object.classIndex] += 1 } }
        return counts
    }
}

/// The 20 Pascal VOC classes in YOLOv5's order (data/VOC.yaml).
public let vocClassNames = [
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
    "tvmonitor",
]
