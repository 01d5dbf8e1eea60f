/// How a task composes its scenes: how many objects, how large, how busy the background.
///
/// `voc` keeps the values the generator has always used. `source` differs from it the way COCO
/// differs from VOC (Experiments/SYNTHETIC_DATA.md): more objects per image (COCO 7.3, VOC 2.5),
/// smaller ones (COCO: 41 % under 32² px), busier non-iconic backgrounds, and no objects marked
/// difficult (COCO annotates every instance).
struct SyntheticSceneStyle: Equatable {
    /// Objects per image: 1 + ⌊maximumObjects · u^countSkew⌋ (capped), u uniform in [0, 1).
    var maximumObjects: Int
    var countSkew: Float
    /// Object size as a fraction of the image's long side, drawn log-uniformly.
    var sizeRange: ClosedRange<Float>
    /// Share of images with one extra tiny object marked difficult.
    var tinyProbability: Float
    /// Clutter items per image: minimum + uniform draw below `clutterSpread`.
    var clutterMinimum: Int
    var clutterSpread: UInt64
    /// Cells per side of the background's coarse value-noise grid.
    var noiseGrid: Int

    /// The `voc` (and `source-disjoint`) scenes: 1–8 objects (mean ≈ 3.6), 7–55 % of the long
    /// side, a quarter of the images with a tiny difficult object, 8–25 clutter items, a 6 × 6 grid.
    static let voc = SyntheticSceneStyle(maximumObjects: 8, countSkew: 1.6, sizeRange: 0.07...0.55, tinyProbability: 0.25,
                                         clutterMinimum: 8, clutterSpread: 18, noiseGrid: 6)

    /// The `source` scenes: 1–12 objects (mean ≈ 6), 5–45 % of the long side, nothing marked
    /// difficult, 16–40 clutter items, a 10 × 10 grid.
    static let source = SyntheticSceneStyle(maximumObjects: 12, countSkew: 1.2, sizeRange: 0.05...0.45, tinyProbability: 0,
                                            clutterMinimum: 16, clutterSpread: 25, noiseGrid: 10)
}
