/// A 3×3 homogeneous transform of pixel coordinates, row-major (`x' = m[0]·x + m[1]·y + m[2]`, …).
public struct Transform2D: Equatable, Sendable {
    /// The 9 entries, row-major.
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
/// Like OpenCV, sub-pixel positions are quantised to 1/32 px and blended with integer weights.
public enum AffineWarp {
    /// OpenCV's `INTER_BITS`: 5 bits of sub-pixel position.
    static let subpixelBits = 5
    /// Fractional bits of the running source position in the affine loop (16: drift < 0.01 px over a row).
    static let positionBits = 16

    /// Warps `source` by `transform` into a `width × height` image.
    public static func warp(_ source: RGBImage, _ transform: Transform2D, width: Int, height: Int,
                            fill: UInt8 = paddingGrey) -> RGBImage {
        let inv = transform.inverse.m
        var out = [UInt8](repeating: fill, count: width * height * 3)
        source.pixels.withUnsafeBufferPointer { srcBuffer in
            out.withUnsafeMutableBufferPointer { dstBuffer in
                let sampler = Sampler(src: srcBuffer.baseAddress!, width: source.width, height: source.height, border: Int32(fill))
                let dst = dstBuffer.baseAddress!
                if transform.isAffine {
                    // Source position in 16.16 fixed point, stepped by integer additions along a row.
                    let one = Double(1 << positionBits), shift = positionBits - subpixelBits
                    let stepX = Int((inv[0] * one).rounded()), stepY = Int((inv[3] * one).rounded())
                    for y in 0..<height {
                        var px = Int(((inv[1] * Double(y) + inv[2]) * one).rounded())
                        var py = Int(((inv[4] * Double(y) + inv[5]) * one).rounded())
                        var o = y * width * 3
                        for _ in 0..<width {
                            sampler.sample(px >> shift, py >> shift, into: dst + o)
                            px &+= stepX
                            py &+= stepY
                            o &+= 3
                        }
                    }
                } else {
                    let one = Double(1 << subpixelBits)
                    for y in 0..<height {
                        for x in 0..<width {
                            let (xd, yd) = (Double(x), Double(y))
                            let w = inv[6] * xd + inv[7] * yd + inv[8]
                            let sx = (inv[0] * xd + inv[1] * yd + inv[2]) / w, sy = (inv[3] * xd + inv[4] * yd + inv[5]) / w
                            guard sx.isFinite, sy.isFinite, abs(sx) < 1e6, abs(sy) < 1e6 else { continue }
                            sampler.sample(Int((sx * one).rounded(.down)), Int((sy * one).rounded(.down)), into: dst + (y * width + x) * 3)
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Bilinear sampling of an RGB buffer at a position given in 1/32 px.
    private struct Sampler {
        let src: UnsafePointer<UInt8>
        let width: Int
        let height: Int
        let border: Int32

        /// Writes the sample at (qx, qy)/32 to `dst[0…2]`; leaves `dst` (the fill colour) alone when
        /// all four neighbours are outside the source.
        @inline(__always)
        func sample(_ qx: Int, _ qy: Int, into dst: UnsafeMutablePointer<UInt8>) {
            let bits = AffineWarp.subpixelBits, scale = Int32(1 << bits)
            let ix = qx >> bits, iy = qy >> bits
            guard ix >= -1, iy >= -1, ix < width, iy < height else { return }
            let ax = Int32(truncatingIfNeeded: qx & (1 << bits - 1)), ay = Int32(truncatingIfNeeded: qy & (1 << bits - 1))
            // Weights sum to 32² = 1024, hence the rounding shift by 10.
            let w00 = (scale &- ax) &* (scale &- ay), w01 = ax &* (scale &- ay), w10 = (scale &- ax) &* ay, w11 = ax &* ay
            if ix >= 0 && iy >= 0 && ix &+ 1 < width && iy &+ 1 < height {
                let p = src + (iy &* width &+ ix) &* 3, q = p + width &* 3
                for c in 0..<3 {
                    let v = Int32(p[c]) &* w00 &+ Int32(p[c &+ 3]) &* w01 &+ Int32(q[c]) &* w10 &+ Int32(q[c &+ 3]) &* w11
                    dst[c] = UInt8(truncatingIfNeeded: (v &+ 512) >> 10)
                }
            } else {
                for c in 0..<3 {
                    let v = at(ix, iy, c) &* w00 &+ at(ix &+ 1, iy, c) &* w01 &+ at(ix, iy &+ 1, c) &* w10 &+ at(ix &+ 1, iy &+ 1, c) &* w11
                    dst[c] = UInt8(truncatingIfNeeded: (v &+ 512) >> 10)
                }
            }
        }

        /// Channel `c` of pixel (x, y), or the border colour outside the image.
        @inline(__always)
        private func at(_ x: Int, _ y: Int, _ c: Int) -> Int32 {
            (x >= 0 && y >= 0 && x < width && y < height) ? Int32(src[(y &* width &+ x) &* 3 &+ c]) : border
        }
    }
}
