/// A 3×3 homogeneous transform of pixel coordinates, row-major (`x' = m[0]·x + m[1]·y + m[2]`, …).
public struct Transform2D: Equatable, Sendable {
    public var m: [Double]

    /// A transform from its 9 row-major entries.
    public init(_ m: [Double]) {
        precondition(m.count == 9, "Transform2D: 9 entries, got \(m.count)")
        self.m = m
    }

    /// The identity.
    public static let identity = Transform2D([1, 0, 0, 0, 1, 0, 0, 0, 1])

    /// Whether the last row is (0, 0, 1).
    public var isAffine: Bool { m[6] == 0 && m[7] == 0 && m[8] == 1 }

    /// `self · other` (apply `other` first).
    public static func * (a: Transform2D, b: Transform2D) -> Transform2D {
        var r = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { r[i * 3 + j] = (0..<3).reduce(0) { $0 + a.m[i * 3 + $1] * b.m[$1 * 3 + j] } } }
        return Transform2D(r)
    }

    /// The image of point `(x, y)`.
    public func apply(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        let w = m[6] * x + m[7] * y + m[8]
        return ((m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w)
    }

    /// The inverse transform (adjugate over determinant).
    public var inverse: Transform2D {
        let a = m
        let c00 = a[4] * a[8] - a[5] * a[7], c01 = a[5] * a[6] - a[3] * a[8], c02 = a[3] * a[7] - a[4] * a[6]
        let det = a[0] * c00 + a[1] * c01 + a[2] * c02
        precondition(det != 0, "Transform2D: singular matrix \(a)")
        let inv = [c00, a[2] * a[7] - a[1] * a[8], a[1] * a[5] - a[2] * a[4],
                   c01, a[0] * a[8] - a[2] * a[6], a[2] * a[3] - a[0] * a[5],
                   c02, a[1] * a[6] - a[0] * a[7], a[0] * a[4] - a[1] * a[3]]
        return Transform2D(inv.map { $0 / det })
    }
}

/// `cv2.warpAffine` / `cv2.warpPerspective` with bilinear interpolation and a constant border:
/// output pixel (x, y) samples the source at `M⁻¹·(x, y)`; source pixels outside the image read as `fill`.
public enum AffineWarp {
    /// Warps `source` by `transform` into a `width × height` image.
    public static func warp(_ source: RGBImage, _ transform: Transform2D, width: Int, height: Int,
                            fill: UInt8 = paddingGrey) -> RGBImage {
        let inv = transform.inverse.m
        let (sw, sh) = (source.width, source.height)
        let border = Float(fill)
        var out = [UInt8](repeating: fill, count: width * height * 3)
        let affine = transform.isAffine
        source.pixels.withUnsafeBufferPointer { srcBuffer in
            out.withUnsafeMutableBufferPointer { dstBuffer in
                let src = srcBuffer.baseAddress!, dst = dstBuffer.baseAddress!
                // Reads channel `c` of source pixel (x, y), or the border colour outside the image.
                @inline(__always) func at(_ x: Int, _ y: Int, _ c: Int) -> Float {
                    (x >= 0 && y >= 0 && x < sw && y < sh) ? Float(src[(y * sw + x) * 3 + c]) : border
                }
                for y in 0..<height {
                    let yd = Double(y)
                    var o = y * width * 3
                    for x in 0..<width {
                        let xd = Double(x)
                        var sx = inv[0] * xd + inv[1] * yd + inv[2]
                        var sy = inv[3] * xd + inv[4] * yd + inv[5]
                        if !affine {
                            let w = inv[6] * xd + inv[7] * yd + inv[8]
                            let invW = w != 0 ? 1 / w : 0
                            sx *= invW
                            sy *= invW
                        }
                        defer { o += 3 }
                        guard sx > -1, sy > -1, sx < Double(sw), sy < Double(sh) else { continue }
                        let fx0 = sx.rounded(.down), fy0 = sy.rounded(.down)
                        let ix = Int(fx0), iy = Int(fy0)
                        let fx = Float(sx - fx0), fy = Float(sy - fy0)
                        let w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy
                        if ix >= 0 && iy >= 0 && ix + 1 < sw && iy + 1 < sh {
                            let p = src + (iy * sw + ix) * 3, q = p + sw * 3
                            dst[o] = UInt8(Float(p[0]) * w00 + Float(p[3]) * w01 + Float(q[0]) * w10 + Float(q[3]) * w11 + 0.5)
                            dst[o + 1] = UInt8(Float(p[1]) * w00 + Float(p[4]) * w01 + Float(q[1]) * w10 + Float(q[4]) * w11 + 0.5)
                            dst[o + 2] = UInt8(Float(p[2]) * w00 + Float(p[5]) * w01 + Float(q[2]) * w10 + Float(q[5]) * w11 + 0.5)
                        } else {
                            for c in 0..<3 {
                                let v = at(ix, iy, c) * w00 + at(ix + 1, iy, c) * w01 + at(ix, iy + 1, c) * w10 + at(ix + 1, iy + 1, c) * w11
                                dst[o + c] = UInt8(min(max(v + 0.5, 0), 255))
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
