import Foundation
import NeuralCore

extension SyntheticScene {
    /// Tries up to 12 placements of an object of class `cls` whose long extent is about `size`
    /// pixels; keeps the first that leaves every earlier object at least half visible (a tiny
    /// difficult object must not touch any). Objects may reach past the image edge (truncated).
    mutating func placeObject(_ cls: Int, size: Float, difficult: Bool, using rng: inout SeededGenerator) {
        let look = classes[cls]
        for _ in 0..<12 {
            let aspect = rng.uniform(0.7, 1.4)
            let a = max(size / 2 * aspect.squareRoot(), 2), b = max(size / 2 / aspect.squareRoot(), 2)
            let angle = rng.uniform(-20, 20) * Float.pi / 180
            func centre(_ extent: Float, _ side: Int) -> Float {
                let lo = extent * 0.4, hi = Float(side) - extent * 0.4
                return lo < hi ? rng.uniform(lo, hi) : Float(side) / 2
            }
            let cx = centre(a, width), cy = centre(b, height)
            let mask = rasterise(look.shape, cx: cx, cy: cy, a: a, b: b, angle: angle)
            guard mask.indices.count >= 16 else { continue }
            var covered = [Int](repeating: 0, count: objects.count)
            for i in mask.indices where owner[i] > 0 { covered[Int(owner[i]) - 1] += 1 }
            let fits = difficult
                ? covered.allSatisfy { $0 == 0 }
                : covered.indices.allSatisfy { Float(visible[$0] - covered[$0]) >= Self.minimumVisibleShare * Float(painted[$0]) }
            guard fits else { continue }
            paint(look, mask: mask, using: &rng)
            for k in covered.indices { visible[k] -= covered[k] }
            objects.append((cls, difficult, mask.outside > 0))
            painted.append(mask.indices.count)
            visible.append(mask.indices.count)
            return
        }
    }

    /// Pixels of a shape: their indices inside the image with object-local (u, v), and how many fell outside.
    private func rasterise(_ shape: SyntheticShape, cx: Float, cy: Float, a: Float, b: Float, angle: Float)
        -> (indices: [Int], u: [Float], v: [Float], outside: Int) {
        let (c, s) = (cos(angle), sin(angle))
        let ex = abs(a * c) + abs(b * s), ey = abs(a * s) + abs(b * c)
        var indices: [Int] = [], us: [Float] = [], vs: [Float] = []
        var outside = 0
        for y in Int((cy - ey).rounded(.down))...Int((cy + ey).rounded(.up)) {
            for x in Int((cx - ex).rounded(.down))...Int((cx + ex).rounded(.up)) {
                let dx = Float(x) + 0.5 - cx, dy = Float(y) + 0.5 - cy
                let u = (dx * c + dy * s) / a, v = (-dx * s + dy * c) / b
                guard ShapeRaster.contains(shape, u, v) else { continue }
                if x < 0 || y < 0 || x >= width || y >= height { outside += 1; continue }
                indices.append(y * width + x)
                us.append(u)
                vs.append(v)
            }
        }
        return (indices, us, vs, outside)
    }

    /// Colours the pixels of an accepted object: its family's hue (jittered), its texture, and a
    /// soft light from above.
    private mutating func paint(_ look: SyntheticClass, mask: (indices: [Int], u: [Float], v: [Float], outside: Int),
                                using rng: inout SeededGenerator) {
        let hue = look.colour.hue + rng.uniform(-8, 8)
        let saturation = rng.uniform(0.6, 1), value = rng.uniform(0.6, 1)
        let base = ShapeRaster.rgb(hue: hue, saturation: saturation, value: value)
        let accent = look.texture == .dots
            ? ShapeRaster.rgb(hue: hue, saturation: saturation * 0.2, value: 1)
            : ShapeRaster.rgb(hue: hue, saturation: saturation, value: value * 0.45)
        let id = UInt8(objects.count + 1)
        for (n, i) in mask.indices.enumerated() {
            let t = ShapeRaster.pattern(look.texture, mask.u[n], mask.v[n])
            let light = 0.85 - 0.15 * mask.v[n]
            let o = i * 3
            pixels[o] = (base.0 + (accent.0 - base.0) * t) * light
            pixels[o + 1] = (base.1 + (accent.1 - base.1) * t) * light
            pixels[o + 2] = (base.2 + (accent.2 - base.2) * t) * light
            owner[i] = id
        }
    }
}
