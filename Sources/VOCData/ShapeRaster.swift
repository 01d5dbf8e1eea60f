import Foundation

/// Rasterising helpers of the synthetic scenes: shape membership, textures and colours.
enum ShapeRaster {
    /// Whether object-local point (u, v) lies inside `shape` (the shape spans [−1, 1]²).
    @inline(__always)
    static func contains(_ shape: SyntheticShape, _ u: Float, _ v: Float) -> Bool {
        switch shape {
        case .disc: return u * u + v * v <= 1
        case .square: return abs(u) <= 0.9 && abs(v) <= 0.9
        case .triangle: return v <= 0.85 && v >= -1 && abs(u) <= (v + 1) * 0.55
        case .diamond: return abs(u) + abs(v) <= 1
        case .cross: return (abs(u) <= 0.32 && abs(v) <= 1) || (abs(v) <= 0.32 && abs(u) <= 1)
        case .ring:
            let r2 = u * u + v * v
            return r2 <= 1 && r2 >= 0.3
        case .star:
            let r = (u * u + v * v).squareRoot()
            guard r <= 1 else { return false }
            // Five points: the radius limit swings between 1 and 0.45 with the angle.
            let a = atan2f(u, -v) * 5 / (2 * Float.pi)
            let t = abs(a - a.rounded()) * 2  // 0 at a point, 1 between points
            return r <= 1 - 0.55 * t
        case .crescent:
            let dx = u - 0.45, dy = v + 0.15
            return u * u + v * v <= 1 && dx * dx + dy * dy >= 0.62
        }
    }

    /// The blend weight (0 = base colour, 1 = pattern colour) of `texture` at (u, v).
    @inline(__always)
    static func pattern(_ texture: SyntheticTexture, _ u: Float, _ v: Float) -> Float {
        switch texture {
        case .solid: return 0
        case .stripes: return Int(((u + v) * 2.2 + 8).rounded(.down)) % 2 == 0 ? 1 : 0
        case .checker: return (Int((u * 2 + 8).rounded(.down)) + Int((v * 2 + 8).rounded(.down))) % 2 == 0 ? 1 : 0
        case .dots:
            let x = u * 2.5 - (u * 2.5).rounded(), y = v * 2.5 - (v * 2.5).rounded()
            return x * x + y * y < 0.09 ? 1 : 0
        }
    }

    /// RGB of a hue in degrees, saturation and value in 0…1.
    static func rgb(hue: Float, saturation s: Float, value v: Float) -> (Float, Float, Float) {
        var h = hue.truncatingRemainder(dividingBy: 360)
        if h < 0 { h += 360 }
        let c = v * s, x = c * (1 - abs((h / 60).truncatingRemainder(dividingBy: 2) - 1)), m = v - c
        let (r, g, b): (Float, Float, Float)
        switch Int(h / 60) {
        case 0: (r, g, b) = (c, x, 0)
        case 1: (r, g, b) = (x, c, 0)
        case 2: (r, g, b) = (0, c, x)
        case 3: (r, g, b) = (0, x, c)
        case 4: (r, g, b) = (x, 0, c)
        default: (r, g, b) = (c, 0, x)
        }
        return ((r + m) * 255, (g + m) * 255, (b + m) * 255)
    }
}
