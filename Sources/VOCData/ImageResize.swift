/// Image resizing as OpenCV's `cv2.resize` does it for 8-bit RGB: bilinear (`INTER_LINEAR`, pixel
/// centres aligned, edges clamped) and pixel-area averaging (`INTER_AREA`, for shrinking).
public enum ImageResize {
    /// The interpolation of a resize.
    public enum Method: Sendable {
        /// OpenCV `INTER_LINEAR`.
        case linear
        /// OpenCV `INTER_AREA`: each output pixel averages the source area it covers (falls back
        /// to linear when enlarging, as OpenCV does).
        case area
    }

    /// `image` resized to `width × height`.
    public static func resize(_ image: RGBImage, width: Int, height: Int, method: Method) -> RGBImage {
        precondition(width > 0 && height > 0, "ImageResize: empty target \(width)×\(height)")
        if width == image.width && height == image.height { return image }
        if method == .area && width <= image.width && height <= image.height {
            return area(image, width: width, height: height)
        }
        return bilinear(image, width: width, height: height)
    }

    /// Source index and weight of the lower neighbour for each output coordinate (OpenCV's
    /// `fx = (dx + 0.5)·scale − 0.5`, clamped at both edges).
    private static func linearTaps(source: Int, target: Int) -> (index: [Int], weight: [Float]) {
        let scale = Double(source) / Double(target)
        var index = [Int](repeating: 0, count: target), weight = [Float](repeating: 0, count: target)
        for d in 0..<target {
            let f = (Double(d) + 0.5) * scale - 0.5
            var i = Int(f.rounded(.down))
            var w = f - Double(i)
            if i < 0 { i = 0; w = 0 }
            if i >= source - 1 { i = source - 1; w = 0 }
            index[d] = i
            weight[d] = Float(w)
        }
        return (index, weight)
    }

    private static func bilinear(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        let (sw, sh) = (image.width, image.height)
        let xs = linearTaps(source: sw, target: width), ys = linearTaps(source: sh, target: height)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let y0 = ys.index[y], y1 = min(y0 + 1, sh - 1), fy = ys.weight[y]
                    let row0 = y0 * sw * 3, row1 = y1 * sw * 3
                    var o = y * width * 3
                    for x in 0..<width {
                        let x0 = xs.index[x], x1 = min(x0 + 1, sw - 1), fx = xs.weight[x]
                        let a = row0 + x0 * 3, b = row0 + x1 * 3, c = row1 + x0 * 3, d = row1 + x1 * 3
                        for ch in 0..<3 {
                            let top = Float(src[a + ch]) + (Float(src[b + ch]) - Float(src[a + ch])) * fx
                            let bottom = Float(src[c + ch]) + (Float(src[d + ch]) - Float(src[c + ch])) * fx
                            dst[o + ch] = UInt8(top + (bottom - top) * fy + 0.5)
                        }
                        o += 3
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Overlap weights of each output cell on the source cells it covers.
    private static func areaTaps(source: Int, target: Int) -> [[(index: Int, weight: Float)]] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { d in
            let start = Double(d) * scale, end = min(Double(d + 1) * scale, Double(source))
            var taps: [(Int, Float)] = []
            var i = Int(start.rounded(.down))
            while Double(i) < end && i < source {
                let overlap = min(end, Double(i + 1)) - max(start, Double(i))
                if overlap > 1e-9 { taps.append((i, Float(overlap / scale))) }
                i += 1
            }
            return taps
        }
    }

    private static func area(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        let (sw, sh) = (image.width, image.height)
        let xt = areaTaps(source: sw, target: width), yt = areaTaps(source: sh, target: height)
        // Horizontal pass into Float rows [sh, width, 3], then the vertical pass.
        var rows = [Float](repeating: 0, count: sh * width * 3)
        image.pixels.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { tmp in
                for y in 0..<sh {
                    for x in 0..<width {
                        var acc: (Float, Float, Float) = (0, 0, 0)
                        for (i, w) in xt[x] {
                            let s = (y * sw + i) * 3
                            acc.0 += Float(src[s]) * w
                            acc.1 += Float(src[s + 1]) * w
                            acc.2 += Float(src[s + 2]) * w
                        }
                        let t = (y * width + x) * 3
                        tmp[t] = acc.0; tmp[t + 1] = acc.1; tmp[t + 2] = acc.2
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        rows.withUnsafeBufferPointer { tmp in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    for x in 0..<width {
                        var acc: (Float, Float, Float) = (0, 0, 0)
                        for (i, w) in yt[y] {
                            let s = (i * width + x) * 3
                            acc.0 += tmp[s] * w
                            acc.1 += tmp[s + 1] * w
                            acc.2 += tmp[s + 2] * w
                        }
                        let o = (y * width + x) * 3
                        dst[o] = UInt8(min(max(acc.0 + 0.5, 0), 255))
                        dst[o + 1] = UInt8(min(max(acc.1 + 0.5, 0), 255))
                        dst[o + 2] = UInt8(min(max(acc.2 + 0.5, 0), 255))
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
