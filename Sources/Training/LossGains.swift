import YOLOv5

/// The loss gains as the user wrote them and as train.py makes them effective (v7:
/// `hyp['box'] *= 3 / nl`, `hyp['cls'] *= nc / 80 * 3 / nl`, `hyp['obj'] *= (imgsz / 640) ** 2 * 3 / nl`).
/// Both are kept and recorded; nothing is rewritten in place.
public struct LossGains: Equatable, Sendable {
    public let userBox: Double, userObj: Double, userCls: Double
    public let box: Double, obj: Double, cls: Double

    /// The effective gains for `levels` detection levels, `classes` classes and square images of `imageSize`.
    public init(_ hyp: Hyperparameters, levels: Int, classes: Int, imageSize: Int) {
        userBox = hyp.box
        userObj = hyp.obj
        userCls = hyp.cls
        let levelFactor = 3 / Double(levels)
        box = hyp.box * levelFactor
        cls = hyp.cls * Double(classes) / 80 * levelFactor
        obj = hyp.obj * pow2(Double(imageSize) / 640) * levelFactor
    }

    /// The loss settings ComputeLoss sees for a model with `levels` detection levels.
    public func lossSettings(_ hyp: Hyperparameters, levels: Int = 3) -> LossSettings {
        var settings = LossSettings(box: box, obj: obj, cls: cls, clsPositiveWeight: hyp.clsPositiveWeight,
                                    objPositiveWeight: hyp.objPositiveWeight, anchorThreshold: hyp.anchorThreshold,
                                    labelSmoothing: hyp.labelSmoothing, focalGamma: hyp.focalGamma)
        settings.balance = LossSettings.balance(levels: levels)
        return settings
    }
}

private func pow2(_ x: Double) -> Double { x * x }
