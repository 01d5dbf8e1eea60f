/// The numbers the YOLOv5 guide "Transfer Learning with Frozen Layers" reports, shown beside
/// ours. Its setup: YOLOv5m from COCO weights on Pascal VOC, 50 epochs, `--img 512 --batch 48
/// --hyp hyp.finetune.yaml`, one V100. It reports GPU memory and utilisation only as charts
/// (less of both with more frozen), so there are no numbers for them here.
public enum GuideReference {
    /// One scenario of the guide: final mAPs and total training time.
    public struct Row: Equatable, Sendable {
        /// The FreezeStudy scenario it corresponds to.
        public let scenario: String
        /// How the guide describes it.
        public let description: String
        public let map50: Double, map50to95: Double
        /// Total training time as the guide states it (2h06m = 7560 s).
        public let trainingSeconds: Double
    }

    /// The guide's setup in one line, for the report.
    public static let setup = "YOLOv5m, COCO weights → Pascal VOC, 50 epochs, img 512, batch 48, hyp.finetune.yaml, one V100 GPU"

    public static let none = Row(scenario: "none", description: "no freezing (default)", map50: 0.892, map50to95: 0.682,
                                 trainingSeconds: 2 * 3600 + 6 * 60)
    public static let backbone = Row(scenario: "backbone", description: "freeze backbone (layers 0-9)", map50: 0.890, map50to95: 0.676,
                                     trainingSeconds: 1 * 3600 + 37 * 60)
    public static let allButDetect = Row(scenario: "all-but-detect", description: "freeze all but Detect (layers 0-23)",
                                         map50: 0.851, map50to95: 0.633, trainingSeconds: 1 * 3600 + 40 * 60)

    /// The guide's three scenarios, baseline first.
    public static let rows = [none, backbone, allButDetect]

    /// The guide's row for a scenario of that name.
    public static func row(for scenario: String) -> Row? { rows.first { $0.scenario == scenario } }

    /// The guide's relative change of a metric against its `none` (backbone mAP@0.5: −0.2 %).
    public static func relativeChange(_ row: Row, _ metric: KeyPath<Row, Double>) -> Double {
        row[keyPath: metric] / none[keyPath: metric] - 1
    }

    /// The guide's speed-up in training time against `none` (backbone: 7560 s ÷ 5820 s = 1.30×).
    public static func speedUp(_ row: Row) -> Double { none.trainingSeconds / row.trainingSeconds }
}
