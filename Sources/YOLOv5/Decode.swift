import Foundation
import NeuralCore

extension Detect {
    /// Decoded predictions [N, rows, no] from raw outputs, as YOLOv5's eval-mode Detect: σ on
    /// every field; x = (2σ(tx) − 0.5 + cx)·s, y likewise, w = (2σ(tw))²·aw, h likewise (anchor
    /// in pixels); rows by level, then anchor, then y, then x (RECIPE.md §2).
    public func decode(_ raw: [Tensor]) -> Tensor {
        precondition(raw.count == levels, "Detect.decode: \(raw.count) outputs for \(levels) levels")
        let (na, no) = (anchorsPerLevel, outputsPerAnchor)
        let n = raw[0].n
        let rows = raw.map { na * $0.h * $0.w }.reduce(0, +)
        let out = Tensor(uninitializedShape: [n, rows, no])
        var rowOffset = 0
        for (level, t) in raw.enumerated() {
            precondition(t.shape == [n, na * no, t.h, t.w], "Detect.decode: level \(level) shape \(t.shape)")
            let (ny, nx, stride) = (t.h, t.w, strides[level])
            let pixels = ny * nx
            let offset = rowOffset
            parallelFor(n * na, costPerItem: pixels * no) { jobs in
                for job in jobs {
                    let (b, a) = job.quotientAndRemainder(dividingBy: na)
                    let anchorW = anchors.data[(level * na + a) * 2] * stride
                    let anchorH = anchors.data[(level * na + a) * 2 + 1] * stride
                    let src = t.data + (b * na * no + a * no) * pixels
                    for p in 0..<pixels {
                        let (y, x) = p.quotientAndRemainder(dividingBy: nx)
                        let dst = out.data + (b * rows + offset + a * pixels + p) * no
                        for k in 0..<no { dst[k] = sigmoid(src[k * pixels + p]) }
                        dst[0] = (dst[0] * 2 - 0.5 + Float(x)) * stride
                        dst[1] = (dst[1] * 2 - 0.5 + Float(y)) * stride
                        dst[2] = (dst[2] * 2) * (dst[2] * 2) * anchorW
                        dst[3] = (dst[3] * 2) * (dst[3] * 2) * anchorH
                    }
                }
            }
            rowOffset += na * pixels
        }
        return out
    }
}

/// 1 / (1 + e^−x).
@inline(__always)
public func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }
