/// YOLOv5's flips: `np.flipud` / `np.fliplr` on the image, `y → 1 − y` / `x → 1 − x` on the labels.
public enum Flip {
    /// Mirrors `image` top to bottom and its boxes with it.
    public static func upDown(_ image: inout RGBImage, _ labels: inout [LabeledBox]) {
        let (w, h) = (image.width, image.height)
        let rowBytes = w * 3
        image.pixels.withUnsafeMutableBufferPointer { p in
            var tmp = [UInt8](repeating: 0, count: rowBytes)
            tmp.withUnsafeMutableBufferPointer { t in
                for y in 0..<(h / 2) {
                    let a = p.baseAddress! + y * rowBytes, b = p.baseAddress! + (h - 1 - y) * rowBytes
                    t.baseAddress!.update(from: a, count: rowBytes)
                    a.update(from: b, count: rowBytes)
                    b.update(from: t.baseAddress!, count: rowBytes)
                }
            }
        }
        let H = Float(h)
        for i in labels.indices {
            let b = labels[i].box
            labels[i].box = BoxXYXY(x1: b.x1, y1: H - b.y2, x2: b.x2, y2: H - b.y1)
        }
    }

    /// Mirrors `image` left to right and its boxes with it.
    public static func leftRight(_ image: inout RGBImage, _ labels: inout [LabeledBox]) {
        let (w, h) = (image.width, image.height)
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<h {
                let row = p.baseAddress! + y * w * 3
                var a = 0, b = w - 1
                while a < b {
                    for c in 0..<3 { row.swapAt(a * 3 + c, b * 3 + c) }
                    a += 1
                    b -= 1
                }
            }
        }
        let W = Float(w)
        for i in labels.indices {
            let b = labels[i].box
            labels[i].box = BoxXYXY(x1: W - b.x2, y1: b.y1, x2: W - b.x1, y2: b.y2)
        }
    }
}

extension UnsafeMutablePointer where Pointee == UInt8 {
    @inline(__always)
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
