import Results

/// A scenario's `results.csv` exactly as YOLOv5 v7 writes it (utils/loggers/__init__.py
/// `on_fit_epoch_end`), so existing scripts (`utils/plots.py plot_results`, pandas with
/// `skipinitialspace`) read it: header `('%20s,' * n % keys).rstrip(',')`, rows
/// `('%20.5g,' * n % values).rstrip(',')`, epoch 0-based.
enum YOLOv5ResultsCSV {
    /// The first column, the 0-based epoch.
    static let epochColumn = "epoch"

    /// v7's `Loggers.keys`, in its order, with the epoch field each holds.
    static let columns: [(name: String, field: KeyPath<EpochRecord, Double>)] = [
        ("train/box_loss", \.trainBox), ("train/obj_loss", \.trainObj), ("train/cls_loss", \.trainCls),
        ("metrics/precision", \.precision), ("metrics/recall", \.recall),
        ("metrics/mAP_0.5", \.map50), ("metrics/mAP_0.5:0.95", \.map50to95),
        ("val/box_loss", \.valBox), ("val/obj_loss", \.valObj), ("val/cls_loss", \.valCls),
        ("x/lr0", \.lr0), ("x/lr1", \.lr1), ("x/lr2", \.lr2),
    ]

    /// The file: the header line, then one line per epoch.
    static func render(_ epochs: [EpochRecord]) -> String {
        var lines = [header()]
        for (epoch, record) in epochs.enumerated() { lines.append(row(epoch: epoch, record)) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func header() -> String {
        ([epochColumn] + columns.map(\.name)).map { PythonFormat.s($0) }.joined(separator: ",")
    }

    static func row(epoch: Int, _ record: EpochRecord) -> String {
        ([Double(epoch)] + columns.map { record[keyPath: $0.field] }).map { PythonFormat.g($0) }.joined(separator: ",")
    }
}
