/// The augmentation hyperparameters of a YOLOv5 hyp file (RECIPE.md §6, §8), under their hyp keys.
public struct AugmentationSettings: Equatable, Sendable {
    /// `hsv_h`: hue gain fraction.
    public var hsvH: Float
    /// `hsv_s`: saturation gain fraction.
    public var hsvS: Float
    /// `hsv_v`: value gain fraction.
    public var hsvV: Float
    /// `degrees`: rotation range ±degrees.
    public var degrees: Float
    /// `translate`: translation range ± fraction of the output size.
    public var translate: Float
    /// `scale`: scale range 1 ± scale.
    public var scale: Float
    /// `shear`: shear range ±degrees.
    public var shear: Float
    /// `perspective`: perspective range ±value (0…0.001).
    public var perspective: Float
    /// `flipud`: probability of an up-down flip.
    public var flipUD: Float
    /// `fliplr`: probability of a left-right flip.
    public var flipLR: Float
    /// `mosaic`: probability of a 4-image mosaic.
    public var mosaic: Float
    /// `mixup`: probability of mixing in a second mosaic.
    public var mixup: Float

    /// Settings from explicit values.
    public init(hsvH: Float, hsvS: Float, hsvV: Float, degrees: Float, translate: Float, scale: Float, shear: Float,
                perspective: Float, flipUD: Float, flipLR: Float, mosaic: Float, mixup: Float) {
        self.hsvH = hsvH
        self.hsvS = hsvS
        self.hsvV = hsvV
        self.degrees = degrees
        self.translate = translate
        self.scale = scale
        self.shear = shear
        self.perspective = perspective
        self.flipUD = flipUD
        self.flipLR = flipLR
        self.mosaic = mosaic
        self.mixup = mixup
    }

    /// Settings read from a hyp dictionary (`hyp["hsv_h"]`…); keys it lacks are 0 and listed in `missing`.
    public init(hyp: [String: Double], missing: inout [String]) {
        func value(_ key: String) -> Float {
            guard let v = hyp[key] else { missing.append(key); return 0 }
            return Float(v)
        }
        self.init(hsvH: value("hsv_h"), hsvS: value("hsv_s"), hsvV: value("hsv_v"), degrees: value("degrees"),
                  translate: value("translate"), scale: value("scale"), shear: value("shear"),
                  perspective: value("perspective"), flipUD: value("flipud"), flipLR: value("fliplr"),
                  mosaic: value("mosaic"), mixup: value("mixup"))
    }

    /// No augmentation at all.
    public static let none = AugmentationSettings(hsvH: 0, hsvS: 0, hsvV: 0, degrees: 0, translate: 0, scale: 0, shear: 0,
                                                  perspective: 0, flipUD: 0, flipLR: 0, mosaic: 0, mixup: 0)

    /// YOLOv5 v7's default `hyp.scratch-low.yaml`.
    public static let scratchLow = AugmentationSettings(hsvH: 0.015, hsvS: 0.7, hsvV: 0.4, degrees: 0, translate: 0.1,
                                                        scale: 0.5, shear: 0, perspective: 0, flipUD: 0, flipLR: 0.5,
                                                        mosaic: 1, mixup: 0)

    /// The guide's `hyp.finetune.yaml`.
    public static let finetune = AugmentationSettings(hsvH: 0.0138, hsvS: 0.664, hsvV: 0.464, degrees: 0.373,
                                                      translate: 0.245, scale: 0.898, shear: 0.602, perspective: 0,
                                                      flipUD: 0.00856, flipLR: 0.5, mosaic: 1, mixup: 0.243)
}
