import NeuralCore

/// Turns one dataset index into a network-size image and its boxes, following v7's
/// `LoadImagesAndLabels.__getitem__`: mosaic (+ random_perspective, + mixup) or letterbox
/// (+ random_perspective when augmenting), then HSV, flip up-down, flip left-right.
struct SampleBuilder {
    let dataset: DetectionDataset
    let store: ImageStore
    let configuration: LoaderConfiguration

    private var settings: AugmentationSettings { configuration.augmentation }

    /// The prepared sample `index` for a batch of input `height × width`, its randomness from `rng`.
    func build(_ index: Int, height: Int, width: Int, using rng: inout SeededGenerator) -> PreparedSample {
        let loaded = store.image(index)
        let sample = dataset.samples[index]
        var info = ImageInfo(datasetIndex: index, path: sample.imagePath, originalHeight: loaded.originalHeight,
                             originalWidth: loaded.originalWidth, gain: 1, gainX: 1, padX: 0, padY: 0, isMosaic: false,
                             labels: loaded.failed ? [] : sample.objects)
        var image: RGBImage
        var labels: [LabeledBox]
        let augment = configuration.augment
        if augment && !configuration.rect && Float.random(in: 0..<1, using: &rng) < settings.mosaic {
            (image, labels) = mosaic(index, using: &rng)
            if Float.random(in: 0..<1, using: &rng) < settings.mixup {
                let other = mosaic(Int(SampleSeeds.below(UInt64(dataset.samples.count), using: &rng)), using: &rng)
                image = MixUp.blend(image, other.image, ratio: MixUp.randomRatio(using: &rng))
                labels += other.labels
            }
            info.isMosaic = true
        } else {
            let boxed = Letterbox.apply(loaded.image, width: width, height: height, scaleUp: augment)
            let gy = Float(loaded.image.height) / Float(loaded.originalHeight) * boxed.ratio
            let gx = Float(loaded.image.width) / Float(loaded.originalWidth) * boxed.ratio
            (info.gain, info.gainX, info.padX, info.padY) = (gy, gx, boxed.padX, boxed.padY)
            image = boxed.image
            labels = trainingLabels(index, loaded).map {
                LabeledBox(classIndex: $0.classIndex, box: $0.box.scaled(gx, gy, dx: boxed.padX, dy: boxed.padY))
            }
            if augment {
                (image, labels) = RandomPerspective.apply(image, labels: labels, border: 0, settings: settings, using: &rng)
            }
        }
        if augment {
            if settings.hsvH != 0 || settings.hsvS != 0 || settings.hsvV != 0 {
                HSVAugment.apply(&image, gains: HSVAugment.randomGains(settings, using: &rng))
            }
            if Float.random(in: 0..<1, using: &rng) < settings.flipUD { Flip.upDown(&image, &labels) }
            if Float.random(in: 0..<1, using: &rng) < settings.flipLR { Flip.leftRight(&image, &labels) }
        }
        return PreparedSample(image: image, labels: labels, info: info)
    }

    /// v7 `load_mosaic` followed by `random_perspective` with border −s/2: an s × s image.
    func mosaic(_ index: Int, using rng: inout SeededGenerator) -> (image: RGBImage, labels: [LabeledBox]) {
        let s = configuration.imageSize
        let (xc, yc) = Mosaic.randomCentre(size: s, using: &rng)
        var indices = [index] + (0..<3).map { _ in Int(SampleSeeds.below(UInt64(dataset.samples.count), using: &rng)) }
        SampleSeeds.shuffle(&indices, using: &rng)
        let tiles = indices.map { i -> (image: RGBImage, labels: [LabeledBox]) in
            let loaded = store.image(i)
            let sx = Float(loaded.image.width) / Float(loaded.originalWidth)
            let sy = Float(loaded.image.height) / Float(loaded.originalHeight)
            return (loaded.image, trainingLabels(i, loaded).map { LabeledBox(classIndex: $0.classIndex, box: $0.box.scaled(sx, sy)) })
        }
        let canvas = Mosaic.build(tiles: tiles, size: s, xc: xc, yc: yc)
        return RandomPerspective.apply(canvas.image, labels: canvas.labels, border: -s / 2, settings: settings, using: &rng)
    }

    /// The boxes a sample trains on (difficult objects never; none for an image that failed to decode),
    /// in original pixels.
    private func trainingLabels(_ index: Int, _ loaded: LoadedImage) -> [LabeledBox] {
        loaded.failed ? [] : dataset.samples[index].trainingObjects.map { LabeledBox(classIndex: $0.classIndex, box: $0.box) }
    }
}
