import NeuralCore

/// A ground-truth box of a batch, normalised to the network input like YOLOv5's batch targets
/// `(image, class, x, y, w, h)`.
public struct DetectionTarget: Equatable, Sendable {
    public var image: Int
    public var classIndex: Int
    /// Centre and size in 0…1 of the input width and height.
    public var x: Float, y: Float, w: Float, h: Float

    public init(image: Int, classIndex: Int, x: Float, y: Float, w: Float, h: Float) {
        self.image = image
        self.classIndex = classIndex
        self.x = x; self.y = y; self.w = w; self.h = h
    }
}

/// One prediction cell assigned to a target at one level (a row of YOLOv5's `build_targets`).
public struct Match: Equatable, Sendable {
    public var image: Int, anchor: Int, gridY: Int, gridX: Int
    public var classIndex: Int
    /// Target box: centre offset from the (clamped) cell and size, in grid units.
    public var box: (x: Float, y: Float, w: Float, h: Float)
    /// The matched anchor, in grid units.
    public var anchorSize: (w: Float, h: Float)

    public static func == (a: Match, b: Match) -> Bool {
        a.image == b.image && a.anchor == b.anchor && a.gridY == b.gridY && a.gridX == b.gridX
            && a.classIndex == b.classIndex && a.box == b.box && a.anchorSize == b.anchorSize
    }
}

/// YOLOv5 v7 `ComputeLoss.build_targets` (utils/loss.py), for one level of `ny`×`nx` cells.
///
/// A target pairs with every anchor whose width and height ratios stay below `anchorThreshold`
/// (`anchor_t`); each pair takes its own cell plus the nearer x and y neighbours
/// (g = 0.5 offsets), cells are clamped to the grid, and the box is stored relative to the
/// clamped cell. Matches come in YOLOv5's order: offset group, then anchor, then target.
public func assignTargets(_ targets: [DetectionTarget], anchors: [(w: Float, h: Float)],
                          gridHeight ny: Int, gridWidth nx: Int, anchorThreshold: Float) -> [Match] {
    let g: Float = 0.5  // neighbour-cell bias (YOLOv5 `g = 0.5`)
    // off = [[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]] · g
    let offsets: [(Float, Float)] = [(0, 0), (g, 0), (0, g), (-g, 0), (0, -g)]
    struct Pair { let target: DetectionTarget; let anchor: Int; let gx, gy, gw, gh: Float }
    var pairs: [Pair] = []
    for (a, anchor) in anchors.enumerated() {
        for t in targets {
            let (gx, gy, gw, gh) = (t.x * Float(nx), t.y * Float(ny), t.w * Float(nx), t.h * Float(ny))
            let rw = gw / anchor.w, rh = gh / anchor.h
            if max(max(rw, 1 / rw), max(rh, 1 / rh)) < anchorThreshold {
                pairs.append(Pair(target: t, anchor: a, gx: gx, gy: gy, gw: gw, gh: gh))
            }
        }
    }
    var matches: [Match] = []
    for (group, offset) in offsets.enumerated() {
        for p in pairs {
            let (ix, iy) = (Float(nx) - p.gx, Float(ny) - p.gy)  // gxi: distance from the far edge
            let selected: Bool
            switch group {
            case 0: selected = true
            case 1: selected = fraction(p.gx) < g && p.gx > 1
            case 2: selected = fraction(p.gy) < g && p.gy > 1
            case 3: selected = fraction(ix) < g && ix > 1
            default: selected = fraction(iy) < g && iy > 1
            }
            guard selected else { continue }
            // `.long()` truncates towards zero; both operands are positive here.
            let cx = min(max(Int(p.gx - offset.0), 0), nx - 1)
            let cy = min(max(Int(p.gy - offset.1), 0), ny - 1)
            matches.append(Match(image: p.target.image, anchor: p.anchor, gridY: cy, gridX: cx,
                                 classIndex: p.target.classIndex,
                                 box: (p.gx - Float(cx), p.gy - Float(cy), p.gw, p.gh),
                                 anchorSize: anchors[p.anchor]))
        }
    }
    return matches
}

/// x mod 1 for x ≥ 0 (Python's `%` for the non-negative values that occur here).
@inline(__always)
func fraction(_ x: Float) -> Float { x - x.rounded(.down) }
