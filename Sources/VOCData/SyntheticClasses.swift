/// The visual primitives of the synthetic datasets and the classes each task builds from them.
///
/// A class is a (shape, colour family, texture) triple. The `voc` task's 20 classes and the
/// `source` task's 24 classes use disjoint (shape, colour) cells of the same 8 × 8 grid, so every
/// shape, colour and texture occurs in both tasks, but no class does: features of edges, colours,
/// textures and shape parts transfer, the conjunctions that name a class do not.
/// Experiments/SYNTHETIC_DATA.md explains the design.
public enum SyntheticTask: String, Sendable, CaseIterable {
    /// The 20 VOC class names, the target of the study.
    case voc
    /// A related pretraining task with 24 other classes (the stand-in for COCO).
    case source
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
    ///
    /// Cells are indexed by the colour offset d = (colour − shape) mod 8: `voc` uses d = 0 and 3
    /// for every shape and d = 5 for the first four shapes (20 cells); `source` uses d = 1, 4 and 6
    /// (24 cells). Textures cycle with (shape + colour) and differ between the tasks.
    var classes: [SyntheticClass] {
        var cells: [(SyntheticShape, SyntheticColour)] = []
        let offsets = self == .voc ? [0, 3, 5] : [1, 4, 6]
        for d in offsets {
            for s in SyntheticShape.allCases where !(self == .voc && d == 5 && s.rawValue >= 4) {
                cells.append((s, SyntheticColour(rawValue: (s.rawValue + d) % 8)!))
            }
        }
        return cells.enumerated().map { i, cell in
            let texture = SyntheticTexture(rawValue: (cell.0.rawValue + cell.1.rawValue + (self == .voc ? 0 : 1)) % 4)!
            let name = self == .voc ? vocClassNames[i] : "\(cell.1.name)-\(cell.0.name)-\(texture.name)"
            return SyntheticClass(name: name, shape: cell.0, colour: cell.1, texture: texture)
        }
    }

    /// The class names of the task.
    public var classNames: [String] { classes.map(\.name) }
}
