import Foundation
import NeuralCore

/// One object of a synthetic image as it will be annotated.
struct SyntheticObject {
    var classIndex: Int
    /// Visible extent, 0-based pixel columns/rows, inclusive.
    var minX: Int, minY: Int, maxX: Int, maxY: Int
    var difficult: Bool
    var truncated: Bool
    var occluded: Bool
}

/// Paints one synthetic image: a shaded, noisy background with desaturated clutter, then class
/// objects of varied scale that may occlude each other (never more than half of an earlier
/// object), sometimes one tiny object marked difficult; how many, how large and how busy is the
/// task's `SyntheticSceneStyle`. Boxes are the visible extent, as VOC annotates them.
struct SyntheticScene {
    /// Tiny difficult objects: fraction of the long side.
    static let tinyRange: ClosedRange<Float> = 0.025...0.045
    /// An earlier object must keep this share of its pixels visible when a later one is placed.
    static let minimumVisibleShare: Float = 0.5

    let classes: [SyntheticClass]
    let width: Int
    let height: Int
    var pixels: [Float]
    var owner: [UInt8]  // 0 = background, k = object k − 1
    var painted: [Int] = []
    var visible: [Int] = []
    var objects: [(classIndex: Int, difficult: Bool, truncated: Bool)] = []

    /// Paints a scene of `width × height` in `style`, drawing classes with `picker`, with `rng`.
    init(classes: [SyntheticClass], picker: SyntheticClassPicker, style: SyntheticSceneStyle, width: Int, height: Int,
         using rng: inout SeededGenerator) {
        self.classes = classes
        self.width = width
        self.height = height
        pixels = [Float](repeating: 0, count: width * height * 3)
        owner = [UInt8](repeating: 0, count: width * height)
        paintBackground(grid: style.noiseGrid, using: &rng)
        paintClutter(items: style.clutterMinimum + Int(SampleSeeds.below(style.clutterSpread, using: &rng)), using: &rng)
        let count = 1 + min(Int(Float(style.maximumObjects) * pow(rng.uniform(0, 1), style.countSkew)), style.maximumObjects - 1)
        let long = Float(max(width, height))
        for _ in 0..<count {
            let cls = picker.pick(using: &rng)
            let size = exp(rng.uniform(log(style.sizeRange.lowerBound), log(style.sizeRange.upperBound))) * long
            placeObject(cls, size: size, difficult: false, using: &rng)
        }
        if rng.uniform(0, 1) < style.tinyProbability {
            let cls = picker.pick(using: &rng)
            placeObject(cls, size: rng.uniform(Self.tinyRange.lowerBound, Self.tinyRange.upperBound) * long,
                        difficult: true, using: &rng)
        }
    }

    /// The image, rounded to 8 bits.
    var image: RGBImage {
        RGBImage(width: width, height: height, pixels: pixels.map { UInt8(min(max($0 + 0.5, 0), 255)) })
    }

    /// The annotated objects with their visible boxes (objects left with fewer than 4 × 4 visible pixels are omitted).
    var annotations: [SyntheticObject] {
        var boxes = [(minX: Int, minY: Int, maxX: Int, maxY: Int)](repeating: (Int.max, Int.max, -1, -1), count: objects.count)
        for y in 0..<height {
            for x in 0..<width {
                let k = Int(owner[y * width + x])
                guard k > 0 else { continue }
                boxes[k - 1] = (min(boxes[k - 1].minX, x), min(boxes[k - 1].minY, y), max(boxes[k - 1].maxX, x), max(boxes[k - 1].maxY, y))
            }
        }
        return objects.enumerated().compactMap { i, object in
            let b = boxes[i]
            guard b.maxX - b.minX >= 3, b.maxY - b.minY >= 3 else { return nil }
            return SyntheticObject(classIndex: object.classIndex, minX: b.minX, minY: b.minY, maxX: b.maxX, maxY: b.maxY,
                                   difficult: object.difficult, truncated: object.truncated,
                                   occluded: Float(visible[i]) < 0.85 * Float(painted[i]))
        }
    }

    /// A two-colour gradient of low saturation with coarse value noise (`grid` × `grid` cells) and fine grain.
    private mutating func paintBackground(grid: Int, using rng: inout SeededGenerator) {
        let a = ShapeRaster.rgb(hue: rng.uniform(0, 360), saturation: rng.uniform(0, 0.3), value: rng.uniform(0.3, 0.85))
        let b = ShapeRaster.rgb(hue: rng.uniform(0, 360), saturation: rng.uniform(0, 0.3), value: rng.uniform(0.3, 0.85))
        let angle = rng.uniform(0, 2 * Float.pi)
        let (dx, dy) = (cos(angle), sin(angle))
        let noise = (0..<((grid + 1) * (grid + 1))).map { _ in rng.uniform(-22, 22) }
        var grain = rng.next()
        let (w, h) = (Float(width), Float(height))
        pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<height {
                let gy = Float(y) / h * Float(grid)
                let iy = min(Int(gy), grid - 1), fy = gy - Float(iy)
                for x in 0..<width {
                    let t = min(max(0.5 + ((Float(x) / w - 0.5) * dx + (Float(y) / h - 0.5) * dy), 0), 1)
                    let gx = Float(x) / w * Float(grid)
                    let ix = min(Int(gx), grid - 1), fx = gx - Float(ix)
                    let n00 = noise[iy * (grid + 1) + ix], n01 = noise[iy * (grid + 1) + ix + 1]
                    let n10 = noise[(iy + 1) * (grid + 1) + ix], n11 = noise[(iy + 1) * (grid + 1) + ix + 1]
                    let n = (n00 * (1 - fx) + n01 * fx) * (1 - fy) + (n10 * (1 - fx) + n11 * fx) * fy
                    grain = grain &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    let g = Float(Int(grain >> 59)) - 16  // −16…15, fine grain
                    let o = (y * width + x) * 3
                    p[o] = a.0 + (b.0 - a.0) * t + n + g * 0.4
                    p[o + 1] = a.1 + (b.1 - a.1) * t + n + g * 0.4
                    p[o + 2] = a.2 + (b.2 - a.2) * t + n + g * 0.4
                }
            }
        }
    }

    /// `items` thin line segments and small dull blobs that belong to no class.
    private mutating func paintClutter(items: Int, using rng: inout SeededGenerator) {
        let long = Float(max(width, height))
        for _ in 0..<items {
            let colour = ShapeRaster.rgb(hue: rng.uniform(0, 360), saturation: rng.uniform(0, 0.3), value: rng.uniform(0.15, 0.95))
            let cx = rng.uniform(0, Float(width)), cy = rng.uniform(0, Float(height))
            if rng.uniform(0, 1) < 0.55 {
                let length = rng.uniform(0.05, 0.35) * long, angle = rng.uniform(0, Float.pi)
                let half = rng.uniform(0.5, 1.6)
                fill(cx: cx, cy: cy, a: length / 2, b: half, angle: angle) { u, v in abs(u) <= 1 && abs(v) <= 1 ? colour : nil }
            } else {
                let r = rng.uniform(0.015, 0.06) * long
                fill(cx: cx, cy: cy, a: r, b: r * rng.uniform(0.5, 1), angle: rng.uniform(0, Float.pi)) { u, v in
                    u * u + v * v <= 1 ? colour : nil
                }
            }
        }
    }

    /// Paints `shade(u, v)` (nil = transparent) over the rotated rectangle of half sizes a, b.
    private mutating func fill(cx: Float, cy: Float, a: Float, b: Float, angle: Float,
                               _ shade: (Float, Float) -> (Float, Float, Float)?) {
        let (c, s) = (cos(angle), sin(angle))
        let ex = abs(a * c) + abs(b * s), ey = abs(a * s) + abs(b * c)
        let x0 = max(Int(cx - ex), 0), x1 = min(Int(cx + ex) + 1, width - 1)
        let y0 = max(Int(cy - ey), 0), y1 = min(Int(cy + ey) + 1, height - 1)
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                let dx = Float(x) + 0.5 - cx, dy = Float(y) + 0.5 - cy
                guard let rgb = shade((dx * c + dy * s) / a, (-dx * s + dy * c) / b) else { continue }
                let o = (y * width + x) * 3
                (pixels[o], pixels[o + 1], pixels[o + 2]) = rgb
            }
        }
    }
}
