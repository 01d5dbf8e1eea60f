"""Runs YOLOv5's train.py (yolov5 7.0.14) in this process, measuring it from the outside.

    python train_process.py TELEMETRY.jsonl THREADS -- <train.py arguments>

What it changes, none of which touches what train.py computes:
- numpy ≥ 2.4 removed `np.trapz`, which yolov5 7.0.14's `compute_ap` calls: it is set to
  `np.trapezoid` (the same function under its new name) before train.py is imported;
- PyTorch's intra-op threads are set to THREADS (yolov5 sets OMP_NUM_THREADS to cores − 1 only
  after torch has started, which does not change torch's pool);
- `Callbacks.run`, which train.py calls at fixed points of its loop, is wrapped to take times,
  and a logging handler counts NMS time-limit warnings. The validation dataloader is wrapped to
  count its labels per class (as val.py counts them for AP).

One JSON line per event goes to TELEMETRY: `start`, `val_labels`, one `epoch` per epoch (after
validation, when results.csv gets its row), `end`. The driver's environment provides the other
two fixes (YOLOV5_CONFIG_DIR with a font named Arial.ttf, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1)."""

import json
import logging
import os
import resource
import runpy
import sys
import time

import numpy as np

if not hasattr(np, "trapz"):
    np.trapz = np.trapezoid

import torch

# /proc/<pid>/stat fields 14 and 15 (1-based): user and system time in clock ticks.
STAT_UTIME, STAT_STIME = 13, 14


def status_bytes(pid, field):
    """A `kB` field of /proc/<pid>/status (VmHWM, VmRSS) in bytes; None when unreadable."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def reset_peak_rss():
    """Restarts this process's VmHWM at its current RSS (Linux `clear_refs` 5), as FreezeStudy
    does at each epoch start; False where the kernel refuses (the peak then covers the run)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def child_pids():
    """Live child processes of this process (the DataLoader workers)."""
    pids = set()
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as handle:
                pids.update(int(pid) for pid in handle.read().split())
    except OSError:
        pass
    return sorted(pids)


def child_cpu_seconds(pids):
    """User + system CPU seconds of these processes (0 for one that has gone)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            # After the ")" closing the command name, field 3 is index 0.
            total += (int(fields[STAT_UTIME - 2]) + int(fields[STAT_STIME - 2])) / ticks
        except (OSError, IndexError, ValueError):
            pass
    return total


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class NMSWarnings(logging.Handler):
    """Counts val.py's "NMS time limit … exceeded" warnings (NMS cut short, detections lost)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        if "NMS time limit" in record.getMessage():
            self.count += 1


class Telemetry:
    """Times and memory per epoch and iteration, taken at train.py's callback points:
    epoch start → each batch start/end → train epoch end (before validation) → fit epoch end
    (after validation, results.csv row written)."""

    def __init__(self, path, threads, weights):
        self.handle = open(path, "a", buffering=1)
        self.threads = threads
        self.weights = weights
        self.model = None
        self.nms = NMSWarnings()
        logging.getLogger("yolov5").addHandler(self.nms)
        self.write("start", time=time.time(), threads=threads, torch=torch.__version__, numpy=np.__version__,
                   torch_threads=torch.get_num_threads(), pid=os.getpid())

    def write(self, event, **values):
        self.handle.write(json.dumps({"event": event, **values}) + "\n")

    def on_train_epoch_start(self):
        self.peak_reset = reset_peak_rss()
        self.epoch_start = self.last = time.monotonic()
        self.cpu_start = own_cpu_seconds()
        self.children = child_pids()
        self.children_cpu_start = child_cpu_seconds(self.children)
        self.nms_start = self.nms.count
        self.wait = 0.0
        self.iterations = []
        self.previous_means = None

    def on_train_batch_start(self):
        self.wait += time.monotonic() - self.last

    def on_train_batch_end(self, model, imgs, mean_losses):
        now = time.monotonic()
        if self.model is None:
            self.write("model", **parameter_counts(model))
        self.model = model
        means = [float(x) for x in mean_losses]
        i = len(self.iterations)
        # train.py logs running means m_i = (m_{i-1}·i + l_i)/(i + 1); the batch's own items are
        # l_i = (i + 1)·m_i − i·m_{i-1}.
        items = means if i == 0 else [(i + 1) * m - i * p for m, p in zip(means, self.previous_means)]
        self.previous_means = means
        self.iterations.append({"images": int(imgs.shape[0]), "seconds": now - self.last, "loss": sum(items)})
        self.last = now

    def on_train_epoch_end(self, epoch):
        self.train_end = time.monotonic()

    def on_fit_epoch_end(self, epoch):
        end = time.monotonic()
        wall = end - self.epoch_start
        children = sorted(set(self.children) | set(child_pids()))
        cpu = own_cpu_seconds() - self.cpu_start + child_cpu_seconds(children) - self.children_cpu_start
        loader_peaks = [status_bytes(pid, "VmHWM") for pid in child_pids()]
        self.write("epoch", epoch=epoch, train_seconds=self.train_end - self.epoch_start, epoch_seconds=wall,
                   train_images=sum(it["images"] for it in self.iterations), data_wait_seconds=self.wait,
                   cpu_utilization=cpu / wall / self.threads, rss_peak_bytes=status_bytes("self", "VmHWM"),
                   rss_peak_reset=self.peak_reset, loader_processes=len(loader_peaks),
                   loader_rss_peak_bytes=max([p for p in loader_peaks if p] or [0]),
                   nms_time_limit_warnings=self.nms.count - self.nms_start, iterations=self.iterations)

    def on_train_end(self):
        checked, changed = check_frozen(self.model, self.weights) if self.model is not None else (0, [])
        self.write("end", time=time.time(), nms_time_limit_warnings=self.nms.count,
                   frozen_tensors_checked=checked, frozen_tensors_changed=changed)


def parameter_counts(model):
    """Trainable and frozen parameter tensors and values of the model train.py trains."""
    counts = {"trainable_tensors": 0, "trainable_parameters": 0, "frozen_tensors": 0, "frozen_parameters": 0}
    for _, p in model.named_parameters():
        kind = "trainable" if p.requires_grad else "frozen"
        counts[f"{kind}_tensors"] += 1
        counts[f"{kind}_parameters"] += p.numel()
    return counts


def check_frozen(model, weights):
    """Compares every frozen parameter after training with its starting value: the --weights
    tensor as train.py leaves it before epoch 0 (`model.half().float()`, which rounds every
    weight to float16). Returns (tensors checked, names of those that changed)."""
    start = torch.load(weights, map_location="cpu", weights_only=False)["model"].float().state_dict()
    checked, changed = 0, []
    for name, p in model.named_parameters():
        if p.requires_grad or name not in start or start[name].shape != p.shape:
            continue
        checked += 1
        if not torch.equal(p.detach(), start[name].half().float()):
            changed.append(name)
    return checked, changed


def install(telemetry):
    """Wraps yolov5's Callbacks.run and the validation dataloader before train.py is imported."""
    from yolov5.utils import callbacks as callbacks_module
    from yolov5.utils import dataloaders

    original_run = callbacks_module.Callbacks.run

    def run(self, hook, *args, **kwargs):
        if hook == "on_train_epoch_start":
            telemetry.on_train_epoch_start()
        elif hook == "on_train_batch_start":
            telemetry.on_train_batch_start()
        elif hook == "on_train_batch_end":  # (model, ni, imgs, targets, paths, mloss)
            telemetry.on_train_batch_end(args[0], args[2], args[5])
        elif hook == "on_train_epoch_end":
            telemetry.on_train_epoch_end(kwargs.get("epoch"))
        result = original_run(self, hook, *args, **kwargs)
        if hook == "on_fit_epoch_end":  # (log_vals, epoch, best_fitness, fi), after results.csv got its row
            telemetry.on_fit_epoch_end(args[1])
        elif hook == "on_train_end":
            telemetry.on_train_end()
        return result

    callbacks_module.Callbacks.run = run

    original_create = dataloaders.create_dataloader

    def create_dataloader(path, *args, **kwargs):
        loader, dataset = original_create(path, *args, **kwargs)
        if "val" in str(kwargs.get("prefix", "")):
            classes = np.concatenate([labels[:, 0] for labels in dataset.labels if len(labels)] or [np.zeros(0)])
            telemetry.write("val_labels", images=len(dataset.labels),
                            counts=np.bincount(classes.astype(int)).tolist() if len(classes) else [])
        return loader, dataset

    dataloaders.create_dataloader = create_dataloader


def main():
    if len(sys.argv) < 4 or sys.argv[3] != "--":
        sys.exit("usage: train_process.py TELEMETRY.jsonl THREADS -- <train.py arguments>")
    telemetry_path, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    import yolov5.utils.general  # noqa: F401 (its import sets logging up; the handler attaches after)

    arguments = sys.argv[4:]
    weights = arguments[arguments.index("--weights") + 1]
    telemetry = Telemetry(telemetry_path, threads, weights)
    install(telemetry)
    sys.argv = ["train.py"] + arguments
    runpy.run_module("yolov5.train", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
