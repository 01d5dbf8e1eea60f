/// An axis-aligned box in pixels, corners `(x1, y1)` top-left and `(x2, y2)` bottom-right.
///
/// Coordinates are continuous 0-based pixel positions, the frame YOLOv5 uses once labels are
/// de-normalised (`xywhn2xyxy`). A VOC `bndbox` (1-based corners) becomes
/// `(xmin − 1, ymin − 1, xmax − 1, ymax − 1)`, which is exactly what YOLOv5's VOC conversion
/// (`x = ((xmin + xmax)/2 − 1)/w`, `w = (xmax − xmin)/w`) encodes, so a VOC tree and its YOLO
/// conversion give the same boxes.
public struct BoxXYXY: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Left edge.
    public var x1: Float
    /// Top edge.
    public var y1: Float
    /// Right edge.
    public var x2: Float
    /// Bottom edge.
    public var y2: Float

    /// A box from its corners.
    public init(x1: Float, y1: Float, x2: Float, y2: Float) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// A box from a centre and a size (YOLO's `cx cy w h`, here in pixels).
    public init(cx: Float, cy: Float, w: Float, h: Float) {
        self.init(x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2)
    }

    /// x2 − x1 (negative for an inverted box).
    public var width: Float { x2 - x1 }
    /// y2 − y1.
    public var height: Float { y2 - y1 }
    /// Width × height, 0 for an empty or inverted box.
    public var area: Float { max(0, width) * max(0, height) }
    /// Centre x.
    public var centerX: Float { (x1 + x2) / 2 }
    /// Centre y.
    public var centerY: Float { (y1 + y2) / 2 }

    /// The box clipped to `[0, width] × [0, height]`.
    public func clipped(width: Float, height: Float) -> BoxXYXY {
        BoxXYXY(x1: min(max(x1, 0), width), y1: min(max(y1, 0), height),
                x2: min(max(x2, 0), width), y2: min(max(y2, 0), height))
    }

    /// The box scaled by `(sx, sy)` and then shifted by `(dx, dy)`.
    public func scaled(_ sx: Float, _ sy: Float, dx: Float = 0, dy: Float = 0) -> BoxXYXY {
        BoxXYXY(x1: x1 * sx + dx, y1: y1 * sy + dy, x2: x2 * sx + dx, y2: y2 * sy + dy)
    }

    public var description: String { "(\(x1), \(y1), \(x2), \(y2))" }
}
