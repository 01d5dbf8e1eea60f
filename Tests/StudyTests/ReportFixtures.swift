import Foundation
@testable import Study

/// Studies built in memory with chosen numbers, for the report and the claims.
enum ReportFixtures {
    /// A scenario of `epochs` epochs whose last epoch has the given mAPs (earlier ones lower)
    /// and whose telemetry is the same every epoch.
    static func scenario(_ name: String, order: Int, frozen: Int, imagesPerSecond: Double, epochSeconds: Double,
                         peakBytes: Double, cpu: Double, map50: Double, map50to95: Double,
                         epochs: Int = 3, complete: Bool = true) -> ScenarioResults {
        var info = StudyFixtures.info(freeze: frozen == 0 ? "" : "0-9", frozenParameters: frozen, epochs: 3)
        info.command = "freeze-study sweep --only \(name)"
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
        return ScenarioResults(
            name: name, order: order, info: info, status: complete ? .complete : .running,
            started: StudyFixtures.clock(Double(order) * 1000)(), finished: complete ? StudyFixtures.clock(Double(order) * 1000 + 500)() : nil,
            machine: StudyFixtures.machine, toolVersion: "0.1-test",
            completion: complete ? ScenarioCompletion(frozenTensorsUnchanged: true, frozenTensorsChecked: 4) : nil,
            epochs: records, iterations: records.indices.map { StudyFixtures.iterations($0) },
            perClass: PerClassAP(names: ["aeroplane", "bicycle", "bird"], ap50: [map50 + 0.1, map50 - 0.1, .nan],
                                 ap50to95: [map50to95 + 0.1, map50to95 - 0.1, .nan], nLabels: [10, 7, 0], epoch: epochs - 1))
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
