/// Which split of a dataset to read.
public enum DataSplit: String, Sendable, CaseIterable {
    /// Training images (VOC: 2007 + 2012 trainval; a data YAML's `train`).
    case train
    /// Validation images (VOC: 2007 test; a data YAML's `val`).
    case val
}

/// How thoroughly images are checked while a dataset is read.
public enum ImageCheck: Sendable {
    /// Parse the JPEG header and require the end-of-image marker (fast; YOLOv5's `verify_image_label`).
    case header
    /// Decode every image completely (`freeze-study data check` does this).
    case decode
}

/// One VOC year and the image-set names to try for it, first existing file wins.
public struct VOCImageSet: Equatable, Sendable {
    /// The year folder suffix: "2007" reads `VOC2007/`.
    public var year: String
    /// `ImageSets/Main/<name>.txt` candidates, in order of preference.
    public var names: [String]

    /// The image sets `names` of year `year`.
    public init(year: String, names: [String]) {
        self.year = year
        self.names = names
    }
}

/// Which VOC image sets make each split.
public struct VOCSplits: Equatable, Sendable {
    /// The image sets combined for training.
    public var train: [VOCImageSet]
    /// The image sets combined for validation.
    public var val: [VOCImageSet]

    /// Splits from explicit image-set lists.
    public init(train: [VOCImageSet], val: [VOCImageSet]) {
        self.train = train
        self.val = val
    }

    /// YOLOv5's VOC.yaml: train = VOC2007 + VOC2012 `trainval`, val = VOC2007 `test`. A year folder
    /// without those files falls back to `train.txt` / `val.txt` (the synthetic VOC's split files);
    /// missing year folders are skipped.
    public static let yolov5 = VOCSplits(
        train: [VOCImageSet(year: "2007", names: ["trainval", "train"]),
                VOCImageSet(year: "2012", names: ["trainval", "train"])],
        val: [VOCImageSet(year: "2007", names: ["test", "val"])])

    /// The image sets of `split`.
    public func sets(_ split: DataSplit) -> [VOCImageSet] { split == .train ? train : val }
}

/// Options of `DatasetReader.load`.
public struct ReaderOptions: Sendable {
    /// Class names for a layout that does not carry them (a VOCdevkit folder defaults to the 20 VOC
    /// classes; a YOLO folder needs them here or in `classes.txt`). A data YAML's `names` win.
    public var classNames: [String]?
    /// What to do with VOC `difficult` objects (default: drop them, as YOLOv5 does).
    public var difficult: DifficultPolicy
    /// The VOC image sets of each split.
    public var vocSplits: VOCSplits
    /// How images are checked while reading.
    public var imageCheck: ImageCheck

    /// Options; the defaults read like YOLOv5.
    public init(classNames: [String]? = nil, difficult: DifficultPolicy = .drop, vocSplits: VOCSplits = .yolov5,
                imageCheck: ImageCheck = .header) {
        self.classNames = classNames
        self.difficult = difficult
        self.vocSplits = vocSplits
        self.imageCheck = imageCheck
    }
}
