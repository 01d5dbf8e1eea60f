"""The driver's own tests (`crosscheck.py --self-test`): the results.csv columns and the results
file, the study file's mapping to train.py arguments, and the starting weights. results.csv is
written by yolov5's own `Loggers.on_fit_epoch_end`, so the test reads the real format."""

import argparse
import json
import logging
import math
import os
import struct
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np
import torch

from errors import CrossCheckError
import results_csv
import run_records
import start_weights
import study_plan
import train_process

HERE = os.path.dirname(os.path.abspath(__file__))
EXPERIMENTS = os.path.dirname(HERE)
CLASS_NAMES = ["cat", "dining table", "dog"]  # a space, as in names YOLOv5 users write


def write_results_csv_with_yolov5(folder, rows, class_names=CLASS_NAMES):
    """results.csv written by yolov5 7.0.14's own logger, one call per epoch as train.py makes it."""
    from yolov5.utils.loggers import Loggers

    options = argparse.Namespace(noplots=True, s3_upload_dir=None, evolve=False)
    loggers = Loggers(save_dir=Path(folder), weights="", opt=options, hyp={}, logger=logging.getLogger("selftest"),
                      include=(), class_names=class_names)
    for epoch, values in enumerate(rows):
        loggers.on_fit_epoch_end(list(values), epoch, 0.0, 0.0)
    return os.path.join(folder, "results.csv")


def distinct_row(epoch, columns):
    """Values that tell every column and epoch apart at %20.5g: column k, epoch e → (k + 1) + e/100."""
    return [(k + 1) + epoch / 100 for k in range(columns)]


def write_safetensors(path, tensors, metadata=None):
    """A safetensors file written from the format's definition (independent of the reader)."""
    names = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        raw = tensor.contiguous().numpy().tobytes()
        header[name] = {"dtype": names[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class ResultsCSVTests(unittest.TestCase):
    def test_every_column_maps_to_its_series(self):
        with tempfile.TemporaryDirectory() as folder:
            columns = len(results_csv.EPOCH_COLUMNS) + 2 * len(CLASS_NAMES)
            path = write_results_csv_with_yolov5(folder, [distinct_row(e, columns) for e in range(3)])
            with open(path) as handle:
                header = handle.readline()
            self.assertTrue(header.startswith(" " * 15 + "epoch,"), "yolov5 pads names to 20 characters")
            results = results_csv.ResultsCSV(path)
            self.assertEqual(results.epochs, [0, 1, 2])
            # yolov5's Loggers.keys order: train losses, P, R, mAP@0.5, mAP@0.5:0.95, val losses, lrs.
            order = ["train_box", "train_obj", "train_cls", "precision", "recall", "map50", "map50_95",
                     "val_box", "val_obj", "val_cls", "lr0", "lr1", "lr2"]
            self.assertEqual(sorted(results.series), sorted(order))
            for k, series in enumerate(order):
                for epoch in range(3):
                    # %20.5g keeps 5 significant digits: exact for these values.
                    self.assertEqual(results.series[series][epoch], (k + 1) + epoch / 100, f"{series} epoch {epoch}")
            ap50, ap50_95 = results.per_class(CLASS_NAMES)
            first_class = len(order) + 1
            self.assertEqual(ap50_95, [first_class + c + 0.02 for c in range(3)])  # metrics/<name>_mAP
            self.assertEqual(ap50, [first_class + 3 + c + 0.02 for c in range(3)])  # metrics/<name>_mAP_50

    def test_five_significant_digits_round_trip(self):
        with tempfile.TemporaryDirectory() as folder:
            row = [0.0123456789, 0.5, 1e-7, 0.987654321, 0.5, 0.4567891, 0.23456789, 0.1, 0.2, 0.3, 0.0032, 0.0031, 0.05]
            path = write_results_csv_with_yolov5(folder, [row + [0.0] * 6])
            results = results_csv.ResultsCSV(path)
            self.assertEqual(results.series["map50"], [0.45679])
            self.assertEqual(results.series["map50_95"], [0.23457])
            self.assertEqual(results.series["train_box"], [0.012346])
            self.assertEqual(results.series["train_cls"], [1e-7])

    def test_bad_files_name_file_line_and_column(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "results.csv")
            header = ",".join(["epoch"] + list(results_csv.EPOCH_COLUMNS))
            for body, expected in [("", "empty"), ("epoch,x/lr0\n0,1\n", "line 1: no column 'train/box_loss'"),
                                   (header + "\n0" + ",1" * 12 + "\n", "line 2: 13 values for 14 columns"),
                                   (header + "\n0" + ",1" * 12 + ",nan?\n", "line 2: column 'x/lr2': 'nan?'"),
                                   (header + "\n1" + ",1" * 13 + "\n", "are not 0, 1, 2")]:
                with open(path, "w") as handle:
                    handle.write(body)
                with self.assertRaises(CrossCheckError) as caught:
                    results_csv.ResultsCSV(path)
                self.assertIn(path, str(caught.exception))
                self.assertIn(expected, str(caught.exception))

    def test_crlf_and_bom(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "results.csv")
            header = ",".join(["epoch"] + list(results_csv.EPOCH_COLUMNS))
            with open(path, "w", newline="") as handle:
                handle.write("\ufeff" + header + "\r\n0" + ",0.5" * 13)
            self.assertEqual(results_csv.ResultsCSV(path).series["map50"], [0.5])


def make_run(out, scenario, seed, epochs, complete=True):
    """A run folder as the driver leaves it: results.csv by yolov5's own logger, telemetry, run.json."""
    folder = run_records.run_folder(out, scenario, seed)
    os.makedirs(os.path.join(folder, run_records.TRAIN_FOLDER))
    columns = len(results_csv.EPOCH_COLUMNS) + 2 * len(CLASS_NAMES)
    write_results_csv_with_yolov5(os.path.join(folder, run_records.TRAIN_FOLDER),
                                  [distinct_row(e, columns) for e in range(epochs)])
    with open(os.path.join(folder, run_records.TELEMETRY), "w") as handle:
        handle.write(json.dumps({"event": "val_labels", "images": 5, "counts": [4, 0, 2]}) + "\n")
        handle.write(json.dumps({"event": "model", "trainable_tensors": 10, "trainable_parameters": 1000,
                                 "frozen_tensors": 5, "frozen_parameters": 500}) + "\n")
        for e in range(epochs):
            iterations = [{"images": 8, "seconds": 0.5, "loss": 1.0 + e}, {"images": 4, "seconds": 0.25, "loss": 2.0}]
            handle.write(json.dumps({"event": "epoch", "epoch": e, "train_seconds": 2.0, "epoch_seconds": 3.0,
                                     "train_images": 12, "data_wait_seconds": 0.5, "cpu_utilization": 0.9,
                                     "rss_peak_bytes": 1000 + e, "loader_rss_peak_bytes": 10,
                                     "nms_time_limit_warnings": 0, "iterations": iterations}) + "\n")
        if complete:
            handle.write(json.dumps({"event": "end", "frozen_tensors_checked": 5, "frozen_tensors_changed": []}) + "\n")
    run_records.write_run_json(folder, {"scenario": scenario, "seed": seed, "status": "complete" if complete else "failed",
                                        "started": 1.7e9, "finished": 1.7e9 + 60, "command": ["python", "x y"],
                                        "threads": 2, "wall_seconds": 60.0, "run_rss_peak_bytes": 123456})


def make_converted_study(out):
    """A tiny study (none and backbone, seeds 0 and 4, 2 epochs) recorded as the driver records it,
    converted: `backbone` has both seeds complete, `none` one failed run. Returns the results file."""
    study_path = os.path.join(out, "study.yaml")
    with open(study_path, "w") as handle:
        handle.write("name: tiny\nepochs: 2\nseeds: [0, 4]\nscenarios:\n  - name: none\n    freeze: none\n"
                     "  - name: backbone\n    freeze: 10\n")
    data = os.path.join(out, "data.yaml")
    with open(data, "w") as handle:
        handle.write("path: .\ntrain: images/train\nval: images/val\nnames:\n  0: cat\n  1: dining table\n  2: dog\n")
    for seed in (0, 4):
        make_run(out, "backbone", seed, 2)
    make_run(out, "none", 0, 1, complete=False)
    return run_records.convert(study_plan.load_study(study_path), out, data, "7.0.14")


def write_test_fixture(path):
    """Writes make_converted_study's results file to `path` (the Swift test reads it back)."""
    import shutil
    with tempfile.TemporaryDirectory() as out:
        shutil.copyfile(make_converted_study(out), path)


class ResultsFileTests(unittest.TestCase):
    """A run folder as the driver leaves it, converted, and read back with h5py."""

    def test_converted_file_has_freezestudy_schema(self):
        with tempfile.TemporaryDirectory() as out:
            path = make_converted_study(out)
            with h5py.File(path, "r") as file:
                self.assertEqual(file.attrs["schema_version"], 2)
                self.assertEqual(file.attrs["study_name"], "tiny")
                self.assertIn("YOLOv5 train.py", file.attrs["tool_version"])
                self.assertEqual(list(file["scenarios"]), ["backbone", "none"])
                backbone = file["scenarios/backbone"]
                self.assertEqual(backbone.attrs["order"], 1)
                self.assertEqual(backbone.attrs["freeze"], "10")
                self.assertEqual([p.decode() if isinstance(p, bytes) else p for p in backbone.attrs["freeze_patterns"]],
                                 [f"model.{i}." for i in range(10)])
                self.assertEqual(backbone.attrs["frozen_parameters"], 500)
                self.assertEqual(json.loads(backbone.attrs["config_json"])["nominal_batch_size"], 64)
                self.assertEqual(sorted(backbone["seeds"]), ["0", "4"])
                run = backbone["seeds/4"]
                self.assertEqual(run.attrs["status"], "complete")
                self.assertEqual(run.attrs["seed"], 4)
                self.assertEqual(run.attrs["started"], "2023-11-14T22:13:20Z")
                self.assertEqual(run.attrs["frozen_tensors_checked"], 5)
                self.assertEqual(run.attrs["frozen_tensors_unchanged"], 1)
                self.assertEqual(run.attrs["command"], "python 'x y'")
                epochs = run["epochs"]
                self.assertEqual(epochs["map50"][:].tolist(), [6.0, 6.01])  # metrics/mAP_0.5 is column 6
                self.assertEqual(epochs["lr2"][:].tolist(), [13.0, 13.01])
                self.assertEqual(epochs["images_per_second"][:].tolist(), [6.0, 6.0])  # 12 images / 2 s
                self.assertEqual(epochs["epoch_seconds"][:].tolist(), [3.0, 3.0])
                self.assertEqual(epochs["data_wait_fraction"][:].tolist(), [0.25, 0.25])
                self.assertEqual(epochs["rss_peak_bytes"][:].tolist(), [1000.0, 1001.0])
                self.assertTrue(all(math.isnan(v) for v in epochs["tracked_peak_bytes"][:]))
                self.assertEqual(sorted(epochs), sorted(__import__("results_file").EPOCH_SERIES))
                iterations = run["iterations"]
                self.assertEqual(iterations["epoch"][:].tolist(), [0, 0, 1, 1])
                self.assertEqual(iterations["loss"][:].tolist(), [1.0, 2.0, 2.0, 2.0])
                self.assertEqual(iterations["images_per_second"][:].tolist(), [16.0] * 4)
                per_class = run["per_class"]
                self.assertEqual(per_class["n_labels"][:].tolist(), [4, 0, 2])
                ap50 = per_class["ap50"][:].tolist()
                self.assertEqual(ap50[0], 17.01)
                self.assertTrue(math.isnan(ap50[1]), "a class without validation labels has no AP")
                self.assertEqual(per_class["ap50_95"][:].tolist()[2], 16.01)
                none = file["scenarios/none/seeds/0"]
                self.assertEqual(none.attrs["status"], "running", "a failed run is not complete")
                self.assertNotIn("per_class", none)


class StudyPlanTests(unittest.TestCase):
    def write(self, folder, text):
        path = os.path.join(folder, "study.yaml")
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def test_freeze_arguments_follow_train_py(self):
        # train.py: one value N freezes 0 … N−1; two or more are indices.
        self.assertEqual(study_plan.freeze_arguments([]), ["0"])
        self.assertEqual(study_plan.freeze_arguments(list(range(10))), ["10"])
        self.assertEqual(study_plan.freeze_arguments([5]), ["5", "5"])
        self.assertEqual(study_plan.freeze_arguments([2, 3, 4]), ["2", "3", "4"])

    def test_specs_read_as_freezestudy_reads_them(self):
        fail = lambda reason: CrossCheckError(reason)  # noqa: E731
        self.assertEqual(study_plan._freeze("none", fail)[0], [])
        self.assertEqual(study_plan._freeze(24, fail)[0], list(range(24)))
        self.assertEqual(study_plan._freeze("0-9", fail)[0], list(range(10)))
        self.assertEqual(study_plan._freeze([3], fail)[0], [3])
        self.assertEqual(study_plan._freeze("[0, 2]", fail)[0], [0, 2])
        self.assertIsNone(study_plan._freeze("model.2.cv1.", fail)[0])

    def test_the_repository_study_maps_to_train_py(self):
        study = study_plan.load_study(os.path.join(EXPERIMENTS, "crosscheck.yaml"))
        self.assertGreaterEqual(len(study.seeds), 3)
        self.assertEqual([s.name for s in study.scenarios], ["none", "backbone", "all-but-detect"])
        arguments = study_plan.train_arguments(study, study.scenarios[2], 7, weights="w.pt", data="d.yaml",
                                               hyp="h.yaml", project="p", name="train")
        given = dict(zip(arguments[::2], arguments[1::2]))
        self.assertEqual(arguments[arguments.index("--freeze") + 1], "24")
        self.assertEqual(given["--seed"], "7")
        self.assertEqual(given["--batch-size"], str(study.scenarios[2].settings["batch_size"]))
        self.assertTrue(os.path.isabs(given["--weights"]) and os.path.isabs(given["--hyp"]))
        self.assertIn("--noautoanchor", arguments)

    def test_the_crosscheck_study_is_the_default_study_but_what_it_says(self):
        import yaml
        with open(os.path.join(EXPERIMENTS, "crosscheck.yaml")) as handle:
            crosscheck = yaml.safe_load(handle)
        with open(os.path.join(EXPERIMENTS, "freeze-study.yaml")) as handle:
            default = yaml.safe_load(handle)
        # Its header names these differences; everything else (data, pretraining: the committed
        # checkpoint's configuration) must stay the default study's.
        differences = {"name", "epochs", "seed", "seeds", "nominal_batch_size"}
        for key in (set(crosscheck) | set(default)) - differences:
            self.assertEqual(crosscheck.get(key), default.get(key), key)
        self.assertEqual(crosscheck["nominal_batch_size"], study_plan.TRAIN_PY_NOMINAL_BATCH_SIZE)

    def test_what_train_py_cannot_follow_is_refused_with_its_line(self):
        with tempfile.TemporaryDirectory() as folder:
            cases = [
                ("name: s\nnominal_batch_size: 16\nscenarios:\n  - {name: a, freeze: 10}\n", ":2: 'nominal_batch_size'"),
                ("name: s\nscenarios:\n  - name: a\n    freeze: 10\n    bn: frozen\n", ":5: 'bn'"),
                ("name: s\nscenarios:\n  - name: a\n    freeze: model.2.cv1.\n", ":4: 'freeze'"),
                ("name: s\nscenarios:\n  - name: a\n    freeze: 10\n    unfreeze_at: 5\n", ":5: 'unfreeze_at'"),
                ("name: s\nseed: 1\nseeds: 3\nscenarios:\n  - {name: a, freeze: 10}\n", ":3: 'seeds'"),
            ]
            for text, expected in cases:
                path = self.write(folder, text)
                with self.assertRaises(CrossCheckError) as caught:
                    study_plan.load_study(path)
                self.assertIn(path + expected, str(caught.exception))

    def test_seeds(self):
        with tempfile.TemporaryDirectory() as folder:
            for line, seeds in [("seeds: 3", [0, 1, 2]), ("seeds: [4, 9]", [4, 9]), ("seed: 5", [5]), ("", [0])]:
                path = self.write(folder, f"name: s\n{line}\nscenarios:\n  - {{name: a, freeze: 10}}\n")
                self.assertEqual(study_plan.load_study(path).seeds, seeds)


class StartWeightsTests(unittest.TestCase):
    model_yaml = os.path.join(EXPERIMENTS, "models", "yolov5n.yaml")

    def source_state(self, nc):
        from yolov5.models.yolo import Model

        torch.manual_seed(0)
        model = Model(self.model_yaml, ch=3, nc=nc)
        state = {k: v.clone() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
        for v in state.values():
            if v.is_floating_point():
                v.add_(torch.randn_like(v) * 0.01)  # not the initialisation: loading must carry these
        return state

    def test_checkpoint_loads_every_tensor_and_prefers_the_ema(self):
        state = self.source_state(nc=7)
        with tempfile.TemporaryDirectory() as folder:
            source = os.path.join(folder, "start.safetensors")
            tensors = {"ema/" + k: v for k, v in state.items()}
            tensors.update({"model/" + k: torch.zeros_like(v) for k, v in state.items()})
            tensors["momentum/model.0.conv.weight"] = torch.ones(1)
            write_safetensors(source, tensors, {"format": "freezestudy-checkpoint-1"})
            report = start_weights.prepare(self.model_yaml, source, os.path.join(folder, "start.pt"))
            self.assertEqual(report["classes"], 7)
            self.assertEqual(report["tensors"], len(state))
            saved = torch.load(os.path.join(folder, "start.pt"), weights_only=False)["model"].state_dict()
            for name, tensor in state.items():
                self.assertTrue(torch.equal(saved[name], tensor), name)
            self.assertEqual(saved["model.0.conv.weight"].dtype, torch.float32, "float32, not train.py's float16")

    def test_missing_extra_or_misshapen_tensors_are_errors(self):
        state = self.source_state(nc=7)
        with tempfile.TemporaryDirectory() as folder:
            source = os.path.join(folder, "start.safetensors")
            for change, expected in [
                (lambda s: s.pop("model.3.bn.running_var"), "1 missing: model.3.bn.running_var"),
                (lambda s: s.__setitem__("model.99.weight", torch.zeros(1)), "1 not in the model: model.99.weight"),
                (lambda s: s.__setitem__("model.2.cv1.conv.weight", torch.zeros(1, 1, 1, 1)), "1 of another shape"),
            ]:
                broken = dict(state)
                change(broken)
                write_safetensors(source, broken)
                with self.assertRaises(CrossCheckError) as caught:
                    start_weights.prepare(self.model_yaml, source, os.path.join(folder, "start.pt"))
                self.assertIn(source, str(caught.exception))
                self.assertIn(expected, str(caught.exception))

    def test_a_committed_checkpoint_must_match_its_manifest(self):
        with tempfile.TemporaryDirectory() as folder:
            source = os.path.join(folder, "yolov5n-source-x.safetensors")
            write_safetensors(source, {"ema/a": torch.ones(4)})
            manifest = os.path.join(folder, "yolov5n-source-x.manifest.yaml")
            self.assertIsNone(start_weights.check_manifest(source), "no manifest: nothing to check")
            import hashlib
            right = hashlib.sha256(open(source, "rb").read()).hexdigest()
            with open(manifest, "w") as handle:
                handle.write(f"file: yolov5n-source-x.safetensors\nsha256: {right}\n")
            self.assertEqual(start_weights.check_manifest(source), right)
            with open(manifest, "w") as handle:
                handle.write(f"sha256: {'0' * 64}\n")
            with self.assertRaises(CrossCheckError) as caught:
                start_weights.check_manifest(source)
            self.assertIn(manifest, str(caught.exception))

    def test_truncated_safetensors_is_an_error(self):
        with tempfile.TemporaryDirectory() as folder:
            source = os.path.join(folder, "start.safetensors")
            write_safetensors(source, {"a": torch.ones(4)})
            with open(source, "rb+") as handle:
                handle.truncate(os.path.getsize(source) - 1)
            with self.assertRaises(CrossCheckError) as caught:
                start_weights.read_safetensors(source)
            self.assertIn("tensor 'a'", str(caught.exception))


class TelemetryTests(unittest.TestCase):
    def test_batch_losses_from_train_py_running_means(self):
        with tempfile.TemporaryDirectory() as folder:
            telemetry = train_process.Telemetry(os.path.join(folder, "t.jsonl"), 2, "unused.pt")
            telemetry.on_train_epoch_start()
            losses = [[0.3, 0.2, 0.1], [0.5, 0.1, 0.4], [0.2, 0.2, 0.2]]
            means = torch.zeros(3)
            images = torch.zeros(8, 3, 4, 4)
            for i, items in enumerate(losses):
                means = (means * i + torch.tensor(items)) / (i + 1)  # train.py's mloss update
                telemetry.model = object()  # not the first batch of the run: no model event needed
                telemetry.on_train_batch_end(None, images, list(means))
            for recorded, items in zip(telemetry.iterations, losses):
                self.assertAlmostEqual(recorded["loss"], sum(items), places=6)  # float32 running means
                self.assertEqual(recorded["images"], 8)


def run():
    """Runs every test; returns the exit status."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(__import__(__name__))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1
