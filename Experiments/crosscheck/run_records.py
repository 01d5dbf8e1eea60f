"""What the driver keeps per run, and its conversion into one results file.

    <out>/runs/<scenario>/seed-<seed>/run.json         status, times, command, wall time, peak RSS
                                    /telemetry.jsonl   train_process.py's measurements
                                    /train.log         train.py's output
                                    /train/            train.py's save_dir: results.csv, weights/
    <out>/results.h5                                   every run, FreezeStudy's schema v2"""

import json
import math
import os
import shlex

import yaml

from errors import CrossCheckError
import results_csv
import results_file
import study_plan

RUN_JSON, TELEMETRY, LOG, TRAIN_FOLDER = "run.json", "telemetry.jsonl", "train.log", "train"
RESULTS_FILE = "results.h5"


class RunRecordError(CrossCheckError):
    """A run folder that cannot be read; the message names the file and the reason."""


def run_folder(out, scenario, seed):
    return os.path.join(os.path.abspath(out), "runs", scenario, f"seed-{seed}")


def write_run_json(folder, record):
    temporary = os.path.join(folder, RUN_JSON + ".writing")
    with open(temporary, "w") as handle:
        json.dump(record, handle, indent=1)
    os.replace(temporary, os.path.join(folder, RUN_JSON))


def read_run_json(folder):
    path = os.path.join(folder, RUN_JSON)
    if not os.path.exists(path):
        return None
    try:
        with open(path) as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise RunRecordError(f"{path}: not JSON: {error}")


def results_path(folder):
    return os.path.join(folder, TRAIN_FOLDER, "results.csv")


def results_rows(folder):
    """Epoch rows of the run's results.csv (0 when there is none)."""
    path = results_path(folder)
    return len(results_csv.ResultsCSV(path)) if os.path.exists(path) else 0


def is_complete(folder, epochs):
    """A run is complete when train.py exited cleanly with a results.csv row for every epoch."""
    record = read_run_json(folder)
    return bool(record) and record.get("status") == "complete" and results_rows(folder) == epochs


def read_telemetry(folder):
    """Events of telemetry.jsonl by kind: {'epoch': [...], 'model': [...], …}."""
    events = {}
    path = os.path.join(folder, TELEMETRY)
    if not os.path.exists(path):
        return events
    with open(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                # Only the last line can be cut short (a killed run); anything else is damage.
                if handle.readline():
                    raise RunRecordError(f"{path}: line {line_number}: not JSON")
                break
            events.setdefault(event["event"], []).append(event)
    return events


def class_names(data):
    """Class names of a YOLOv5 data YAML (`names` as a list or an index → name mapping)."""
    with open(data, encoding="utf-8-sig") as handle:
        names = (yaml.safe_load(handle) or {}).get("names")
    if isinstance(names, dict):
        return [str(names[key]) for key in sorted(names)]
    if isinstance(names, list):
        return [str(name) for name in names]
    raise RunRecordError(f"{data}: no 'names' list or mapping")


def _per_class(results, events, names):
    """Final-epoch AP per class; NaN for a class without validation labels, as FreezeStudy records
    it (YOLOv5's CSV shows the mean there)."""
    values = results.per_class(names)
    labels = events.get("val_labels")
    if values is None or not labels:
        return None
    counts = (labels[-1]["counts"] + [0] * len(names))[:len(names)]
    ap50, ap50_95 = ([v if n > 0 else math.nan for v, n in zip(series, counts)] for series in values)
    return {"names": names, "ap50": ap50, "ap50_95": ap50_95, "n_labels": counts, "epoch": len(results) - 1}


def _note(record, events, program_version):
    epochs = events.get("epoch", [])
    loader = max((e.get("loader_rss_peak_bytes") or 0 for e in epochs), default=0)
    nms = sum(e.get("nms_time_limit_warnings", 0) for e in epochs)
    end = (events.get("end") or [{}])[-1]
    changed = end.get("frozen_tensors_changed") or []
    parts = [
        f"trained by {results_file.PROGRAM} ({program_version}) through FreezeStudy's cross-check driver",
        "images_per_second: training images / seconds from train.py's epoch start to its train-epoch end "
        "(validation excluded); epoch_seconds includes validation",
        f"rss_peak_bytes: VmHWM of the training process per epoch; its DataLoader worker processes "
        f"(not included) peaked at {loader / 1e6:.0f} MB each at most",
        f"whole run {record.get('wall_seconds', math.nan):.0f} s wall, peak RSS {record.get('run_rss_peak_bytes', 0) / 1e6:.0f} MB "
        "(largest process)",
    ]
    if nms:
        parts.append(f"NMS time limit exceeded {nms} times in validation (train.py cuts NMS short; FreezeStudy does not)")
    if changed:
        parts.append(f"frozen tensors changed during training: {', '.join(changed[:4])}")
    return "; ".join(parts)


def convert(study, out, data, yolov5_version):
    """Writes <out>/results.h5 from every recorded run of `study`; returns its path."""
    import torch

    names = class_names(data)
    program_version = f"yolov5 {yolov5_version}, torch {torch.__version__}"
    scenarios = []
    for scenario in study.scenarios:
        runs, counts, inputs = [], None, None
        for seed in study.seeds:
            folder = run_folder(out, scenario.name, seed)
            record = read_run_json(folder)
            if record is None or not os.path.exists(results_path(folder)):
                continue
            results = results_csv.ResultsCSV(results_path(folder))
            events = read_telemetry(folder)
            counts = counts or (events.get("model") or [None])[0]
            inputs = inputs or {key: f"train.py: {os.path.basename(os.path.dirname(path))}/{os.path.basename(path)}"
                                for key, path in record.get("inputs", {}).items()}
            end = (events.get("end") or [{}])[-1]
            complete = record.get("status") == "complete" and len(results) == scenario.settings["epochs"]
            attrs = {
                "started": results_file.timestamp(record["started"]),
                "command": " ".join(shlex.quote(part) for part in record["command"]),
                "threads": record["threads"],
                "note": _note(record, events, program_version),
                "frozen_tensors_checked": end.get("frozen_tensors_checked", 0),
                "frozen_tensors_unchanged": not end.get("frozen_tensors_changed"),
            }
            if "finished" in record:
                attrs["finished"] = results_file.timestamp(record["finished"])
            if "wall_seconds" in record:
                attrs["wall_seconds"] = float(record["wall_seconds"])
                attrs["run_rss_peak_bytes"] = float(record["run_rss_peak_bytes"])
            runs.append({"seed": seed, "status": "complete" if complete else "running", "attrs": attrs,
                         "results": results, "epochs": events.get("epoch", []),
                         "per_class": _per_class(results, events, names) if complete else None})
        if not runs:
            continue
        attrs = {"freeze": scenario.freeze_text, "freeze_patterns": scenario.patterns, "bn": scenario.settings["bn"],
                 "config_json": study_plan.scenario_config_json(study, scenario, inputs)}
        for key in ("trainable_tensors", "trainable_parameters", "frozen_tensors", "frozen_parameters"):
            attrs[key] = int(counts[key]) if counts else 0
        scenarios.append({"name": scenario.name, "order": scenario.order, "attrs": attrs, "runs": runs})
    path = os.path.join(out, RESULTS_FILE)
    results_file.write(path, study.name, scenarios, program_version)
    return path
