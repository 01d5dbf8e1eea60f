import Foundation

/// A box with its class, in the pixels of the image it travels with through augmentation.
public struct LabeledBox: Equatable, Sendable {
    /// Index into the class names.
    public var classIndex: Int
    /// The box in the current image's pixels.
    public var box: BoxXYXY

    /// A labelled box.
    public init(classIndex: Int, box: BoxXYXY) {
        self.classIndex = classIndex
        self.box = box
    }
}

/// YOLOv5's `random_perspective` (utils/augmentations.py): a random rotation, scale, shear,
/// perspective and translation, applied to the pixels by a bilinear warp and to the boxes by
/// their four corners, followed by the `box_candidates` filter.
public enum RandomPerspective {
    /// YOLOv5's `box_candidates` thresholds (v7): sides above 2 px, area above 10 % of the
    /// scaled original, aspect ratio below 100.
    public static let minimumSide: Float = 2, minimumAreaRatio: Float = 0.1, maximumAspectRatio: Float = 100

    /// The random matrix `M = T·S·R·P·C` for an input of `width × height` and an output of
    /// `outWidth × outHeight`, and the random scale `s` (for the candidate filter).
    public static func randomTransform<R: RandomNumberGenerator>(
        width: Int, height: Int, outWidth: Int, outHeight: Int, settings: AugmentationSettings, using rng: inout R
    ) -> (matrix: Transform2D, scale: Double) {
        func uniform(_ bound: Float) -> Double { bound == 0 ? 0 : Double.random(in: -Double(bound)...Double(bound), using: &rng) }
        // C: image centre to the origin.
        let c = Transform2D([1, 0, -Double(width) / 2, 0, 1, -Double(height) / 2, 0, 0, 1])
        // P: perspective.
        let p = Transform2D([1, 0, 0, 0, 1, 0, uniform(settings.perspective), uniform(settings.perspective), 1])
        // R: rotation and scale about the origin, OpenCV's getRotationMatrix2D convention.
        let angle = uniform(settings.degrees) * Double.pi / 180
        let s = settings.scale == 0 ? 1 : Double.random(in: (1 - Double(settings.scale))...(1 + Double(settings.scale)), using: &rng)
        let alpha = s * cos(angle), beta = s * sin(angle)
        let r = Transform2D([alpha, beta, 0, -beta, alpha, 0, 0, 0, 1])
        // S: shear in x and y.
        let shx = tan(uniform(settings.shear) * Double.pi / 180), shy = tan(uniform(settings.shear) * Double.pi / 180)
        let sh = Transform2D([1, shx, 0, shy, 1, 0, 0, 0, 1])
        // T: translation to U(0.5 ± translate) of the output size.
        let tx = (0.5 + uniform(settings.translate)) * Double(outWidth)
        let ty = (0.5 + uniform(settings.translate)) * Double(outHeight)
        let t = Transform2D([1, 0, tx, 0, 1, ty, 0, 0, 1])
        return (t * sh * r * p * c, s)
    }

    /// Applies a random perspective to `image` and `labels`. `border` is YOLOv5's border: −s/2 after
    /// a mosaic (a 2s canvas gives an s output), 0 otherwise.
    public static func apply<R: RandomNumberGenerator>(_ image: RGBImage, labels: [LabeledBox], border: Int,
                                                       settings: AugmentationSettings, using rng: inout R)
        -> (image: RGBImage, labels: [LabeledBox]) {
        let outW = image.width + 2 * border, outH = image.height + 2 * border
        let (m, s) = randomTransform(width: image.width, height: image.height, outWidth: outW, outHeight: outH,
                                     settings: settings, using: &rng)
        let warped = (border != 0 || m != .identity) ? AffineWarp.warp(image, m, width: outW, height: outH) : image
        return (warped, transform(labels, by: m, scale: s, width: outW, height: outH))
    }

    /// Boxes through `m`: min/max of the four transformed corners, clipped to the output, kept by the
    /// candidate filter against the original box scaled by `scale`.
    public static func transform(_ labels: [LabeledBox], by m: Transform2D, scale: Double, width: Int, height: Int) -> [LabeledBox] {
        labels.compactMap { label in
            let b = label.box
            let corners = [(b.x1, b.y1), (b.x2, b.y2), (b.x1, b.y2), (b.x2, b.y1)].map { m.apply(Double($0.0), Double($0.1)) }
            let moved = BoxXYXY(x1: Float(corners.map(\.x).min()!), y1: Float(corners.map(\.y).min()!),
                                x2: Float(corners.map(\.x).max()!), y2: Float(corners.map(\.y).max()!))
                .clipped(width: Float(width), height: Float(height))
            let original = b.scaled(Float(scale), Float(scale))
            return isCandidate(before: original, after: moved) ? LabeledBox(classIndex: label.classIndex, box: moved) : nil
        }
    }

    /// YOLOv5's `box_candidates(box1, box2)`.
    public static func isCandidate(before: BoxXYXY, after: BoxXYXY) -> Bool {
        let eps: Float = 1e-16
        let (w1, h1, w2, h2) = (before.width, before.height, after.width, after.height)
        let aspect = max(w2 / (h2 + eps), h2 / (w2 + eps))
        return w2 > minimumSide && h2 > minimumSide && w2 * h2 / (w1 * h1 + eps) > minimumAreaRatio && aspect < maximumAspectRatio
    }
}
