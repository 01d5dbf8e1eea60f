/// YOLOv5's `augment_hsv`: random gains on hue, saturation and value in OpenCV's 8-bit HSV
/// (H in [0, 180)), applied through look-up tables, then back to RGB.
///
/// The colour conversions follow OpenCV's `RGB2HSV_b` (integer, 12-bit fixed-point division
/// tables) and `HSV2RGB_b` (float sectors, rounded), so the result matches `cv2.cvtColor`.
public enum HSVAugment {
    /// The gains `1 + U(−1, 1)·(hsv_h, hsv_s, hsv_v)`.
    public static func randomGains<R: RandomNumberGenerator>(_ settings: AugmentationSettings, using rng: inout R)
        -> (h: Float, s: Float, v: Float) {
        let draws = (0..<3).map { _ in Float.random(in: -1..<1, using: &rng) }
        return (1 + draws[0] * settings.hsvH, 1 + draws[1] * settings.hsvS, 1 + draws[2] * settings.hsvV)
    }

    /// Applies `gains` to `image` in place.
    public static func apply(_ image: inout RGBImage, gains: (h: Float, s: Float, v: Float)) {
        // LUTs as YOLOv5 builds them: x·g, hue mod 180, saturation and value clipped, cast to uint8.
        var lutH = [UInt8](repeating: 0, count: 256), lutS = lutH, lutV = lutH
        for x in 0..<256 {
            let hx = Float(x) * gains.h
            lutH[x] = UInt8(Int(hx.truncatingRemainder(dividingBy: 180) + (hx < 0 ? 180 : 0)) % 180)
            lutS[x] = UInt8(min(max(Float(x) * gains.s, 0), 255))
            lutV[x] = UInt8(min(max(Float(x) * gains.v, 0), 255))
        }
        let count = image.width * image.height
        image.pixels.withUnsafeMutableBufferPointer { buffer in
            lutH.withUnsafeBufferPointer { lh in
                lutS.withUnsafeBufferPointer { ls in
                    lutV.withUnsafeBufferPointer { lv in
                        let p = buffer.baseAddress!
                        for i in 0..<count {
                            let q = p + i * 3
                            let hsv = rgbToHSV(q[0], q[1], q[2])
                            let rgb = hsvToRGB(lh[Int(hsv.h)], ls[Int(hsv.s)], lv[Int(hsv.v)])
                            q[0] = rgb.r
                            q[1] = rgb.g
                            q[2] = rgb.b
                        }
                    }
                }
            }
        }
    }

    private static let shift = 12
    /// OpenCV's `sdiv_table`: round((255 << 12) / v).
    private static let saturationDivisors: [Int32] = (0..<256).map { $0 == 0 ? 0 : Int32((Double(255 << shift) / Double($0)).rounded()) }
    /// OpenCV's `hdiv_table180`: round((180 << 12) / (6·diff)).
    private static let hueDivisors: [Int32] = (0..<256).map { $0 == 0 ? 0 : Int32((Double(180 << shift) / (6 * Double($0))).rounded()) }

    /// OpenCV `RGB2HSV_b` with a hue range of 180.
    @inline(__always)
    static func rgbToHSV(_ r8: UInt8, _ g8: UInt8, _ b8: UInt8) -> (h: UInt8, s: UInt8, v: UInt8) {
        let r = Int32(r8), g = Int32(g8), b = Int32(b8)
        let v = max(r, g, b), vmin = min(r, g, b)
        let diff = v - vmin
        let half: Int32 = 1 << (shift - 1)
        let s = (diff * saturationDivisors[Int(v)] + half) >> Int32(shift)
        var h: Int32
        if v == r { h = g - b } else if v == g { h = b - r + 2 * diff } else { h = r - g + 4 * diff }
        h = (h * hueDivisors[Int(diff)] + half) >> Int32(shift)
        if h < 0 { h += 180 }
        return (UInt8(min(max(h, 0), 255)), UInt8(min(max(s, 0), 255)), UInt8(v))
    }

    /// OpenCV `HSV2RGB_b` with a hue range of 180.
    @inline(__always)
    static func hsvToRGB(_ h8: UInt8, _ s8: UInt8, _ v8: UInt8) -> (r: UInt8, g: UInt8, b: UInt8) {
        let v = Float(v8) * (1 / 255), s = Float(s8) * (1 / 255)
        var r = v, g = v, b = v
        if s != 0 {
            var h = Float(h8) * (6 / 180)
            while h >= 6 { h -= 6 }
            var sector = Int(h)
            h -= Float(sector)
            if sector >= 6 { sector = 0; h = 0 }
            let t0 = v, t1 = v * (1 - s), t2 = v * (1 - s * h), t3 = v * (1 - s * (1 - h))
            switch sector {  // OpenCV's sector_data {b, g, r}: {1,3,0} {1,0,2} {3,0,1} {0,2,1} {0,1,3} {2,1,0}
            case 0: b = t1; g = t3; r = t0
            case 1: b = t1; g = t0; r = t2
            case 2: b = t3; g = t0; r = t1
            case 3: b = t0; g = t2; r = t1
            case 4: b = t0; g = t1; r = t3
            default: b = t2; g = t1; r = t0
            }
        }
        return (UInt8(min(max(r * 255 + 0.5, 0), 255)), UInt8(min(max(g * 255 + 0.5, 0), 255)),
                UInt8(min(max(b * 255 + 0.5, 0), 255)))
    }
}
