import Foundation
@testable import Report
import Results

/// Studies built in memory with chosen numbers, for the report and the claims.
enum ReportFixtures {
    /// A scenario of `epochs` epochs whose last epoch has the given mAPs (earlier ones lower)
    /// and whose telemetry is the same every epoch.
    static func scenario(_ name: String, order: Int, frozen: Int, imagesPerSecond: Double, epochSeconds: Double,
                         peakBytes: Double, cpu: Double, map50: Double, map50to95: Double,
                         epochs: Int = 3, complete: Bool = true) -> ScenarioResults {
        let info = StudyFixtures.info(freeze: frozen == 0 ? "" : "0-9", frozenParameters: frozen, epochs: 3)
        let records = (0..<epochs).map { epoch -> EpochRecord in
            var record = StudyFixtures.epoch(epoch)
            let behind = Double(epochs - 1 - epoch) * 0.05
            record.map50 = map50 - behind
            record.map50to95 = map50to95 - behind
            record.imagesPerSecond = imagesPerSecond
            record.epochSeconds = epochSeconds
            record.trackedPeakBytes = peakBytes
            record.rssPeakBytes = peakBytes * 2
            record.cpuUtilization = cpu
            return record
        }
        let run = RunResults(
            seed: StudyFixtures.seed, status: complete ? .complete : .running,
            info: RunInfo(command: "freeze-study run-task --scenario \(name) --seed \(StudyFixtures.seed)", threads: 2),
            started: StudyFixtures.clock(Double(order) * 1000)(), finished: complete ? StudyFixtures.clock(Double(order) * 1000 + 500)() : nil,
            machine: StudyFixtures.machine, toolVersion: "0.1-test",
            completion: complete ? RunCompletion(frozenTensorsUnchanged: true, frozenTensorsChecked: 4) : nil,
            epochs: records, iterations: records.indices.map { StudyFixtures.iterations($0) },
            perClass: PerClassAP(names: ["aeroplane", "bicycle", "bird"], ap50: [map50 + 0.1, map50 - 0.1, .nan],
                                 ap50to95: [map50to95 + 0.1, map50to95 - 0.1, .nan], nLabels: [10, 7, 0], epoch: epochs - 1))
        return ScenarioResults(name: name, order: order, info: info, runs: [run])
    }

    /// The guide's shape: freezing more is faster, a little less accurate, uses less memory and CPU.
    static func guideLike() -> StudyResults {
        StudyResults(identity: StudyFixtures.identity(), scenarios: [
            scenario("none", order: 0, frozen: 0, imagesPerSecond: 20, epochSeconds: 60, peakBytes: 500e6, cpu: 0.90, map50: 0.60, map50to95: 0.40),
            scenario("backbone", order: 1, frozen: 2000, imagesPerSecond: 26, epochSeconds: 46, peakBytes: 400e6, cpu: 0.85, map50: 0.59, map50to95: 0.39),
            scenario("all-but-detect", order: 2, frozen: 4900, imagesPerSecond: 30, epochSeconds: 40, peakBytes: 300e6, cpu: 0.80, map50: 0.57, map50to95: 0.37),
        ])
    }

    /// The opposite: frozen scenarios are slower, more accurate and use more memory and CPU.
    static func contrary() -> StudyResults {
        StudyResults(identity: StudyFixtures.identity(), scenarios: [
            scenario("none", order: 0, frozen: 0, imagesPerSecond: 20, epochSeconds: 60, peakBytes: 500e6, cpu: 0.80, map50: 0.60, map50to95: 0.40),
            scenario("backbone", order: 1, frozen: 2000, imagesPerSecond: 19, epochSeconds: 62, peakBytes: 600e6, cpu: 0.90, map50: 0.61, map50to95: 0.41),
            scenario("all-but-detect", order: 2, frozen: 4900, imagesPerSecond: 20.5, epochSeconds: 59, peakBytes: 700e6, cpu: 0.95, map50: 0.62, map50to95: 0.42),
        ])
    }
}

enum StudyFixtures {
    static let machine = MachineDescription(cores: 2, cpu: "Test CPU", blas: "OpenBLAS test")
    /// The seed of the tests that record one run per scenario.
    static let seed = 7
    static let run = RunInfo(command: "freeze-study run-task --scenario test --seed 7", threads: 2, worldSize: 1,
                             flopsPerImage: FLOPsPerImage(forward: 2.5e9, weightGradient: 2.0e9, inputGradient: 1.5e9))

    static func identity(name: String = "freeze-study", digest: String = "digest-aaaa") -> StudyIdentity {
        StudyIdentity(name: name, configurationDigest: digest, toolVersion: "0.1-test", machine: machine)
    }

    /// The run of `scenario` with `seed`.
    static func key(_ scenario: String, seed: Int = seed) -> RunKey { RunKey(scenario: scenario, seed: seed) }

    /// Scenario positions in the study (others come last).
    static func order(_ scenario: String) -> Int { ["none": 0, "backbone": 1, "all-but-detect": 2, "a-user-one": 3][scenario] ?? 9 }

    /// A fixed clock: 2025-03-01 12:00:00 UTC plus `offset` seconds.
    static func clock(_ offset: TimeInterval = 0) -> () -> Date { { Date(timeIntervalSince1970: 1_740_830_400 + offset) } }

    static func config(freeze: String, epochs: Int = 3) -> String {
        """
        {"model": "yolov5s.yaml", "data": "synthetic-voc", "image_size": 64, "batch_size": 4, "epochs": \(epochs),
         "hyp": "hyp.finetune.yaml", "weights": "source.ckpt", "bn": "update", "freeze": "\(freeze)",
         "difficult_objects": "excluded from labels"}
        """
    }

    static func info(freeze: String = "0-9", frozenParameters: Int = 1000, epochs: Int = 3) -> ScenarioInfo {
        ScenarioInfo(freeze: freeze, freezePatterns: freeze.isEmpty ? [] : ["model.0.", "model.1."], bn: "update",
                     trainableTensors: 10, trainableParameters: 5000 - frozenParameters, frozenTensors: frozenParameters > 0 ? 4 : 0,
                     frozenParameters: frozenParameters, configJSON: config(freeze: freeze, epochs: epochs))
    }

    /// An epoch whose every field depends on `epoch` and `scale`, so mix-ups show.
    static func epoch(_ epoch: Int, scale: Double = 1) -> EpochRecord {
        let e = Double(epoch)
        return EpochRecord(
            trainBox: 0.08 - 0.01 * e, trainObj: 0.05 - 0.004 * e, trainCls: 0.03 - 0.003 * e,
            valBox: 0.07 - 0.008 * e, valObj: 0.04 - 0.002 * e, valCls: 0.02 - 0.001 * e,
            precision: 0.3 + 0.1 * e, recall: 0.25 + 0.1 * e, map50: (0.2 + 0.1 * e) * scale, map50to95: (0.1 + 0.05 * e) * scale,
            lr0: 0.0032, lr1: 0.0032, lr2: 0.07 - 0.01 * e,
            epochSeconds: 60 / scale, imagesPerSecond: 20 * scale, cpuUtilization: 0.9 - 0.01 * e,
            trackedPeakBytes: 512_000_000 + 1000 * e, rssPeakBytes: 900_000_000 + 2000 * e, dataWaitFraction: 0.05,
            secondsDataWait: 3 / scale, secondsForward: (20 + e) / scale, secondsBackward: 25 / scale, secondsOptimizer: 4 / scale,
            secondsEMA: 1 / scale, secondsValidation: (7 - e) / scale)
    }

    static func iterations(_ epoch: Int, count: Int = 3) -> [IterationRecord] {
        (0..<count).map { i in
            IterationRecord(loss: 1.0 / Double(epoch * 10 + i + 1), imagesPerSecond: 19 + Double(i), trackedBytes: 400_000_000 + Double(epoch * 100 + i))
        }
    }
}
