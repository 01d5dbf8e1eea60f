import Foundation

/// Complete IoU between a predicted and a target box in centre/size form, and its gradient
/// with respect to the prediction, as YOLOv5 v7 `bbox_iou(..., CIoU=True)` (utils/metrics.py):
/// CIoU = IoU − ρ²/c² − α·v with v = (4/π²)(atan(w2/h2) − atan(w1/h1))² and
/// α = v / (v − IoU + 1 + ε) held constant (computed under `no_grad`).
struct CompleteIoU {
    /// YOLOv5 v7's ε in IoU, union and enclosing diagonal.
    static let epsilon: Double = 1e-7

    let value: Double
    /// d CIoU / d (x1, y1, w1, h1) of the prediction.
    let gradient: (x: Double, y: Double, w: Double, h: Double)

    /// α as used (a constant for the gradient).
    let alpha: Double

    /// CIoU of `p` against `t`; `fixedAlpha` replaces the computed α (a finite-difference check
    /// holds it, as autograd does).
    init(prediction p: (x: Double, y: Double, w: Double, h: Double), target t: (x: Double, y: Double, w: Double, h: Double),
         fixedAlpha: Double? = nil) {
        let eps = Self.epsilon
        let (p1x, p2x, p1y, p2y) = (p.x - p.w / 2, p.x + p.w / 2, p.y - p.h / 2, p.y + p.h / 2)
        let (t1x, t2x, t1y, t2y) = (t.x - t.w / 2, t.x + t.w / 2, t.y - t.h / 2, t.y + t.h / 2)

        // Intersection; d/d of the prediction's corners (subgradients as torch.min/max/clamp).
        let iwRaw = min(p2x, t2x) - max(p1x, t1x), ihRaw = min(p2y, t2y) - max(p1y, t1y)
        let iw = max(iwRaw, 0), ih = max(ihRaw, 0)
        let diwdp2x: Double = iwRaw >= 0 && p2x <= t2x ? 1 : 0
        let diwdp1x: Double = iwRaw >= 0 && p1x >= t1x ? -1 : 0
        let dihdp2y: Double = ihRaw >= 0 && p2y <= t2y ? 1 : 0
        let dihdp1y: Double = ihRaw >= 0 && p1y >= t1y ? -1 : 0
        let inter = iw * ih
        let union = p.w * p.h + t.w * t.h - inter + eps
        let iou = inter / union

        // Enclosing box diagonal and centre distance.
        let cw = max(p2x, t2x) - min(p1x, t1x), ch = max(p2y, t2y) - min(p1y, t1y)
        let c2 = cw * cw + ch * ch + eps
        let dx = t1x + t2x - p1x - p2x, dy = t1y + t2y - p1y - p2y
        let rho2 = (dx * dx + dy * dy) / 4
        let atanDifference = atan(t.w / t.h) - atan(p.w / p.h)
        let v = 4 / (Double.pi * Double.pi) * atanDifference * atanDifference
        let alpha = fixedAlpha ?? v / (v - iou + (1 + eps))
        self.alpha = alpha
        value = iou - (rho2 / c2 + v * alpha)

        // d inter / d corners, then d iou = (d inter · union − inter · d union) / union².
        let dInter = (p1x: diwdp1x * ih, p2x: diwdp2x * ih, p1y: dihdp1y * iw, p2y: dihdp2y * iw)
        func dIoU(dInterValue: Double, dArea: Double) -> Double {
            (dInterValue * union - inter * (dArea - dInterValue)) / (union * union)
        }
        // Corners move with the centre (both) and with the size (±½).
        let dIoUdx = dIoU(dInterValue: dInter.p1x + dInter.p2x, dArea: 0)
        let dIoUdy = dIoU(dInterValue: dInter.p1y + dInter.p2y, dArea: 0)
        let dIoUdw = dIoU(dInterValue: (dInter.p2x - dInter.p1x) / 2, dArea: p.h)
        let dIoUdh = dIoU(dInterValue: (dInter.p2y - dInter.p1y) / 2, dArea: p.w)

        // ρ²/c²: d ρ² / d p1x = d ρ² / d p2x = −dx/2; c² through the enclosing extremes.
        let dcwdp2x: Double = p2x >= t2x ? 1 : 0, dcwdp1x: Double = p1x <= t1x ? -1 : 0
        let dchdp2y: Double = p2y >= t2y ? 1 : 0, dchdp1y: Double = p1y <= t1y ? -1 : 0
        func dRatio(dRho2: Double, dC2: Double) -> Double { (dRho2 * c2 - rho2 * dC2) / (c2 * c2) }
        let dRatiodx = dRatio(dRho2: -dx, dC2: 2 * cw * (dcwdp1x + dcwdp2x))
        let dRatiody = dRatio(dRho2: -dy, dC2: 2 * ch * (dchdp1y + dchdp2y))
        let dRatiodw = dRatio(dRho2: 0, dC2: 2 * cw * (dcwdp2x - dcwdp1x) / 2)
        let dRatiodh = dRatio(dRho2: 0, dC2: 2 * ch * (dchdp2y - dchdp1y) / 2)

        // v: d atan(w/h)/dw = h/(w² + h²), d/dh = −w/(w² + h²); α is a constant.
        let k = 4 / (Double.pi * Double.pi) * 2 * atanDifference * alpha
        let norm = p.w * p.w + p.h * p.h
        let dVdw = k * -(p.h / norm), dVdh = k * (p.w / norm)

        gradient = (dIoUdx - dRatiodx, dIoUdy - dRatiody, dIoUdw - dRatiodw - dVdw, dIoUdh - dRatiodh - dVdh)
    }
}
