import Foundation
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
    /// Which layers train in which epoch, BatchNorm policy and per-layer factors.
    let plan: FineTuningPlan
    let hyp: Hyperparameters
    /// What happened to the starting weights ("loaded 343 of 349 tensors from …").
    let weightsReport: String
    /// State tensors the starting weights did not provide (all of them without weights): they
    /// keep the initialisation drawn from the run's seed.
    let initialisedTensors: [String]
    /// The loaders (their `problems` list images that failed to decode and were skipped).
    let trainLoader: BatchLoader, valLoader: BatchLoader

    /// Builds the job. `data` and `weights` are already resolved to files (or nil weights: scratch).
    /// With a `shard` of K ranks, this rank's loader takes its 1/K of every epoch in batches of
    /// batch_size / K (train.py: `batch_size // WORLD_SIZE`); the schedule keeps the whole batch.
    init(settings: StudySettings, freeze: FreezeSpec, model modelURL: URL, data: URL, weights: URL?, hyp hypURL: URL,
         shard: DataShard = .whole, log: (String) -> Void) throws {
        guard settings.batchSize % shard.count == 0 else {
            throw StudyError("batch_size \(settings.batchSize) must be a multiple of the \(shard.count) ranks (as train.py asserts "
                             + "for WORLD_SIZE): every rank trains on batch_size / ranks images")
        }
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
        // What the weights do not provide (the Detect outputs of another class count) keeps an
        // initialisation drawn from the run's seed alone, so every scenario of a seed starts alike.
        model = try YOLOv5Model(spec: spec, classCount: trainData.classCount, seed: Self.generatorSeed(settings.seed))
        if let weights {
            let file = try Weights(contentsOf: weights)
            let report = try model.load(file)
            initialisedTensors = report.kept.map(\.name)
            weightsReport = "loaded \(report.loaded.count) of \(model.stateDict().count) state tensors from \(file.description); "
                + (report.kept.isEmpty ? "none kept their initialisation"
                   : "\(report.kept.count) kept their initialisation (\(report.kept.prefix(3).map(\.name).joined(separator: ", "))\(report.kept.count > 3 ? ", …" : ""))")
        } else {
            initialisedTensors = model.stateDict().map(\.0)
            weightsReport = "trained from scratch (PyTorch's default initialisation)"
        }
        freezeSummary = try model.applyFreeze(freeze, batchNorm: settings.bn)

        var missing: [String] = []  // none: Hyperparameters already requires every key
        let augmentation = AugmentationSettings(hyp: Dictionary(uniqueKeysWithValues: hyp.values), missing: &missing)
        let cache = settings.cache
        var trainConfiguration = LoaderConfiguration.training(
            imageSize: settings.imageSize, batchSize: settings.batchSize / shard.count, augmentation: augmentation,
            seed: Self.generatorSeed(settings.seed), cache: cache, workers: settings.workers)
        trainConfiguration.shard = shard
        trainLoader = try BatchLoader(dataset: trainData, configuration: trainConfiguration)
        valLoader = try BatchLoader(dataset: valData, configuration: .validation(
            imageSize: settings.imageSize, batchSize: settings.validationBatchSize ?? 2 * settings.batchSize, cache: cache,
            workers: settings.workers))
        var trainingSettings = TrainingSettings(epochs: settings.epochs, batchSize: settings.batchSize,
                                                imageSize: settings.imageSize, hyp: hyp)
        trainingSettings.schedule = settings.schedule
        trainingSettings.nominalBatchSize = settings.nominalBatchSize
        trainer = try Trainer(model: model, settings: trainingSettings, train: LoaderBatches(trainLoader),
                              validation: LoaderBatches(valLoader))
        plan = try FineTuningPlan(settings.fineTuningSchedule(freeze: freeze), model: model, epochs: settings.epochs)
        trainer.use(plan)
        reportLoaderProblems(log)
    }

    /// Images the loaders could not decode (each reported once, then used as background without labels).
    func reportLoaderProblems(_ log: (String) -> Void, after reported: Int = 0) {
        for problem in (trainLoader.problems + valLoader.problems).dropFirst(reported) { log("data: \(problem)") }
    }

    var loaderProblemCount: Int { trainLoader.problems.count + valLoader.problems.count }

    /// The seed of the run's random generators: the data order and augmentation draws (per
    /// epoch and image) and the initialisation, all from the run's seed and nothing else.
    static func generatorSeed(_ seed: Int) -> UInt64 { UInt64(bitPattern: Int64(seed)) }
}
