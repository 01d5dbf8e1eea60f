/// The visual primitives of the synthetic datasets and the classes each task builds from them.
///
/// A class is a (shape, colour family, texture) triple. `voc` has the 20 VOC classes; `source`
/// (the stand-in for COCO) has 80: those same 20, looking the same, plus 60 others, in COCO's
/// order and with COCO's class frequencies, as COCO's 80 classes contain VOC's 20.
/// `source-disjoint` is the earlier stand-in: 24 classes that share no (shape, colour) cell with
/// `voc`. Experiments/SYNTHETIC_DATA.md explains the design.
public enum SyntheticTask: String, Sendable, CaseIterable {
    /// The 20 VOC class names, the target of the study.
    case voc
    /// The pretraining task: `voc`'s 20 classes and 60 others, with COCO's class frequencies and
    /// busier scenes (the stand-in for COCO).
    case source
    /// The earlier pretraining task: 24 classes disjoint from `voc`'s, in `voc`'s scenes (kept to
    /// compare with; its output is byte for byte what `source` wrote before the superset design).
    case sourceDisjoint = "source-disjoint"
}

/// A silhouette, tested in object-local coordinates (u, v) ∈ [−1, 1]².
enum SyntheticShape: Int, CaseIterable {
    case disc, square, triangle, diamond, cross, ring, star, crescent

    var name: String { ["disc", "square", "triangle", "diamond", "cross", "ring", "star", "crescent"][rawValue] }
}

/// A surface pattern, drawn in object-local coordinates so it turns and scales with the object.
enum SyntheticTexture: Int, CaseIterable {
    case solid, stripes, checker, dots

    var name: String { ["solid", "stripes", "checker", "dots"][rawValue] }
}

/// A colour family: a hue in degrees, jittered per object; saturation and value are always high,
/// which keeps objects apart from the desaturated clutter.
enum SyntheticColour: Int, CaseIterable {
    case red, orange, yellow, green, cyan, blue, purple, pink

    var name: String { ["red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink"][rawValue] }
    var hue: Float { [0, 30, 55, 120, 180, 225, 275, 320][rawValue] }
}

/// The look of one class.
struct SyntheticClass: Equatable {
    var name: String
    var shape: SyntheticShape
    var colour: SyntheticColour
    var texture: SyntheticTexture
}

extension SyntheticTask {
    /// The classes of the task, in index order.
    var classes: [SyntheticClass] {
        switch self {
        case .voc: return Self.vocClasses
        case .source: return SourceClasses.classes
        case .sourceDisjoint: return Self.disjointClasses
        }
    }

    /// The class names of the task.
    public var classNames: [String] { classes.map(\.name) }

    /// How often each class is drawn, relative to the others (nil: uniformly).
    var classWeights: [Int]? { self == .source ? SourceClasses.weights : nil }

    /// How the task's scenes are composed.
    var sceneStyle: SyntheticSceneStyle { self == .source ? .source : .voc }

    /// The cell of the 8 × 8 shape × colour grid with colour offset d = (colour − shape) mod 8.
    static func cell(_ shape: SyntheticShape, offset d: Int) -> (SyntheticShape, SyntheticColour) {
        (shape, SyntheticColour(rawValue: (shape.rawValue + d) % 8)!)
    }

    /// A look whose texture is (shape + colour + `textureShift`) mod 4.
    static func look(_ name: String?, _ cell: (SyntheticShape, SyntheticColour), textureShift: Int) -> SyntheticClass {
        let texture = SyntheticTexture(rawValue: (cell.0.rawValue + cell.1.rawValue + textureShift) % 4)!
        return SyntheticClass(name: name ?? "\(cell.1.name)-\(cell.0.name)-\(texture.name)", shape: cell.0, colour: cell.1,
                              texture: texture)
    }

    /// `voc`: offsets d = 0 and 3 for every shape, d = 5 for the first four shapes (20 cells), in
    /// that order, named by VOC's names; texture (shape + colour) mod 4.
    static let vocClasses: [SyntheticClass] = {
        let cells = [0, 3, 5].flatMap { d in
            SyntheticShape.allCases.filter { d != 5 || $0.rawValue < 4 }.map { cell($0, offset: d) }
        }
        return zip(vocClassNames, cells).map { look($0, $1, textureShift: 0) }
    }()

    /// `source-disjoint`: offsets d = 1, 4 and 6 for every shape (24 cells), texture
    /// (shape + colour + 1) mod 4, named by their look.
    static let disjointClasses: [SyntheticClass] = [1, 4, 6].flatMap { d in
        SyntheticShape.allCases.map { look(nil, cell($0, offset: d), textureShift: 1) }
    }
}
