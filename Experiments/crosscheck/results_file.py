"""YOLOv5's runs written as a FreezeStudy results file (schema version 2), so that FreezeStudy's
own reader and report read them like its own:

    /                       schema_version (2), study_name, configuration_digest, tool_version,
                            created, machine_{cores,cpu,blas}, program, program_version
    /scenarios/<name>/      freeze, freeze_patterns, bn, {trainable,frozen}_{tensors,parameters},
                            config_json, order
       seeds/<seed>/        seed, status, started, finished, command, tool_version,
                            machine_{cores,cpu,blas}, threads, world_size, frozen_tensors_checked,
                            frozen_tensors_unchanged, note, wall_seconds, run_rss_peak_bytes
          epochs/<series>   float64 per epoch; NaN where YOLOv5 has no such measurement
          iterations/…      loss, images_per_second, tracked_bytes (NaN), epoch
          per_class/        ap50, ap50_95, n_labels, names (attr epoch)

Epoch series from results.csv (results_csv.EPOCH_COLUMNS) and from the driver's telemetry:
`epoch_seconds` (train + validation, as FreezeStudy's), `images_per_second` (training images ÷
training seconds, validation excluded), `cpu_utilization`, `rss_peak_bytes` (the training
process's VmHWM during the epoch), `data_wait_fraction`. `tracked_peak_bytes` is NaN: FreezeStudy's
memory meter has no PyTorch-on-CPU counterpart."""

import hashlib
import json
import math
import os
import platform
import re
from datetime import datetime, timezone

import h5py
import numpy as np

SCHEMA_VERSION = 2
# Every epoch series of FreezeStudy's schema (Sources/Results/ResultsSchema.swift, EpochSeries.all).
EPOCH_SERIES = [
    "train_box", "train_obj", "train_cls", "val_box", "val_obj", "val_cls", "precision", "recall", "map50",
    "map50_95", "lr0", "lr1", "lr2", "epoch_seconds", "images_per_second", "cpu_utilization",
    "tracked_peak_bytes", "rss_peak_bytes", "data_wait_fraction",
]
ITERATION_SERIES = ["loss", "images_per_second", "tracked_bytes"]
ITERATION_EPOCH = "epoch"
EPOCH_CHUNK, ITERATION_CHUNK = 64, 1024  # FreezeStudy's chunk lengths
PROGRAM = "YOLOv5 train.py"


def timestamp(seconds=None):
    """ISO 8601 in UTC with whole seconds, as FreezeStudy writes (`2025-03-01T14:05:09Z`)."""
    moment = datetime.fromtimestamp(seconds, timezone.utc) if seconds is not None else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def machine():
    """(cores, CPU model, BLAS) of this machine, as the results file's machine_* attributes."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    except OSError:
        pass
    import torch
    config = torch.__config__.show()

    def found(pattern):
        match = re.search(pattern, config)
        return match.group(1) if match else "unknown"

    blas, onednn, isa = found(r"BLAS_INFO=([^,\s]+)"), found(r"MKL-DNN (v[0-9.]+)"), found(r"CPU capability usage: (\S+)")
    return os.cpu_count() or 0, cpu, f"PyTorch {torch.__version__} CPU: BLAS {blas}, oneDNN {onednn}, {isa}"


def _string_array(values):
    return np.array(list(values), dtype=h5py.string_dtype())


def _series(group, name, values, chunk):
    """An extendable float64 series, as FreezeStudy writes them; chunks no longer than the data."""
    data = np.asarray(values, dtype=np.float64)
    group.create_dataset(name, data=data, maxshape=(None,), chunks=(max(1, min(chunk, len(data))),))


def epoch_series(results, epochs):
    """Every epoch series of one run: results.csv's columns and the telemetry's `epoch` events
    (by epoch; a missing event leaves NaN)."""
    n = len(results)
    series = {name: [math.nan] * n for name in EPOCH_SERIES}
    for name, values in results.series.items():
        series[name] = list(values)
    for event in epochs:
        e = event["epoch"]
        if not 0 <= e < n:
            continue
        series["epoch_seconds"][e] = event["epoch_seconds"]
        series["images_per_second"][e] = event["train_images"] / event["train_seconds"]
        series["cpu_utilization"][e] = event["cpu_utilization"]
        series["rss_peak_bytes"][e] = float(event["rss_peak_bytes"]) if event.get("rss_peak_bytes") else math.nan
        series["data_wait_fraction"][e] = event["data_wait_seconds"] / event["train_seconds"]
    return series


def iteration_series(epochs, n):
    """Per-iteration loss and images/s of the epochs results.csv holds, with their epoch."""
    out = {name: [] for name in ITERATION_SERIES + [ITERATION_EPOCH]}
    for event in sorted(epochs, key=lambda event: event["epoch"]):
        if not 0 <= event["epoch"] < n:
            continue
        for iteration in event["iterations"]:
            out["loss"].append(iteration["loss"])
            out["images_per_second"].append(iteration["images"] / iteration["seconds"] if iteration["seconds"] > 0 else math.nan)
            out["tracked_bytes"].append(math.nan)
            out[ITERATION_EPOCH].append(float(event["epoch"]))
    return out


def write(path, study_name, scenarios, program_version, created=None):
    """Writes the results file at `path` (replacing it atomically) from `scenarios`: a list of
    dicts {name, order, attrs (scenario attributes), runs: [run dicts]} where a run dict holds
    seed, attrs (run attributes), results (a ResultsCSV), epochs (telemetry `epoch` events),
    per_class (None or {names, ap50, ap50_95, n_labels, epoch})."""
    cores, cpu, blas = machine()
    digest = hashlib.sha256(json.dumps([[s["name"], s["attrs"].get("config_json", "")] for s in scenarios]
                                       + [program_version], sort_keys=True).encode()).hexdigest()[:16]
    temporary = f"{path}.writing"
    # HDF5 1.10's file format: what FreezeStudy's HDF5 library (1.10 on Debian and Ubuntu LTS) reads,
    # whatever newer HDF5 h5py carries.
    with h5py.File(temporary, "w", libver=("v110", "v110")) as file:
        root = file.attrs
        root["schema_version"] = np.int64(SCHEMA_VERSION)
        root["study_name"] = study_name
        root["configuration_digest"] = digest
        root["tool_version"] = f"{PROGRAM} ({program_version})"
        root["program"] = PROGRAM
        root["program_version"] = program_version
        root["created"] = created or timestamp()
        root["machine_cores"], root["machine_cpu"], root["machine_blas"] = np.int64(cores), cpu, blas
        top = file.create_group("scenarios")
        for scenario in scenarios:
            group = top.create_group(scenario["name"])
            for key, value in scenario["attrs"].items():
                group.attrs[key] = _attribute(value)
            group.attrs["order"] = np.int64(scenario["order"])
            seeds = group.create_group("seeds")
            for run in scenario["runs"]:
                _write_run(seeds.create_group(str(run["seed"])), run, (cores, cpu, blas), program_version)
    os.replace(temporary, path)
    return digest


def _attribute(value):
    if isinstance(value, bool):
        return np.int64(int(value))
    if isinstance(value, int):
        return np.int64(value)
    if isinstance(value, float):
        return np.float64(value)
    if isinstance(value, (list, tuple)):
        return _string_array(value)
    return str(value)


def _write_run(group, run, machine_values, program_version):
    group.attrs["seed"] = np.int64(run["seed"])
    group.attrs["tool_version"] = f"{PROGRAM} ({program_version})"
    group.attrs["machine_cores"], group.attrs["machine_cpu"], group.attrs["machine_blas"] = (
        np.int64(machine_values[0]), machine_values[1], machine_values[2])
    group.attrs["world_size"] = np.int64(1)
    for key, value in run["attrs"].items():
        group.attrs[key] = _attribute(value)
    n = len(run["results"])
    epochs = group.create_group("epochs")
    for name, values in epoch_series(run["results"], run["epochs"]).items():
        _series(epochs, name, values, EPOCH_CHUNK)
    iterations = group.create_group("iterations")
    for name, values in iteration_series(run["epochs"], n).items():
        _series(iterations, name, values, ITERATION_CHUNK)
    per_class = run.get("per_class")
    if per_class:
        pc = group.create_group("per_class")
        pc.create_dataset("ap50", data=np.asarray(per_class["ap50"], dtype=np.float64))
        pc.create_dataset("ap50_95", data=np.asarray(per_class["ap50_95"], dtype=np.float64))
        pc.create_dataset("n_labels", data=np.asarray(per_class["n_labels"], dtype=np.int64))
        pc.create_dataset("names", data=_string_array(per_class["names"]))
        pc.attrs["epoch"] = np.int64(per_class["epoch"])
    # Written last, as FreezeStudy does: a run with a status was written completely.
    group.attrs["status"] = run["status"]
