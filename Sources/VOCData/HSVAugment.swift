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
        guard count > 0 else { return }
        let tables = HSVTables.shared
        image.pixels.withUnsafeMutableBufferPointer { buffer in
            lutH.withUnsafeBufferPointer { lh in
                lutS.withUnsafeBufferPointer { ls in
                    lutV.withUnsafeBufferPointer { lv in
                        tables.withPointers { t in
                            let p = buffer.baseAddress!
                            // Runs of one colour (padding, flat backgrounds) are converted once.
                            var last: (UInt8, UInt8, UInt8) = (p[0] &+ 1, 0, 0), result: (UInt8, UInt8, UInt8) = (0, 0, 0)
                            for i in 0..<count {
                                let q = p + i * 3
                                let r = q[0], g = q[1], b = q[2]
                                if r != last.0 || g != last.1 || b != last.2 {
                                    last = (r, g, b)
                                    let hsv = rgbToHSV(r, g, b, t)
                                    result = hsvToRGB(lh[Int(hsv.h)], ls[Int(hsv.s)], lv[Int(hsv.v)], t)
                                }
                                q[0] = result.0
                                q[1] = result.1
                                q[2] = result.2
                            }
                        }
                    }
                }
            }
        }
    }

    /// OpenCV `RGB2HSV_b` with a hue range of 180.
    static func rgbToHSV(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> (h: UInt8, s: UInt8, v: UInt8) {
        HSVTables.shared.withPointers { rgbToHSV(r, g, b, $0) }
    }

    /// OpenCV `HSV2RGB_b` with a hue range of 180.
    static func hsvToRGB(_ h: UInt8, _ s: UInt8, _ v: UInt8) -> (r: UInt8, g: UInt8, b: UInt8) {
        let rgb = HSVTables.shared.withPointers { hsvToRGB(h, s, v, $0) }
        return (rgb.0, rgb.1, rgb.2)
    }

    @inline(__always)
    private static func rgbToHSV(_ r8: UInt8, _ g8: UInt8, _ b8: UInt8, _ t: HSVTables.Pointers) -> (h: UInt8, s: UInt8, v: UInt8) {
        let r = Int32(r8), g = Int32(g8), b = Int32(b8)
        let v = max(r, g, b), vmin = min(r, g, b)
        let diff = v - vmin
        let half: Int32 = 1 << 11
        let s = (diff * t.saturationDivisors[Int(v)] + half) >> 12
        // OpenCV's branch-free selection: vr, vg are all-ones masks when v is r (or g).
        let vr: Int32 = v == r ? -1 : 0, vg: Int32 = v == g ? -1 : 0
        var h = (vr & (g - b)) + (~vr & ((vg & (b - r + 2 * diff)) + (~vg & (r - g + 4 * diff))))
        h = (h * t.hueDivisors[Int(diff)] + half) >> 12
        h += (h >> 31) & 180
        return (UInt8(truncatingIfNeeded: h), UInt8(truncatingIfNeeded: s), UInt8(truncatingIfNeeded: v))
    }

    /// HSV → RGB with OpenCV's sectors: tab = (v, v(1 − s), v(1 − s·f), v(1 − s(1 − f))), rounded, in
    /// integer arithmetic (f in 1/4096); the sector picks which entry is R, G and B (OpenCV's
    /// `sector_data`), here as byte shifts into the four packed entries.
    @inline(__always)
    private static func hsvToRGB(_ h8: UInt8, _ s8: UInt8, _ v8: UInt8, _ t: HSVTables.Pointers) -> (UInt8, UInt8, UInt8) {
        let v = UInt32(v8), s = UInt32(s8), f = UInt32(t.fraction[Int(h8)])
        let d: UInt32 = 255 << 12
        let t1 = (v &* (255 &- s) &+ 127) / 255
        let t2 = (v &* (d &- s &* f) &+ d / 2) / d
        let t3 = (v &* (d &- s &* (4096 &- f)) &+ d / 2) / d
        let packed = v | t1 << 8 | t2 << 16 | t3 << 24
        let shifts = t.shifts[Int(h8)]
        return (UInt8(truncatingIfNeeded: packed >> (shifts & 31)), UInt8(truncatingIfNeeded: packed >> ((shifts >> 8) & 31)),
                UInt8(truncatingIfNeeded: packed >> ((shifts >> 16) & 31)))
    }
}

/// Look-up tables of the 8-bit HSV conversions, built once.
final class HSVTables: @unchecked Sendable {
    struct Pointers {
        /// OpenCV's `sdiv_table`: round((255 << 12) / v).
        var saturationDivisors: UnsafePointer<Int32>
        /// OpenCV's `hdiv_table180`: round((180 << 12) / (6·diff)).
        var hueDivisors: UnsafePointer<Int32>
        /// Position of each 8-bit hue within its sector (H·6/180 − sector), in 1/4096.
        var fraction: UnsafePointer<UInt16>
        /// Bit shifts selecting R, G, B (bytes 0, 1, 2) from the packed (t0, t1, t2, t3) of each hue's sector.
        var shifts: UnsafePointer<UInt32>
    }

    static let shared = HSVTables()
    private let saturationDivisors: [Int32] = (0..<256).map { $0 == 0 ? 0 : Int32((Double(255 << 12) / Double($0)).rounded()) }
    private let hueDivisors: [Int32] = (0..<256).map { $0 == 0 ? 0 : Int32((Double(180 << 12) / (6 * Double($0))).rounded()) }
    private let fraction: [UInt16]
    private let shifts: [UInt32]

    private init() {
        // For each sector, the tab entries of R, G and B (OpenCV's sector_data lists them as {b, g, r}:
        // {1,3,0} {1,0,2} {3,0,1} {0,2,1} {0,1,3} {2,1,0}).
        let picks: [[UInt32]] = [[0, 3, 1], [2, 0, 1], [1, 0, 3], [1, 2, 0], [3, 1, 0], [0, 1, 2]]
        var fraction = [UInt16](repeating: 0, count: 256), shifts = [UInt32](repeating: 0, count: 256)
        for h in 0..<256 {
            var x = Double(h) * 6 / 180
            while x >= 6 { x -= 6 }
            let sector = Int(x)
            fraction[h] = UInt16(((x - Double(sector)) * 4096).rounded())
            let p = picks[sector]
            shifts[h] = (p[0] * 8) | (p[1] * 8) << 8 | (p[2] * 8) << 16
        }
        self.fraction = fraction
        self.shifts = shifts
    }

    func withPointers<T>(_ body: (Pointers) -> T) -> T {
        saturationDivisors.withUnsafeBufferPointer { sd in
            hueDivisors.withUnsafeBufferPointer { hd in
                fraction.withUnsafeBufferPointer { fr in
                    shifts.withUnsafeBufferPointer { sh in
                        body(Pointers(saturationDivisors: sd.baseAddress!, hueDivisors: hd.baseAddress!,
                                      fraction: fr.baseAddress!, shifts: sh.baseAddress!))
                    }
                }
            }
        }
    }
}
