import Foundation
import Training
import VOCData
import YOLOv5

/// The fully resolved configuration of a scenario, as recorded in the results (`config_json`):
/// every setting under its study-file key (`SettingsTable`), what it resolved to, and the
/// user's and the effective loss gains. Deterministic (no times, no machine, no seed, no tool
/// version: those are the run's), so every run of the scenario records the same one and a
/// resumed run can be compared with it.
struct ScenarioConfiguration {
    let values: [String: Any]

    init(_ inputs: RunInputs, job: TrainingJob) {
        let s = inputs.scenario.settings
        let trainer = job.trainer
        var v: [String: Any] = Dictionary(uniqueKeysWithValues: SettingsTable.fields.map { ($0.key, $0.value(s)) })
        v.merge([
            "study": inputs.studyName, "scenario": inputs.scenario.name,
            "data_resolved": inputs.data.description, "weights_resolved": inputs.weights.description,
            "weights_transfer": job.weightsReport,
            "freeze": inputs.scenario.freeze.text, "freeze_patterns": inputs.scenario.freeze.patterns,
            "accumulate": trainer.schedule.accumulate, "weight_decay_effective": trainer.schedule.weightDecay,
            "warmup_iterations": trainer.schedule.warmupIterations,
            "gradient_clip_norm": trainer.settings.gradientClipNorm.map { $0 as Any } ?? "none",
            "classes": job.trainData.classNames, "train_images": job.trainData.samples.count,
            "val_images": job.valData.samples.count,
            "difficult_objects": "left out of training and validation labels, as YOLOv5's VOC conversion does",
            "loss_gains": [
                "user": ["box": trainer.gains.userBox, "obj": trainer.gains.userObj, "cls": trainer.gains.userCls],
                "effective": ["box": trainer.gains.box, "obj": trainer.gains.obj, "cls": trainer.gains.cls],
                "rule": "box·3/nl, cls·nc/80·3/nl, obj·(imgsz/640)²·3/nl (train.py v7)",
            ],
            "hyp_values": Dictionary(uniqueKeysWithValues: job.hyp.values),
            "trainable_parameters": job.freezeSummary.trainableParameters, "frozen_parameters": job.freezeSummary.frozenParameters,
            "bn_meaning": s.bn.meaning,
        ]) { _, new in new }
        v.merge(Self.schedule(job.plan)) { _, new in new }
        if let e = inputs.embedded {
            v["embedded_default"] = [
                "voc_images": e.vocImages, "image_size": e.vocImageSize, "source_images": e.sourceImages, "seed": e.seed,
                "source_classes": e.sourceClasses.rawValue,
                "pretrain_epochs": e.pretrainEpochs, "pretrain_image_size": e.pretrainImageSize,
                "pretrain_batch_size": e.pretrainBatchSize, "pretrain_hyp": e.pretrainHyp,
                "pretrain_nominal_batch_size": e.pretrainNominalBatchSize,
                "synthetic_generator_version": SyntheticVOC.generatorVersion,
            ] as [String: Any]
        }
        values = v
    }

    /// What the schedule resolved to: the epoch each unfreezing layer starts to train, and how it joins.
    static func schedule(_ plan: FineTuningPlan) -> [String: Any] {
        var layers: [String: Int] = [:]
        for (name, epoch) in zip(plan.names, plan.trainsFrom) {
            if let epoch, epoch > 0, let layer = FineTuningPlan.layer(of: name) { layers[String(layer)] = epoch }
        }
        guard !layers.isEmpty else { return [:] }
        return ["unfreeze_epoch_by_layer": layers,
                "unfreeze_rule": "an unfrozen parameter joins its YOLOv5 group (biases, weights, BN weights) at the group's scheduled "
                    + "lr × its lr_mult, with no momentum history (SGD's first step) and no extra warm-up"]
    }

    /// Compact JSON with sorted keys.
    var json: String {
        let data = (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// FreezeStudy's version, recorded with every result and checkpoint.
public enum FreezeStudyVersion {
    public static let current = "0.1.0"
}
