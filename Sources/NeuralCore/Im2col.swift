/// Geometry of a 2-D convolution or pooling window over one image.
public struct ConvGeometry: Equatable, Sendable {
    public var channels: Int, height: Int, width: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var stride: Int, padding: Int

    public init(channels: Int, height: Int, width: Int,
                kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int) {
        self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.stride = stride; self.padding = padding
    }

    /// Output height, PyTorch's floor((H + 2p − kh) / s) + 1.
    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    /// Output width.
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Rows of the column matrix: C·kh·kw.
    public var columnRows: Int { channels * kernelHeight * kernelWidth }
    /// Output pixels per image: OH·OW.
    public var outputPixels: Int { outputHeight * outputWidth }
}

/// One past the last output position whose input index `o·s − p + j` is below `size`
/// (floor division: the numerator can be negative when the window is wider than the image).
@inline(__always)
func lastInside(_ size: Int, _ p: Int, _ j: Int, _ s: Int, _ outputs: Int) -> Int {
    let reach = size - 1 + p - j
    return reach < 0 ? 0 : min(outputs, reach / s + 1)
}

/// Unfolds one CHW image into columns: `col[(c·kh + i)·kw + j, column0 + oy·OW + ox] =
/// x[c, oy·s − p + i, ox·s − p + j]` (zero outside), rows `ldc` floats apart.
///
/// Writing at `column0` with a row stride `ldc` lets several images share one column matrix
/// [C·kh·kw, images·OH·OW], so a single GEMM covers them.
///
/// `parallel: false` keeps it on the calling thread (inside a worker that owns one chunk).
public func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry,
                   _ col: UnsafeMutablePointer<Float>, column0: Int, ldc: Int, parallel: Bool = true) {
    let (oh, ow) = (g.outputHeight, g.outputWidth)
    let (h, w, s, p) = (g.height, g.width, g.stride, g.padding)
    if g.kernelHeight == 1 && g.kernelWidth == 1 && s == 1 && p == 0 {
        // 1×1, stride 1: each row is a whole channel plane.
        loop(g.columnRows, parallel: parallel, costPerItem: h * w) { rows in
            for c in rows { (col + c * ldc + column0).update(from: x + c * h * w, count: h * w) }
        }
        return
    }
    loop(g.columnRows, parallel: parallel, costPerItem: oh * ow) { rows in
        for row in rows {
            let j = row % g.kernelWidth
            let i = (row / g.kernelWidth) % g.kernelHeight
            let c = row / (g.kernelWidth * g.kernelHeight)
            let plane = x + c * h * w
            let out = col + row * ldc + column0
            // Output columns whose input column ix = ox·s − p + j lies inside [0, w).
            let oxFirst = max(0, (p - j + s - 1) / s)
            let oxEnd = lastInside(w, p, j, s, ow)
            for oy in 0..<oh {
                let iy = oy * s - p + i
                let dst = out + oy * ow
                guard iy >= 0 && iy < h, oxFirst < oxEnd else {
                    dst.update(repeating: 0, count: ow)
                    continue
                }
                let src = plane + iy * w
                if oxFirst > 0 { dst.update(repeating: 0, count: oxFirst) }
                if s == 1 {
                    (dst + oxFirst).update(from: src + (oxFirst - p + j), count: oxEnd - oxFirst)
                } else if s == 2 {
                    copyEvenPositions(src + (oxFirst * 2 - p + j), available: w - (oxFirst * 2 - p + j), to: dst + oxFirst, count: oxEnd - oxFirst)
                } else {
                    var ix = oxFirst * s - p + j
                    for ox in oxFirst..<oxEnd {
                        dst[ox] = src[ix]
                        ix += s
                    }
                }
                if oxEnd < ow { (dst + oxEnd).update(repeating: 0, count: ow - oxEnd) }
            }
        }
    }
}

/// dst[i] = src[2i] for i < count, eight at a time from sixteen contiguous floats while
/// `available` (floats readable from src) allows, then one by one.
@inline(__always)
func copyEvenPositions(_ src: UnsafePointer<Float>, available: Int, to dst: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count && 2 * i + 16 <= available {
        store(load16(src + 2 * i).evenHalf, dst + i)
        i += 8
    }
    while i < count { dst[i] = src[2 * i]; i += 1 }
}

/// Folds columns back into one CHW image, adding overlapping contributions: the adjoint of
/// `im2col`. `dx` is overwritten (not accumulated into).
public func col2im(_ col: UnsafePointer<Float>, column0: Int, ldc: Int, _ g: ConvGeometry,
                   _ dx: UnsafeMutablePointer<Float>, parallel: Bool = true) {
    let (oh, ow) = (g.outputHeight, g.outputWidth)
    let (h, w, s, p) = (g.height, g.width, g.stride, g.padding)
    let (kh, kw) = (g.kernelHeight, g.kernelWidth)
    // One channel per task: a channel's kh·kw rows write only into that channel's plane.
    loop(g.channels, parallel: parallel, costPerItem: kh * kw * oh * ow) { channels in
        for c in channels {
            let plane = dx + c * h * w
            plane.update(repeating: 0, count: h * w)
            for i in 0..<kh {
                for j in 0..<kw {
                    let src = col + ((c * kh + i) * kw + j) * ldc + column0
                    let oxFirst = max(0, (p - j + s - 1) / s)
                    let oxEnd = lastInside(w, p, j, s, ow)
                    guard oxFirst < oxEnd else { continue }
                    for oy in 0..<oh {
                        let iy = oy * s - p + i
                        guard iy >= 0 && iy < h else { continue }
                        let row = plane + iy * w
                        let values = src + oy * ow
                        if s == 1 {
                            addRow(values + oxFirst, into: row + (oxFirst - p + j), count: oxEnd - oxFirst)
                        } else {
                            var ix = oxFirst * s - p + j
                            for ox in oxFirst..<oxEnd {
                                row[ix] += values[ox]
                                ix += s
                            }
                        }
                    }
                }
            }
        }
    }
}

/// dst[i] += src[i] for i < count, eight lanes at a time (the rows never overlap).
@inline(__always)
func addRow(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
        let sum = UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: sum, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { dst[i] += src[i]; i += 1 }
}

/// `parallelFor` when `parallel`, else the whole range on this thread.
@inline(__always)
func loop(_ count: Int, parallel: Bool, costPerItem: Int, _ body: (Range<Int>) -> Void) {
    if parallel { parallelFor(count, costPerItem: costPerItem, body) } else { body(0..<count) }
}
