"""A FreezeStudy study file read the way FreezeStudy reads it (Sources/Study/StudyFile.swift:
shared settings, per-scenario overrides, `seed: S` or `seeds: N | [..]`, paths relative to the
study file), and each (scenario, seed) turned into the arguments of YOLOv5's train.py.

Only what train.py can be told is accepted; a setting it cannot follow stops the driver with the
study file, the line and the reason, rather than running something else under the same name."""

import json
import os
import re
from dataclasses import dataclass, field

import yaml

from errors import CrossCheckError

# FreezeStudy's defaults for a study file that does not set them (StudySettings.defaults).
DEFAULTS = {
    "model": "models/yolov5n.yaml", "data": "synthetic", "weights": "pretrained", "image_size": 320,
    "batch_size": 16, "epochs": 10, "hyp": "hyps/hyp.finetune.yaml", "bn": "update", "schedule": "linear",
    "nominal_batch_size": 64, "val_batch_size": None, "workers": 1, "cache": "ram",
}
SETTING_KEYS = set(DEFAULTS)
TOP_KEYS = SETTING_KEYS | {"name", "seed", "seeds", "synthetic", "pretraining", "scenarios", "description"}
SCENARIO_KEYS = SETTING_KEYS | {"name", "freeze"}

# What train.py fixes and FreezeStudy makes a setting (yolov5 7.0.14 train.py).
TRAIN_PY_NOMINAL_BATCH_SIZE = 64  # `nbs = 64  # nominal batch size`
TRAIN_PY_BATCH_NORM = "update"  # frozen layers stay in train() mode: BN statistics keep moving
# Keys v7's train.py reads that older hyp files (hyp.finetune.yaml up to v5.0) lack, with the value
# that changes nothing: copy_paste needs segment labels, which a box dataset has not.
TRAIN_PY_HYP_ADDITIONS = {"copy_paste": 0.0}


class StudyError(CrossCheckError):
    """A study file the driver cannot run in train.py; the message names the file, line and field."""


@dataclass
class Scenario:
    """One scenario: its name, freeze spec as written, the layer indices it freezes (None: name
    patterns), the name patterns, its settings and its line in the study file."""
    name: str
    freeze_text: str
    layers: list
    patterns: list
    settings: dict
    line: int
    order: int


@dataclass
class Study:
    """A study file: its name, path, seeds and scenarios."""
    name: str
    path: str
    seeds: list
    scenarios: list
    embedded: dict = field(default_factory=dict)

    def resolve(self, path):
        """A path of the study file, relative to the study file's folder."""
        return path if os.path.isabs(path) else os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(self.path)), path))


def _lines(node):
    """Python values from a YAML node, and the 1-based line of every mapping key (by key path)."""
    lines = {}

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key_node, value_node in node.value:
                key = key_node.value
                lines[path + (key,)] = key_node.start_mark.line + 1
                out[key] = walk(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [walk(item, path + (index,)) for index, item in enumerate(node.value)]
        return yaml.SafeLoader(" ").construct_object(node, deep=True)

    return walk(node, ()), lines


def load_study(path):
    """Reads a study file; raises StudyError naming the file, line and reason."""
    with open(path, encoding="utf-8-sig") as handle:
        try:
            node = yaml.compose(handle, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            raise StudyError(f"{path}: not YAML: {error}")
    if not isinstance(node, yaml.MappingNode):
        raise StudyError(f"{path}: a study file is a mapping of settings and 'scenarios'")
    root, lines = _lines(node)

    def fail(key_path, reason):
        line = lines.get(tuple(key_path))
        return StudyError(f"{path}:{line}: '{key_path[-1]}': {reason}" if line else f"{path}: {reason}")

    for key in root:
        if key not in TOP_KEYS:
            raise fail([key], f"unknown key (known: {', '.join(sorted(TOP_KEYS))})")
    if "name" not in root:
        raise StudyError(f"{path}: missing key 'name' (the study's name)")
    seeds = _seeds(root, fail)
    shared = _settings(root, dict(DEFAULTS), [], fail)
    scenarios = []
    for index, entry in enumerate(root.get("scenarios") or []):
        where = ["scenarios", index]
        if not isinstance(entry, dict) or "name" not in entry or "freeze" not in entry:
            raise StudyError(f"{path}: scenario {index + 1} needs a 'name' and a 'freeze' spec")
        for key in entry:
            if key not in SCENARIO_KEYS:
                raise fail(where + [key], f"the cross-check cannot pass '{key}' to train.py "
                                          f"(scenario keys it knows: {', '.join(sorted(SCENARIO_KEYS))})")
        settings = _settings(entry, dict(shared), where, fail)
        layers, patterns, text = _freeze(entry["freeze"], lambda reason: fail(where + ["freeze"], reason))
        scenarios.append(Scenario(str(entry["name"]), text, layers, patterns, settings,
                                  lines.get(tuple(where + ["name"]), 0), index))
    if not scenarios:
        raise fail(["scenarios"], "the study has no scenarios")
    embedded = {key: root[key] for key in ("synthetic", "pretraining") if key in root}
    study = Study(str(root["name"]), str(path), seeds, scenarios, embedded)
    for scenario in scenarios:
        _check_train_py_can_follow(study, scenario, lambda key, reason, s=scenario: fail(
            ["scenarios", s.order, key] if tuple(["scenarios", s.order, key]) in lines else [key], reason))
    return study


def _seeds(root, fail):
    if "seed" in root and "seeds" in root:
        raise fail(["seeds"], "give either 'seed' or 'seeds', not both")
    if "seed" in root:
        return [int(root["seed"])]
    value = root.get("seeds", 1)
    if isinstance(value, int):
        if value <= 0:
            raise fail(["seeds"], "the number of seeds must be positive")
        return list(range(value))
    if not isinstance(value, list) or not value or not all(isinstance(s, int) and s >= 0 for s in value):
        raise fail(["seeds"], "a count or a list of seeds (integers ≥ 0)")
    if len(set(value)) != len(value):
        raise fail(["seeds"], "a seed is listed twice")
    return value


def _settings(fields, base, where, fail):
    for key in SETTING_KEYS:
        if key in fields:
            base[key] = fields[key]
    for key in ("image_size", "batch_size", "epochs", "nominal_batch_size"):
        if not isinstance(base[key], int) or base[key] <= 0:
            raise fail(where + [key], "must be a positive integer")
    return base


def _freeze(value, fail):
    """(layers, patterns, text) of a freeze spec as FreezeSpec(parsing:) reads it: `none`, a count
    `10`, a range `0-9`, a list `[0, 1, 2]` of indices, or name patterns."""
    if isinstance(value, list):
        items, text = [str(item).strip() for item in value], "[" + ", ".join(str(item) for item in value) + "]"
        bracketed = True
    else:
        text = str(value).strip()
        bracketed = text.startswith("[") and text.endswith("]")
        inner = text[1:-1] if bracketed else text
        items = [item.strip().strip("'\"") for item in inner.split(",") if item.strip()]
    if text.lower() in ("none", "", "0") or (bracketed and not items):
        return [], [], "none"
    if len(items) == 1 and not bracketed and re.fullmatch(r"\d+", items[0]):
        count = int(items[0])
        return list(range(count)), [f"model.{i}." for i in range(count)], text
    if len(items) == 1 and re.fullmatch(r"\d+-\d+", items[0]):
        a, b = (int(x) for x in items[0].split("-"))
        if a > b:
            raise fail(f"range {items[0]} is empty")
        return list(range(a, b + 1)), [f"model.{i}." for i in range(a, b + 1)], text
    if all(re.fullmatch(r"\d+", item) for item in items):
        layers = [int(item) for item in items]
        return layers, [f"model.{i}." for i in layers], text
    if not all(re.fullmatch(r"[A-Za-z0-9_.]+", item) for item in items):
        raise fail(f"'{text}' is not a count, range (0-9), list ([0, 1]) or name patterns")
    return None, items, text


def _check_train_py_can_follow(study, scenario, fail):
    """Refuses what train.py cannot be told, so that both programs run the same study."""
    s = scenario.settings
    if s["nominal_batch_size"] != TRAIN_PY_NOMINAL_BATCH_SIZE:
        raise fail("nominal_batch_size", f"{s['nominal_batch_size']}, but train.py fixes its nominal batch size at "
                                         f"{TRAIN_PY_NOMINAL_BATCH_SIZE}; set nominal_batch_size: {TRAIN_PY_NOMINAL_BATCH_SIZE}")
    if s["bn"] != TRAIN_PY_BATCH_NORM:
        raise fail("bn", f"'{s['bn']}', but train.py keeps frozen layers' BatchNorm updating (bn: {TRAIN_PY_BATCH_NORM})")
    if s["val_batch_size"] not in (None, 2 * s["batch_size"]):
        raise fail("val_batch_size", f"{s['val_batch_size']}, but train.py validates in batches of 2 × batch_size "
                                     f"= {2 * s['batch_size']}")
    if s["schedule"] not in ("linear", "cosine"):
        raise fail("schedule", f"'{s['schedule']}' is neither 'linear' nor 'cosine'")
    if s["cache"] not in ("ram", "none"):
        raise fail("cache", f"'{s['cache']}' is neither 'ram' nor 'none'")
    if not isinstance(s["workers"], int) or s["workers"] < 0:
        raise fail("workers", "must be 0 or more")
    if scenario.layers is None:
        raise fail("freeze", f"'{scenario.freeze_text}' names parameter patterns; train.py --freeze takes layer indices only")
    if s["weights"] == "none":
        raise fail("weights", "'none' (from scratch): the cross-check compares fine-tuning from the same starting weights")


def freeze_arguments(layers):
    """train.py `--freeze` values for exactly these layers. train.py reads one value N as the
    count 0 … N−1 and two or more as indices, so one index k is passed as `k k`."""
    if not layers:
        return ["0"]
    if layers == list(range(len(layers))):
        return [str(len(layers))]
    if len(layers) == 1:
        return [str(layers[0])] * 2
    return [str(layer) for layer in layers]


def write_train_py_hyp(source, destination):
    """The hyp file as train.py reads it: `source` with TRAIN_PY_HYP_ADDITIONS where absent."""
    with open(source, encoding="utf-8-sig") as handle:
        text = handle.read()
    hyp = yaml.safe_load(text) or {}
    missing = {key: value for key, value in TRAIN_PY_HYP_ADDITIONS.items() if key not in hyp}
    with open(destination, "w", encoding="utf-8") as handle:
        handle.write(text.rstrip("\n") + "\n")
        for key, value in missing.items():
            handle.write(f"{key}: {value}  # added by the cross-check driver: train.py v7 requires it; no effect on boxes\n")
    return destination


def train_arguments(study, scenario, seed, *, weights, data, hyp, project, name):
    """The train.py command-line arguments of run (scenario, seed)."""
    s = scenario.settings
    arguments = [
        "--weights", os.path.abspath(weights),  # absolute: a bare name is looked up on a model hub
        "--cfg", "",  # the architecture comes from the starting checkpoint's model.yaml
        "--data", os.path.abspath(data),
        "--hyp", os.path.abspath(hyp),
        "--epochs", str(s["epochs"]),
        "--batch-size", str(s["batch_size"]),
        "--imgsz", str(s["image_size"]),
        "--device", "cpu",
        "--workers", str(s["workers"]),
        "--freeze", *freeze_arguments(scenario.layers),
        "--seed", str(seed),
        "--noautoanchor",  # FreezeStudy keeps the YAML's anchors
        "--noplots",
        "--patience", "0",  # no early stopping (FreezeStudy has none)
        "--project", os.path.abspath(project), "--name", name, "--exist-ok",
    ]
    if s["cache"] == "ram":
        arguments += ["--cache", "ram"]
    if s["schedule"] == "cosine":
        arguments.append("--cos-lr")
    return arguments


def scenario_config_json(study, scenario, inputs=None):
    """The scenario's resolved settings as JSON (the results file's `config_json`), without the
    seed; `inputs` says which files stood for `data` and `weights` in train.py."""
    config = dict(scenario.settings)
    for key, value in (inputs or {}).items():
        config[key] = f"{config[key]} ({value})"
    config["freeze"] = scenario.freeze_text
    config["val_batch_size"] = config["val_batch_size"] or 2 * config["batch_size"]
    return json.dumps(config, sort_keys=True)
