/// The human-readable summary `freeze-study data check` prints for a dataset split.
public enum DatasetSummary {
    /// Images, objects per class, difficult objects, and every problem grouped by kind with its file and reason.
    public static func text(_ dataset: DetectionDataset, split: DataSplit, maximumProblemsShown: Int = 20) -> String {
        var lines: [String] = []
        let objects = dataset.objectsPerClass
        let kept = dataset.samples.reduce(0) { $0 + $1.objects.filter(\.difficult).count }
        lines.append("split \(split.rawValue): \(dataset.samples.count) images, \(objects.reduce(0, +)) objects, "
                     + "\(dataset.classCount) classes, \(dataset.samples.filter { $0.objects.isEmpty }.count) background images")
        let difficult = dataset.difficultObjectsPerClass.reduce(0, +)
        let fate = difficult == 0 ? "" : kept > 0 ? " (kept in the samples, flagged; never trained on)"
            : " (left out of the labels, as YOLOv5's VOC conversion does)"
        lines.append("difficult objects: \(difficult)\(fate)")
        let width = max(dataset.classNames.map(\.count).max() ?? 0, 5)
        lines.append("  " + "class".padding(toLength: width, withPad: " ", startingAt: 0) + "  objects  difficult")
        for (i, name) in dataset.classNames.enumerated() {
            let count = String(objects[i]), hard = String(dataset.difficultObjectsPerClass[i])
            lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                         + "  " + String(repeating: " ", count: max(0, 7 - count.count)) + count
                         + "  " + String(repeating: " ", count: max(0, 9 - hard.count)) + hard)
        }
        let skipped = dataset.problems.filter(\.skipped), repaired = dataset.problems.filter { !$0.skipped }
        lines.append("skipped: \(skipped.count) files; warnings (sample kept): \(repaired.count)")
        for kind in DataProblem.Kind.allCases {
            let ofKind = dataset.problems.filter { $0.kind == kind }
            guard !ofKind.isEmpty else { continue }
            lines.append("  \(kind.rawValue): \(ofKind.count)")
        }
        for problem in dataset.problems.prefix(maximumProblemsShown) { lines.append("  - \(problem)") }
        if dataset.problems.count > maximumProblemsShown {
            lines.append("  … and \(dataset.problems.count - maximumProblemsShown) more")
        }
        return lines.joined(separator: "\n")
    }
}
