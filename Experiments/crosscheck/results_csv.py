"""YOLOv5's results.csv, read as written by yolov5 7.0.14 (utils/loggers/__init__.py,
`Loggers.on_fit_epoch_end`): a header of `%20s` names and rows of `%20.5g` values, both
comma-separated with leading spaces, one row per epoch (0-based `epoch`). The PyPI fork adds
per-class columns `metrics/<name>_mAP` (AP@0.5:0.95) and `metrics/<name>_mAP_50` (AP@0.5)."""

import csv

from errors import CrossCheckError

# YOLOv5's column -> FreezeStudy's epoch series (the results file's `epochs/<series>`), defined
# once here: the converter and the self-test both read this table.
EPOCH_COLUMNS = {
    "train/box_loss": "train_box",
    "train/obj_loss": "train_obj",
    "train/cls_loss": "train_cls",
    "metrics/precision": "precision",
    "metrics/recall": "recall",
    "metrics/mAP_0.5": "map50",
    "metrics/mAP_0.5:0.95": "map50_95",
    "val/box_loss": "val_box",
    "val/obj_loss": "val_obj",
    "val/cls_loss": "val_cls",
    "x/lr0": "lr0",
    "x/lr1": "lr1",
    "x/lr2": "lr2",
}
EPOCH = "epoch"
# Per-class columns of the PyPI fork: AP@0.5:0.95 and AP@0.5 of one class.
CLASS_AP50_95 = "metrics/{}_mAP"
CLASS_AP50 = "metrics/{}_mAP_50"


class ResultsCSVError(CrossCheckError):
    """A results.csv that cannot be read; the message names the file, the line and the reason."""


class ResultsCSV:
    """The rows of one results.csv: `series[name]` is a list of floats per epoch (FreezeStudy's
    series names), `epochs` the 0-based epoch numbers, `columns` every column by YOLOv5's name."""

    def __init__(self, path):
        self.path = str(path)
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
        if not rows:
            raise ResultsCSVError(f"{self.path}: empty (no header)")
        header = [cell.strip() for cell in rows[0]]
        for name in [EPOCH] + list(EPOCH_COLUMNS):
            if name not in header:
                raise ResultsCSVError(f"{self.path}: line 1: no column '{name}' (columns: {', '.join(header)})")
        duplicate = next((name for name in header if header.count(name) > 1), None)
        if duplicate:
            raise ResultsCSVError(f"{self.path}: line 1: column '{duplicate}' appears twice")
        self.columns = {name: [] for name in header}
        for line, row in enumerate(rows[1:], start=2):
            if len(row) != len(header):
                raise ResultsCSVError(f"{self.path}: line {line}: {len(row)} values for {len(header)} columns")
            for name, cell in zip(header, row):
                try:
                    self.columns[name].append(float(cell))
                except ValueError:
                    raise ResultsCSVError(f"{self.path}: line {line}: column '{name}': '{cell.strip()}' is not a number")
        self.epochs = [int(value) for value in self.columns[EPOCH]]
        if self.epochs != list(range(len(self.epochs))):
            raise ResultsCSVError(f"{self.path}: epochs {self.epochs} are not 0, 1, 2, … (a resumed or appended file?)")
        self.series = {series: self.columns[column] for column, series in EPOCH_COLUMNS.items()}

    def __len__(self):
        return len(self.epochs)

    def per_class(self, names, epoch=-1):
        """AP@0.5 and AP@0.5:0.95 per class at `epoch` (default: the last), in the order of
        `names`; None when the file has no per-class columns (upstream YOLOv5 writes none)."""
        keys50 = [CLASS_AP50.format(name) for name in names]
        keys = [CLASS_AP50_95.format(name) for name in names]
        if not all(key in self.columns for key in keys50 + keys):
            return None
        return [self.columns[key][epoch] for key in keys50], [self.columns[key][epoch] for key in keys]
