import Foundation
import Training
import YOLOv5

/// The fully resolved configuration of one scenario, as recorded in the results file
/// (`config_json`): every setting that shapes its numbers, with the user's and the effective
/// loss gains. Deterministic (no times, no machine), so a resumed run can be compared with it.
struct ScenarioConfiguration {
    let values: [String: Any]

    init(study: StudyFile, scenario: ScenarioDefinition, job: TrainingJob, dataDescription: String, weightsDescription: String,
         embedded: [String: Any]?) {
        let s = scenario.settings
        let trainer = job.trainer
        var v: [String: Any] = [
            "study": study.name, "scenario": scenario.name,
            "model": s.model, "data": dataDescription, "weights": weightsDescription,
            "weights_transfer": job.weightsReport,
            "image_size": s.imageSize, "batch_size": s.batchSize,
            "val_batch_size": s.validationBatchSize ?? 2 * s.batchSize, "epochs": s.epochs,
            "hyp": s.hyp, "seed": s.seed, "bn": s.bn.rawValue,
            "freeze": scenario.freeze.text, "freeze_patterns": scenario.freeze.patterns,
            "schedule": s.schedule.rawValue, "nominal_batch_size": s.nominalBatchSize,
            "accumulate": trainer.schedule.accumulate, "weight_decay_effective": trainer.schedule.weightDecay,
            "warmup_iterations": trainer.schedule.warmupIterations,
            "gradient_clip_norm": trainer.settings.gradientClipNorm.map { $0 as Any } ?? "none",
            "workers": s.workers, "cache": s.cache.rawValue,
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
            "tool_version": FreezeStudyVersion.current,
        ]
        if let embedded { v["embedded_default"] = embedded }
        values = v
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
