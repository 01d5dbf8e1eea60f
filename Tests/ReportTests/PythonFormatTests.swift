import Foundation
import Testing
import Results
import TestSupport
@testable import Report

/// `%20.5g` and `%20s` exactly as Python prints them; the expected strings were printed by
/// CPython 3.11 (`'%20.5g' % value`).
@Suite struct PythonFormatTests {
    @Test(arguments: [
        (0.00012345, "          0.00012345"), (1234567, "          1.2346e+06"), (0, "                   0"),
        (-0.0, "                  -0"), (1e-5, "               1e-05"), (123456, "          1.2346e+05"),
        (99999.5, "               1e+05"), (0.1, "                 0.1"), (2.5, "                 2.5"),
        (0.061234567, "            0.061235"), (-3.14159265, "             -3.1416"), (1e16, "               1e+16"),
        (3, "                   3"), (0.0001, "              0.0001"), (0.00001234, "           1.234e-05"),
        (49, "                  49"), (0.0032, "              0.0032"), (1.00005, "              1.0001"),
        (Double.nan, "                 nan"), (Double.infinity, "                 inf"), (-Double.infinity, "                -inf"),
    ] as [(Double, String)])
    func percent20point5g(value: Double, python: String) {
        #expect(PythonFormat.g(value) == python)
    }

    @Test func percent20sPadsLeftAndNeverTruncates() {
        #expect(PythonFormat.s("epoch") == "               epoch")
        #expect(PythonFormat.s("metrics/mAP_0.5:0.95") == "metrics/mAP_0.5:0.95")
        #expect(PythonFormat.s("a-name-longer-than-twenty") == "a-name-longer-than-twenty")
    }

    @Test func resultsCSVMatchesYOLOv5v7ByteForByte() {
        // Printed by v7's on_fit_epoch_end for these values (header, then epoch 0).
        let header = "               epoch,      train/box_loss,      train/obj_loss,      train/cls_loss,   metrics/precision,      metrics/recall,     metrics/mAP_0.5,metrics/mAP_0.5:0.95,        val/box_loss,        val/obj_loss,        val/cls_loss,               x/lr0,               x/lr1,               x/lr2"
        let row = "                   0,             0.05123,                0.03,                0.02,                 0.5,                 0.4,                 0.6,                0.35,                0.04,               0.025,               0.015,              0.0032,              0.0032,              0.0704"
        let record = EpochRecord(trainBox: 0.05123, trainObj: 0.03, trainCls: 0.02, valBox: 0.04, valObj: 0.025, valCls: 0.015,
                                 precision: 0.5, recall: 0.4, map50: 0.6, map50to95: 0.35, lr0: 0.0032, lr1: 0.0032, lr2: 0.0704,
                                 epochSeconds: 12, imagesPerSecond: 30)
        #expect(YOLOv5ResultsCSV.render([record]) == header + "\n" + row + "\n")
    }
}

@Suite struct DisplayAndScaleTests {
    @Test func durationsReadLikeTheGuide() {
        #expect(DisplayFormat.duration(7560) == "2h06m")
        #expect(DisplayFormat.duration(725) == "12m05s")
        #expect(DisplayFormat.duration(42) == "42.0 s")
        #expect(DisplayFormat.duration(nil) == "—")
        #expect(DisplayFormat.bytes(812_345_678) == "812.3 MB")
        #expect(DisplayFormat.bytes(1_240_000_000) == "1.24 GB")
        #expect(DisplayFormat.count(20_856_975) == "20,856,975")
    }

    @Test(arguments: [
        (0.0, 0.73, 6, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]), (0.31, 0.62, 6, [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65]),
        (0.0, 49.0, 6, [0, 10, 20, 30, 40, 50]), (812.0, 812.0, 5, [700, 750, 800, 850, 900]),
    ] as [(Double, Double, Int, [Double])])
    func niceTicksCoverTheDataWithRoundSteps(minimum: Double, maximum: Double, ticks: Int, expected: [Double]) {
        let scale = NiceScale(minimum: minimum, maximum: maximum, ticks: ticks)
        #expect(scale.lower <= minimum && scale.upper >= maximum)
        #expect(zip(scale.ticks, expected).allSatisfy { abs($0 - $1) < 1e-9 } && scale.ticks.count == expected.count)
    }

    @Test func tickLabelsShowJustTheNeededDecimals() {
        let scale = NiceScale(minimum: 0.31, maximum: 0.62, ticks: 6)
        #expect(scale.ticks.map(scale.label) == ["0.30", "0.35", "0.40", "0.45", "0.50", "0.55", "0.60", "0.65"])
        let epochs = NiceScale(minimum: 0, maximum: 2, ticks: 6, integer: true)
        #expect(epochs.ticks.map(epochs.label) == ["0", "1", "2"])
    }
}
