/// Per-class average precision of one run (`…/seeds/<seed>/per_class`), one entry per class.
public struct PerClassAP: Equatable, Sendable {
    /// Class names, in class-index order.
    public var names: [String]
    /// AP@0.5 per class (NaN for a class without validation labels).
    public var ap50: [Double]
    /// AP@0.5:0.95 per class.
    public var ap50to95: [Double]
    /// Validation labels per class.
    public var nLabels: [Int]
    /// The 0-based epoch whose model was evaluated (e.g. the best epoch, like YOLOv5's final
    /// validation of best.pt), if the caller says.
    public var epoch: Int?

    /// Per-class AP; every array has one entry per class.
    public init(names: [String], ap50: [Double], ap50to95: [Double], nLabels: [Int], epoch: Int? = nil) {
        self.names = names
        self.ap50 = ap50
        self.ap50to95 = ap50to95
        self.nLabels = nLabels
        self.epoch = epoch
    }

    /// Equal when names, counts and epoch are equal and APs are equal or both NaN.
    public static func == (a: PerClassAP, b: PerClassAP) -> Bool {
        a.names == b.names && a.nLabels == b.nLabels && a.epoch == b.epoch
            && a.ap50.count == b.ap50.count && zip(a.ap50, b.ap50).allSatisfy(sameValue)
            && a.ap50to95.count == b.ap50to95.count && zip(a.ap50to95, b.ap50to95).allSatisfy(sameValue)
    }
}
