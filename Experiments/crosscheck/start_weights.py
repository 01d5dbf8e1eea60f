"""FreezeStudy's starting weights as a checkpoint YOLOv5's train.py loads.

FreezeStudy starts from a safetensors file named by PyTorch state-dict names: either plain
(`model.0.conv.weight`) or a FreezeStudy training checkpoint (`ema/…`, `model/…`, `momentum/…`;
FreezeStudy starts from the `ema/` tensors, as train.py starts from what its checkpoints hold).
This builds YOLOv5's `Model` from the same model YAML with the class count of those weights,
loads every tensor by name (any missing, unused or misshapen tensor is an error), and saves
`{'model': Model}` the way train.py reads a `--weights` file. train.py then transfers what
fits its own class count, exactly as FreezeStudy does (the Detect outputs keep their
initialisation when the class counts differ)."""

import hashlib
import json
import os
import struct

import torch
import yaml

from errors import CrossCheckError

# FreezeStudy's checkpoint prefixes, in its order of preference (Sources/YOLOv5/Weights.swift).
CHECKPOINT_PREFIXES = ["ema/", "model/"]
# A state entry PyTorch keeps and FreezeStudy need not: BN's batch counter, unused when the
# momentum is set (YOLOv5 sets 0.03).
OPTIONAL_ENTRIES = ("num_batches_tracked",)
# safetensors dtype names (https://github.com/huggingface/safetensors, "Format").
SAFETENSORS_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool,
}


class WeightsError(CrossCheckError):
    """Starting weights that cannot be used; the message names the file and the tensor."""


def read_safetensors(path):
    """(tensors by name, metadata) of a safetensors file: an 8-byte little-endian header length,
    a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {…}}, then the bytes."""
    with open(path, "rb") as handle:
        blob = handle.read()
    if len(blob) < 8:
        raise WeightsError(f"{path}: {len(blob)} bytes, too short for a safetensors file")
    (header_length,) = struct.unpack("<Q", blob[:8])
    if 8 + header_length > len(blob):
        raise WeightsError(f"{path}: header of {header_length} bytes runs past the end of the file ({len(blob)} bytes)")
    try:
        header = json.loads(blob[8:8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WeightsError(f"{path}: header is not JSON: {error}")
    data = memoryview(blob)[8 + header_length:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, entry in header.items():
        dtype = SAFETENSORS_DTYPES.get(entry.get("dtype"))
        if dtype is None:
            raise WeightsError(f"{path}: tensor '{name}': dtype '{entry.get('dtype')}' is not supported")
        shape, (begin, end) = list(entry["shape"]), entry["data_offsets"]
        count = 1
        for size in shape:
            count *= size
        itemsize = torch.tensor([], dtype=dtype).element_size()
        if not (0 <= begin <= end <= len(data)) or end - begin != count * itemsize:
            raise WeightsError(f"{path}: tensor '{name}': offsets {begin}…{end} do not hold {shape} of {entry['dtype']} "
                               f"in {len(data)} data bytes")
        raw = bytes(data[begin:end])
        tensor = torch.frombuffer(bytearray(raw), dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = tensor.reshape(shape).clone()
    return tensors, metadata


def state_of(path):
    """(state dict by PyTorch name, which part of the file it is) of FreezeStudy's weights."""
    tensors, _ = read_safetensors(path)
    for prefix in CHECKPOINT_PREFIXES:
        if any(name.startswith(prefix) for name in tensors):
            return {name[len(prefix):]: t for name, t in tensors.items() if name.startswith(prefix)}, \
                f"'{prefix[:-1]}' tensors of a FreezeStudy checkpoint"
    return tensors, "plain state dict"


def class_count(model_yaml, state, path):
    """The class count the weights were trained with, from the Detect outputs' shape
    (na·(nc + 5) output channels, na anchors per level from the model YAML)."""
    with open(model_yaml, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    anchors = spec["anchors"]
    na = anchors if isinstance(anchors, int) else len(anchors[0]) // 2
    detect = len(spec["backbone"]) + len(spec["head"]) - 1
    key = f"model.{detect}.m.0.weight"
    if key not in state:
        raise WeightsError(f"{path}: no tensor '{key}' (the Detect output of {model_yaml}); another architecture?")
    outputs = state[key].shape[0]
    if outputs % na or outputs // na <= 5:
        raise WeightsError(f"{path}: '{key}' has {outputs} outputs, not {na} × (classes + 5)")
    return outputs // na - 5


def build_model(model_yaml, state, path):
    """YOLOv5's Model of `model_yaml` with every tensor of `state` loaded by name; raises
    WeightsError listing what is missing, unused or of another shape."""
    from yolov5.models.yolo import Model

    nc = class_count(model_yaml, state, path)
    model = Model(model_yaml, ch=3, nc=nc)
    expected = model.state_dict()
    missing = [k for k in expected if k not in state and not k.endswith(OPTIONAL_ENTRIES)]
    unused = [k for k in state if k not in expected]
    misshapen = [f"{k} {list(state[k].shape)} (model: {list(v.shape)})" for k, v in expected.items()
                 if k in state and state[k].shape != v.shape]
    problems = [(missing, "missing"), (unused, "not in the model"), (misshapen, "of another shape")]
    if any(found for found, _ in problems):
        text = "; ".join(f"{len(found)} {what}: {', '.join(found[:4])}{', …' if len(found) > 4 else ''}"
                         for found, what in problems if found)
        raise WeightsError(f"{path}: does not fit {model_yaml} with {nc} classes: {text}")
    full = {k: (state[k].to(v.dtype) if k in state else v) for k, v in expected.items()}
    model.load_state_dict(full, strict=True)
    for name, value in model.state_dict().items():
        if name in state and not torch.equal(value, state[name].to(value.dtype)):
            raise WeightsError(f"{path}: tensor '{name}' did not load unchanged")
    return model, nc


def save_for_train_py(model, destination):
    """Saves `model` the way train.py reads `--weights` (`ckpt['model'].yaml`, `.float().state_dict()`),
    in float32: train.py's own checkpoints are float16, which would round FreezeStudy's weights."""
    checkpoint = {"epoch": -1, "best_fitness": None, "model": model.float(), "ema": None, "updates": None,
                  "optimizer": None, "opt": None}
    torch.save(checkpoint, destination)


def verify_saved(destination, state):
    """Reads the saved checkpoint back as train.py does and checks every tensor equals the source."""
    model = torch.load(destination, map_location="cpu", weights_only=False)["model"]
    saved = model.float().state_dict()
    for name, tensor in state.items():
        if name not in saved or not torch.equal(saved[name], tensor.to(saved[name].dtype)):
            raise WeightsError(f"{destination}: tensor '{name}' does not read back equal to the source")
    return len(state)


def check_manifest(weights):
    """When a committed checkpoint's manifest (`NAME.manifest.yaml` beside `NAME.safetensors`)
    is present, the file's SHA-256 must be the manifest's, as FreezeStudy requires before using
    it; returns the SHA-256, or None without a manifest."""
    manifest = os.path.splitext(weights)[0] + ".manifest.yaml"
    if not os.path.exists(manifest):
        return None
    with open(manifest, encoding="utf-8-sig") as handle:
        expected = str((yaml.safe_load(handle) or {}).get("sha256", ""))
    digest = hashlib.sha256()
    with open(weights, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise WeightsError(f"{weights}: SHA-256 {digest.hexdigest()} is not the one {manifest} records ({expected}); "
                           f"damaged, or a Git LFS pointer?")
    return expected


def prepare(model_yaml, weights, destination):
    """Builds, checks and saves the train.py checkpoint; returns a description for the records."""
    sha256 = check_manifest(weights)
    state, part = state_of(weights)
    model, nc = build_model(model_yaml, state, weights)
    save_for_train_py(model, destination)
    checked = verify_saved(destination, state)
    return {"source": str(weights), "part": part, "classes": nc, "tensors": checked, "pt": str(destination),
            "sha256": sha256}
