import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

@Suite struct LossGradientTests {
    /// Targets away from the assignment's thresholds (ratios near anchor_t, grid fractions near
    /// 0 or 0.5) and raw outputs in a moderate range, so that no IoU kink (a min/max switch) is
    /// within the step.
    static let targets = [
        DetectionTarget(image: 0, classIndex: 1, x: 0.31, y: 0.42, w: 0.2, h: 0.3),
        DetectionTarget(image: 0, classIndex: 2, x: 0.72, y: 0.63, w: 0.35, h: 0.22),
        DetectionTarget(image: 1, classIndex: 0, x: 0.47, y: 0.28, w: 0.12, h: 0.16),
        DetectionTarget(image: 1, classIndex: 3, x: 0.58, y: 0.77, w: 0.5, h: 0.4),
    ]

    @Test(arguments: [(0.0, 0.0, 1.0, 1.0), (0.1, 0.0, 0.631, 0.911), (0.0, 1.5, 1.0, 1.0)])
    func lossGradientMatchesFiniteDifferences(_ smoothing: Double, _ gamma: Double, _ clsPW: Double, _ objPW: Double) throws {
        let model = try tinyModel()  // nc 3: 8 outputs per anchor
        var settings = LossSettings(box: 0.05, obj: 1.0, cls: 0.5, clsPositiveWeight: clsPW, objPositiveWeight: objPW,
                                    anchorThreshold: 4, labelSmoothing: smoothing, focalGamma: gamma)
        settings.balance = [4.0, 1.0, 0.4]
        let loss = DetectionLoss(settings: settings)
        var rng = SeededGenerator(seed: 17)
        let raw = [64, 32, 16].map { Tensor.uniform(shape: [2, 3 * 8, $0 / 8, $0 / 8], in: -1.5...1.5, using: &rng) }
        let targets = Self.targets.map { DetectionTarget(image: $0.image, classIndex: $0.classIndex % 3, x: $0.x, y: $0.y, w: $0.w, h: $0.h) }
        let base = loss.compute(raw, targets: targets, detect: model.detect, holding: nil)
        #expect(base.matches.map(\.count).reduce(0, +) > 10)
        let check = checkDirectional(name: "loss ε=\(smoothing) γ=\(gamma)", tensors: raw, gradients: base.gradients,
                                     step: 1e-3, seed: 3) {
            loss.compute(raw, targets: targets, detect: model.detect, holding: base.constants).total
        }
        // Objectness targets and CIoU's α held, as autograd treats them. The loss is computed
        // in Double from Float32 logits and is smooth away from kinks: the 1e-3 step's error
        // is ~1e-6 relative.
        #expect(check.within(1e-4), "\(check)")
    }

    @Test func ciouGradientMatchesFiniteDifferences() {
        let cases: [((Double, Double, Double, Double), (Double, Double, Double, Double))] = [
            ((0.4, 0.6, 2.0, 1.5), (0.55, 0.47, 2.4, 1.2)),   // overlapping (no coincident edges: a kink)
            ((0.2, 0.3, 0.8, 3.0), (1.9, 0.1, 1.1, 0.9)),     // disjoint in x, different shapes
            ((0.5, 0.5, 1.0, 1.0), (3.5, 2.5, 1.0, 2.0)),     // disjoint: IoU 0, distance and shape terms
            ((1.0, 1.0, 0.5, 0.7), (1.05, 0.9, 2.0, 1.6)),    // prediction inside the target
        ]
        let h = 1e-6
        for (p, t) in cases {
            let base = CompleteIoU(prediction: p, target: t)
            func value(_ q: (Double, Double, Double, Double)) -> Double {
                CompleteIoU(prediction: q, target: t, fixedAlpha: base.alpha).value
            }
            let numeric = [
                (value((p.0 + h, p.1, p.2, p.3)) - value((p.0 - h, p.1, p.2, p.3))) / (2 * h),
                (value((p.0, p.1 + h, p.2, p.3)) - value((p.0, p.1 - h, p.2, p.3))) / (2 * h),
                (value((p.0, p.1, p.2 + h, p.3)) - value((p.0, p.1, p.2 - h, p.3))) / (2 * h),
                (value((p.0, p.1, p.2, p.3 + h)) - value((p.0, p.1, p.2, p.3 - h))) / (2 * h),
            ]
            let analytic = [base.gradient.x, base.gradient.y, base.gradient.w, base.gradient.h]
            for k in 0..<4 {
                // Double central differences with a 1e-6 step: error ~1e-9.
                #expect(abs(analytic[k] - numeric[k]) < 1e-7, "component \(k): \(analytic[k]) vs \(numeric[k])")
            }
        }
    }
}
