import Foundation
import NeuralCore

/// The loss hyperparameters as ComputeLoss uses them: gains **after** train.py's scaling
/// (see `LossGains`), positive weights, the anchor ratio threshold, label smoothing and the
/// focal-loss γ.
public struct LossSettings: Equatable, Sendable {
    public var box: Double, obj: Double, cls: Double
    public var clsPositiveWeight: Double, objPositiveWeight: Double
    public var anchorThreshold: Double
    public var labelSmoothing: Double
    public var focalGamma: Double
    /// Objectness weight of each level (P3, P4, P5); YOLOv5's balance for three levels.
    public var balance: [Double] = [4.0, 1.0, 0.4]

    /// YOLOv5's `{3: [4.0, 1.0, 0.4]}.get(nl, [4.0, 1.0, 0.25, 0.06, 0.02])`.
    public static func balance(levels: Int) -> [Double] {
        levels == 3 ? [4.0, 1.0, 0.4] : Array([4.0, 1.0, 0.25, 0.06, 0.02].prefix(levels))
    }

    public init(box: Double, obj: Double, cls: Double, clsPositiveWeight: Double, objPositiveWeight: Double,
                anchorThreshold: Double, labelSmoothing: Double = 0, focalGamma: Double = 0) {
        self.box = box; self.obj = obj; self.cls = cls
        self.clsPositiveWeight = clsPositiveWeight; self.objPositiveWeight = objPositiveWeight
        self.anchorThreshold = anchorThreshold
        self.labelSmoothing = labelSmoothing
        self.focalGamma = focalGamma
    }
}

/// The loss of one batch: the total that is back-propagated, its three logged parts, and
/// dL(total)/d(raw outputs) per level.
public struct LossResult {
    /// (box·lbox + obj·lobj + cls·lcls) · batch size (what train.py back-propagates).
    public let total: Double
    /// The gained terms without the batch-size factor (train.py's logged box/obj/cls).
    public let box: Double, obj: Double, cls: Double
    /// dL/d(raw) per level, in the raw outputs' [N, na·no, ny, nx] layout.
    public let gradients: [Tensor]
    /// Matches per level (YOLOv5's `build_targets`), for inspection.
    public let matches: [[Match]]
    /// What autograd treats as constants, as used: objectness targets per level
    /// ([N·na·ny·nx], the detached, clamped CIoU) and each match's CIoU α.
    let constants: LossConstants
}

/// The parts of the loss that YOLOv5 computes under `no_grad` or `detach()`. A
/// finite-difference check holds them at their values to differentiate what autograd does.
struct LossConstants {
    var objectnessTargets: [[Float]] = []
    var alphas: [[Double]] = []
}

/// YOLOv5 v7 `ComputeLoss` (utils/loss.py) with its gradient computed in closed form.
public struct DetectionLoss {
    public let settings: LossSettings

    public init(settings: LossSettings) { self.settings = settings }

    /// Loss and gradient for raw outputs [N, na·no, ny, nx] per level and normalised targets.
    public func callAsFunction(_ raw: [Tensor], targets: [DetectionTarget], detect: Detect) -> LossResult {
        compute(raw, targets: targets, detect: detect, holding: nil)
    }

    /// The loss with autograd's constants optionally held at given values: per level, the
    /// targets are matched to anchors, then each term adds its loss and its gradient.
    func compute(_ raw: [Tensor], targets: [DetectionTarget], detect: Detect, holding held: LossConstants?) -> LossResult {
        precondition(raw.count <= settings.balance.count, "DetectionLoss: \(raw.count) levels, balance for \(settings.balance.count)")
        let batch = raw[0].n
        var lbox = 0.0, lobj = 0.0, lcls = 0.0
        var gradients: [Tensor] = []
        var allMatches: [[Match]] = []
        var used = LossConstants()
        for (level, output) in raw.enumerated() {
            let layout = LevelLayout(detect: detect, output: output)
            let na = layout.anchors
            let anchors = (0..<na).map { (w: detect.anchors.data[(level * na + $0) * 2], h: detect.anchors.data[(level * na + $0) * 2 + 1]) }
            let matches = assignTargets(targets, anchors: anchors, gridHeight: layout.height, gridWidth: layout.width,
                                        anchorThreshold: Float(settings.anchorThreshold))
            let gradient = Tensor(shape: output.shape)
            let boxMatches = boxTerm(output, matches, layout, fixedAlphas: held?.alphas[level], loss: &lbox, gradient: gradient)
            classTerm(output, matches, layout, classCount: detect.classCount, loss: &lcls, gradient: gradient)
            let objectnessTarget = held?.objectnessTargets[level] ?? objectnessTargets(matches, ious: boxMatches.ious, layout, batch: batch)
            lobj += objectnessTerm(output, objectnessTarget, level: level, layout, gradient: gradient)
            gradients.append(gradient)
            allMatches.append(matches)
            used.alphas.append(boxMatches.alphas)
            used.objectnessTargets.append(objectnessTarget)
        }
        let (box, obj, cls) = (settings.box * lbox, settings.obj * lobj, settings.cls * lcls)
        return LossResult(total: (box + obj + cls) * Double(batch), box: box, obj: obj, cls: cls,
                          gradients: gradients, matches: allMatches, constants: used)
    }

    /// The box term of one level: adds Σ (1 − CIoU) / n over its n matches into `loss`, and its
    /// gradient (times box gain and batch size) into the x, y, w, h outputs of each match.
    /// Returns each match's CIoU and α (`fixedAlphas` holds α at given values).
    func boxTerm(_ output: Tensor, _ matches: [Match], _ layout: LevelLayout, fixedAlphas: [Double]?,
                 loss: inout Double, gradient: Tensor) -> (ious: [Double], alphas: [Double]) {
        let n = Double(matches.count)
        let boxScale = settings.box * Double(output.n) / n
        var ious: [Double] = [], alphas: [Double] = []
        for (matchIndex, m) in matches.enumerated() {
            // pxy = 2σ − 0.5, pwh = (2σ)²·anchor, in grid units.
            let s = (0..<4).map { Double(sigmoid(output.data[layout.index(m, $0)])) }
            let prediction = (x: s[0] * 2 - 0.5, y: s[1] * 2 - 0.5,
                              w: pow(s[2] * 2, 2) * Double(m.anchorSize.w), h: pow(s[3] * 2, 2) * Double(m.anchorSize.h))
            let ciou = CompleteIoU(prediction: prediction,
                                   target: (Double(m.box.x), Double(m.box.y), Double(m.box.w), Double(m.box.h)),
                                   fixedAlpha: fixedAlphas?[matchIndex])
            ious.append(ciou.value)
            alphas.append(ciou.alpha)
            loss += (1 - ciou.value) / n
            let dPrediction = [ciou.gradient.x, ciou.gradient.y, ciou.gradient.w, ciou.gradient.h]
            let anchorSize = [1, 1, Double(m.anchorSize.w), Double(m.anchorSize.h)]
            for k in 0..<4 {
                let ds = s[k] * (1 - s[k])
                let dRaw = k < 2 ? 2 * ds : 8 * s[k] * ds * anchorSize[k]
                gradient.data[layout.index(m, k)] += Float(-dPrediction[k] * dRaw * boxScale)
            }
        }
        return (ious, alphas)
    }

    /// The class term of one level (none when nc = 1, as in YOLOv5): adds the mean BCE over the
    /// n × nc class outputs of the matches, with smoothed labels, into `loss`, and its gradient
    /// (times class gain and batch size) into those outputs.
    func classTerm(_ output: Tensor, _ matches: [Match], _ layout: LevelLayout, classCount nc: Int,
                   loss: inout Double, gradient: Tensor) {
        guard nc > 1 else { return }
        let positive = 1 - 0.5 * settings.labelSmoothing, negative = 0.5 * settings.labelSmoothing  // smooth_BCE
        let n = Double(matches.count)
        let clsScale = settings.cls * Double(output.n) / (n * Double(nc))
        for m in matches {
            for c in 0..<nc {
                let target = c == m.classIndex ? positive : negative
                let (elementLoss, dLoss) = bce(Double(output.data[layout.index(m, 5 + c)]), target, settings.clsPositiveWeight)
                loss += elementLoss / (n * Double(nc))
                gradient.data[layout.index(m, 5 + c)] += Float(dLoss * clsScale)
            }
        }
    }

    /// Objectness targets of one level, [N·na·ny·nx]: each matched cell's detached CIoU clamped
    /// at 0 (gr = 1), 0 elsewhere; where matches share a cell the last one wins, as in YOLOv5.
    func objectnessTargets(_ matches: [Match], ious: [Double], _ layout: LevelLayout, batch: Int) -> [Float] {
        var targets = [Float](repeating: 0, count: batch * layout.anchors * layout.pixels)
        for (m, iou) in zip(matches, ious) { targets[layout.cell(m)] = Float(max(iou, 0)) }
        return targets
    }

    /// The objectness term of one level: BCE over every cell, mean, times the level's balance
    /// (returned); its gradient (times objectness gain and batch size) is written into the
    /// objectness outputs.
    func objectnessTerm(_ output: Tensor, _ targets: [Float], level: Int, _ layout: LevelLayout, gradient: Tensor) -> Double {
        let (batch, na, pixels) = (output.n, layout.anchors, layout.pixels)
        let cells = Double(batch * na * pixels)
        let objScale = settings.balance[level] * settings.obj * Double(batch) / cells
        var levelObj = 0.0
        for image in 0..<batch {
            for a in 0..<na {
                let base = ((image * na + a) * layout.outputs + 4) * pixels
                for p in 0..<pixels {
                    let (loss, dLoss) = bce(Double(output.data[base + p]), Double(targets[(image * na + a) * pixels + p]),
                                            settings.objPositiveWeight)
                    levelObj += loss
                    gradient.data[base + p] = Float(dLoss * objScale)
                }
            }
        }
        return settings.balance[level] * levelObj / cells
    }

    /// BCE with logits and a positive weight (`nn.BCEWithLogitsLoss(pos_weight=pw)`), optionally
    /// focal (`FocalLoss`, α 0.25): the element loss and its derivative in x.
    func bce(_ x: Double, _ y: Double, _ pw: Double) -> (Double, Double) {
        // ℓ = −[pw·y·ln σ(x) + (1 − y)·ln(1 − σ(x))], with ln σ(x) = −softplus(−x) computed stably.
        let logSigmoid = -softplus(-x), logOneMinusSigmoid = -softplus(x)
        let s = 1 / (1 + exp(-x))
        let loss = -(pw * y * logSigmoid + (1 - y) * logOneMinusSigmoid)
        let dLoss = s * (pw * y + 1 - y) - pw * y
        let gamma = settings.focalGamma
        guard gamma > 0 else { return (loss, dLoss) }
        let alpha = 0.25  // FocalLoss default α
        let pT = y * s + (1 - y) * (1 - s)
        let alphaFactor = y * alpha + (1 - y) * (1 - alpha)
        let modulating = pow(1 - pT, gamma)
        let dPT = (2 * y - 1) * s * (1 - s)
        let dModulating = gamma * pow(1 - pT, gamma - 1) * -dPT
        return (loss * alphaFactor * modulating, alphaFactor * (dLoss * modulating + loss * dModulating))
    }
}

/// ln(1 + eˣ) without overflow.
@inline(__always)
func softplus(_ x: Double) -> Double { x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }

/// Where each output of one level sits in its raw tensor [N, na·no, ny, nx].
struct LevelLayout {
    /// na, no, ny, nx.
    let anchors: Int, outputs: Int, height: Int, width: Int
    var pixels: Int { height * width }

    init(detect: Detect, output: Tensor) {
        anchors = detect.anchorsPerLevel
        outputs = detect.outputsPerAnchor
        height = output.h
        width = output.w
    }

    /// Index of output `field` (x, y, w, h, objectness, classes…) at a match's anchor and cell.
    @inline(__always)
    func index(_ m: Match, _ field: Int) -> Int {
        ((m.image * anchors + m.anchor) * outputs + field) * pixels + m.gridY * width + m.gridX
    }

    /// Index of a match's anchor and cell in a per-cell array [N·na·ny·nx].
    @inline(__always)
    func cell(_ m: Match) -> Int { (m.image * anchors + m.anchor) * pixels + m.gridY * width + m.gridX }
}
