import NeuralCore

/// One box of a batch, as YOLOv5's batch targets `(image, class, x, y, w, h)`: the centre and size
/// normalised to the network input (0…1).
public struct Target: Equatable, Sendable {
    /// Index of the image within the batch.
    public var imageIndex: Int
    /// Index into the dataset's class names.
    public var classIndex: Int
    /// Box centre x / input width.
    public var cx: Float
    /// Box centre y / input height.
    public var cy: Float
    /// Box width / input width.
    public var w: Float
    /// Box height / input height.
    public var h: Float

    /// A target from its six values.
    public init(imageIndex: Int, classIndex: Int, cx: Float, cy: Float, w: Float, h: Float) {
        self.imageIndex = imageIndex
        self.classIndex = classIndex
        self.cx = cx
        self.cy = cy
        self.w = w
        self.h = h
    }
}

/// Where an image of a batch came from and how to map predictions back onto it (val.py's
/// `shapes`: `(h0, w0), ((h/h0, w/w0), pad)`).
public struct ImageInfo: Sendable {
    /// Index of the sample in the dataset.
    public var datasetIndex: Int
    /// The image file.
    public var path: String
    /// Original size in pixels (h0, w0).
    public var originalHeight: Int
    /// Original width in pixels (w0).
    public var originalWidth: Int
    /// Network pixels per original pixel vertically: YOLOv5's `ratio_pad[0][0]`, the gain val.py uses for both axes.
    public var gain: Float
    /// Network pixels per original pixel horizontally (differs from `gain` by YOLOv5's rounding up of the resized width).
    public var gainX: Float
    /// The float letterbox padding (network pixels) left of and above the image.
    public var padX: Float
    /// The float letterbox padding above the image (`dh / 2`).
    public var padY: Float
    /// Whether the image is a mosaic (then gain and pad do not describe it; YOLOv5's `shapes = None`).
    public var isMosaic: Bool
    /// The labels in original pixels, difficult objects included (flagged) when the reader kept them:
    /// what an evaluator compares predictions with.
    public var labels: [AnnotatedObject]

    /// A box of the network input mapped back to original pixels (val.py `scale_boxes`): subtract
    /// the pad, divide by the gain, clip to the image.
    public func toOriginal(_ box: BoxXYXY) -> BoxXYXY {
        BoxXYXY(x1: (box.x1 - padX) / gainX, y1: (box.y1 - padY) / gain,
                x2: (box.x2 - padX) / gainX, y2: (box.y2 - padY) / gain)
            .clipped(width: Float(originalWidth), height: Float(originalHeight))
    }
}

/// A batch ready for the network.
public struct Batch {
    /// [N, 3, H, W] Float32 RGB in 0…1 (uint8 / 255, no mean or std, as YOLOv5).
    public var images: Tensor
    /// Every training box of the batch (never a difficult object).
    public var targets: [Target]
    /// One entry per image, in batch order.
    public var samples: [ImageInfo]
    /// Index of this batch within its epoch.
    public var index: Int
}

/// A finished sample before batching: the network-size image and its boxes in its pixels.
struct PreparedSample {
    var image: RGBImage
    var labels: [LabeledBox]
    var info: ImageInfo
}

extension Batch {
    /// Stacks prepared samples (all of one size) into a batch.
    init(_ prepared: [PreparedSample], index: Int) {
        let (h, w) = (prepared[0].image.height, prepared[0].image.width)
        let images = Tensor(uninitializedShape: [prepared.count, 3, h, w])
        var targets: [Target] = []
        let plane = h * w
        for (n, sample) in prepared.enumerated() {
            precondition(sample.image.width == w && sample.image.height == h,
                         "Batch: image \(n) is \(sample.image.width)×\(sample.image.height), batch is \(w)×\(h)")
            let base = images.data + n * 3 * plane
            sample.image.pixels.withUnsafeBufferPointer { px in
                let scale: Float = 1 / 255
                for i in 0..<plane {
                    base[i] = Float(px[i * 3]) * scale
                    base[plane + i] = Float(px[i * 3 + 1]) * scale
                    base[2 * plane + i] = Float(px[i * 3 + 2]) * scale
                }
            }
            // v7 xyxy2xywhn(clip=True, eps=1e-3): clip to [0, size − 0.001], then normalise.
            let (fw, fh) = (Float(w), Float(h))
            for label in sample.labels {
                let b = label.box.clipped(width: fw - 1e-3, height: fh - 1e-3)
                targets.append(Target(imageIndex: n, classIndex: label.classIndex, cx: b.centerX / fw, cy: b.centerY / fh,
                                      w: b.width / fw, h: b.height / fh))
            }
        }
        self.init(images: images, targets: targets, samples: prepared.map(\.info), index: index)
    }
}
