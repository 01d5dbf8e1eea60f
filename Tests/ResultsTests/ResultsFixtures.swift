import Foundation
@testable import Results

/// Made-up studies, scenarios and epochs with known numbers.
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

extension ResultsStore {
    /// Begins the run of `scenario` with the fixtures' seed (or `seed`), placed by `StudyFixtures.order`.
    @discardableResult
    func beginTestRun(_ scenario: String, _ info: ScenarioInfo, seed: Int = StudyFixtures.seed, restart: Bool = false) throws -> Int {
        try beginRun(StudyFixtures.key(scenario, seed: seed), scenario: info, run: StudyFixtures.run, order: StudyFixtures.order(scenario),
                     restart: restart)
    }
}
