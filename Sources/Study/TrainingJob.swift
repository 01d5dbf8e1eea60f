import Foundation
import NeuralCore
import Training
import VOCData
import YOLOv5

/// Everything one training run needs, assembled from resolved settings: the datasets, their
/// loaders, the model with its starting weights and freezing, and the trainer.
struct TrainingJob {
    let settings: StudySettings
    let freeze: FreezeSpec
    let trainData: DetectionDataset
    let valData: DetectionDataset
    let model: YOLOv5Model
    let freezeSummary: FreezeSummary
    let trainer: Trainer
    let hyp: Hyperparameters
    /// What happened to the starting weights ("loaded 343 of 349 tensors from …").
    let weightsReport: String

    /// Builds the job. `data` and `weights` are already resolved to files (or nil weights: scratch).
    init(settings: StudySettings, freeze: FreezeSpec, model modelURL: URL, data: URL, weights: URL?, hyp hypURL: URL,
         log: (String) -> Void) throws {
        self.settings = settings
        self.freeze = freeze
        hyp = try Hyperparameters(contentsOf: hypURL)
        trainData = try DatasetReader.load(data, split: .train)
        valData = try DatasetReader.load(data, split: .val)
        for problem in trainData.problems + valData.problems { log("data: \(problem)") }
        guard trainData.classNames == valData.classNames else {
            throw DataError(file: data.path, reason: "the train and val splits name different classes")
        }
        let spec = try ModelSpec(contentsOf: modelURL)
        var rng = SeededGenerator(seed: UInt64(bitPattern: Int64(settings.seed)))
        model = try YOLOv5Model(spec: spec, classCount: trainData.classCount, using: &rng)
        if let weights {
            let file = try Weights(contentsOf: weights)
            let report = try model.load(file)
            weightsReport = "loaded \(report.loaded.count) of \(model.stateDict().count) state tensors from \(file.description); "
                + (report.kept.isEmpty ? "none kept their initialisation"
                   : "\(report.kept.count) kept their initialisation (\(report.kept.prefix(3).map(\.name).joined(separator: ", "))\(report.kept.count > 3 ? ", …" : ""))")
        } else {
            weightsReport = "trained from scratch (PyTorch's default initialisation)"
        }
        freezeSummary = try model.applyFreeze(freeze, batchNorm: settings.bn)

        var missing: [String] = []
        let augmentation = AugmentationSettings(hyp: Dictionary(uniqueKeysWithValues: hyp.values), missing: &missing)
        let cache: ImageCacheMode = settings.cache == "ram" ? .ram : .none
        let trainLoader = try BatchLoader(dataset: trainData, configuration: .training(
            imageSize: settings.imageSize, batchSize: settings.batchSize, augmentation: augmentation,
            seed: UInt64(bitPattern: Int64(settings.seed)), cache: cache, workers: settings.workers))
        let valLoader = try BatchLoader(dataset: valData, configuration: .validation(
            imageSize: settings.imageSize, batchSize: settings.validationBatchSize ?? 2 * settings.batchSize, cache: cache,
            workers: settings.workers))
        var trainingSettings = TrainingSettings(epochs: settings.epochs, batchSize: settings.batchSize,
                                                imageSize: settings.imageSize, hyp: hyp)
        trainingSettings.schedule = LearningRateSchedule(rawValue: settings.schedule) ?? .linear
        trainingSettings.nominalBatchSize = settings.nominalBatchSize
        trainer = try Trainer(model: model, settings: trainingSettings, train: LoaderBatches(trainLoader),
                              validation: LoaderBatches(valLoader))
    }

    /// Every frozen parameter's values now (to compare with after training).
    func frozenSnapshot() -> [(String, [Float])] {
        model.namedParameters().filter { !$0.1.isTrainable }.map { ($0.0, $0.1.value.values) }
    }
}
