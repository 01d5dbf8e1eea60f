#!/usr/bin/env python3
"""The cross-check driver: a FreezeStudy study trained by YOLOv5's own train.py.

    python Experiments/crosscheck/crosscheck.py run --study Experiments/crosscheck.yaml \\
        --data DATA/data.yaml --weights START.safetensors --out runs/crosscheck-yolov5
    python Experiments/crosscheck/crosscheck.py convert --study … --data … --out runs/crosscheck-yolov5
    python Experiments/crosscheck/crosscheck.py --self-test

Needs `pip install torch yolov5==7.0.14 h5py`. `run` trains every (scenario, seed) of the study
that is not complete, each as its own process (`train_process.py`, CPU, `--threads` threads),
then writes `<out>/results.h5` in FreezeStudy's results schema. README.md in this folder says
what is matched and what is not."""

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the repository's Experiments folder

import run_records  # noqa: E402
from errors import CrossCheckError  # noqa: E402
import study_plan  # noqa: E402

TRAIN_PROCESS = os.path.join(HERE, "train_process.py")
YOLOV5_VERSION = "7.0.14"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--self-test", action="store_true", help="run the driver's own tests and exit")
    parser.add_argument("--write-test-fixture", metavar="PATH",
                        help="write the self-test's converted results file to PATH (FreezeStudy's Swift test reads it)")
    commands = parser.add_subparsers(dest="command")
    for name, text in [("run", "train the runs that are not complete, then convert"),
                       ("convert", "write <out>/results.h5 from the recorded runs")]:
        command = commands.add_parser(name, help=text)
        command.add_argument("--study", required=True, help="FreezeStudy study file")
        command.add_argument("--data", help="YOLOv5 data YAML of the study's dataset "
                                            "(default: the study's `data` when it is a data YAML)")
        command.add_argument("--out", required=True, help="folder of the runs and results.h5")
        if name == "run":
            command.add_argument("--weights", help="starting weights, FreezeStudy's .safetensors or a YOLOv5 .pt "
                                                   "(default: the study's `weights` when it is a file)")
            command.add_argument("--only", nargs="+", default=[], help="only these scenarios")
            command.add_argument("--threads", type=int, default=2, help="PyTorch threads per run (default 2)")
            command.add_argument("--python", default=sys.executable, help="Python with torch and yolov5 for the runs")
            command.add_argument("--dry-run", action="store_true", help="print each run's command, train nothing")
    arguments = parser.parse_args(argv)
    if not arguments.self_test and not arguments.write_test_fixture and not arguments.command:
        parser.error("give a command (run, convert), --self-test or --write-test-fixture")
    return arguments


def data_yaml(study, given):
    """The YOLOv5 data YAML: --data, or the study's own `data` when it is one."""
    if given:
        return os.path.abspath(given)
    data = study.scenarios[0].settings["data"]
    if str(data).endswith((".yaml", ".yml")):
        return study.resolve(data)
    raise study_plan.StudyError(
        f"{study.path}: 'data: {data}' is not a YOLOv5 data YAML; export it in YOLOv5's layout "
        f"(`freeze-study data export --format yolo --out DIR`) and pass --data DIR/data.yaml")


def starting_weights(study, scenario, given):
    """The starting-weights file of a scenario: --weights, or the study's `weights` file."""
    if given:
        return os.path.abspath(given)
    weights = scenario.settings["weights"]
    if weights == "pretrained":
        folder = study.resolve("pretrained")
        committed = sorted(n for n in os.listdir(folder) if n.endswith(".safetensors")) if os.path.isdir(folder) else []
        raise study_plan.StudyError(
            f"{study.path}: 'weights: pretrained' is FreezeStudy's pretraining: pass the file it uses with --weights "
            f"(`freeze-study pretrain --study {study.path}` names it; committed in {folder}: "
            f"{', '.join(committed) or 'none'})")
    return study.resolve(weights)


def prepare_weights(out, model_yaml, weights, log):
    """A train.py checkpoint of `weights` for `model_yaml`, made once per pair under <out>/start/."""
    if weights.endswith(".pt"):
        return weights  # already YOLOv5's format: train.py transfers it itself
    import start_weights

    folder = os.path.join(out, "start")
    os.makedirs(folder, exist_ok=True)
    stem = os.path.splitext(os.path.basename(weights))[0] + "-" + os.path.splitext(os.path.basename(model_yaml))[0]
    destination = os.path.join(folder, stem + ".pt")
    if not os.path.exists(destination):
        report = start_weights.prepare(model_yaml, weights, destination + ".writing")
        os.replace(destination + ".writing", destination)
        log(f"starting weights: {report['tensors']} tensors ({report['part']}, {report['classes']} classes) of "
            f"{weights} loaded into YOLOv5's Model of {model_yaml}, saved as {destination}")
    return destination


def yolov5_environment(out, threads):
    """The child's environment: the three fixes yolov5 7.0.14 needs offline with current torch
    and numpy (README.md), and the thread count."""
    config = os.path.join(out, "yolov5-config")
    os.makedirs(config, exist_ok=True)
    font = os.path.join(config, "Arial.ttf")
    if not os.path.exists(font):
        import matplotlib
        # Any TrueType font under Arial's name stops yolov5 from downloading Arial.ttf.
        shutil.copyfile(os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf", "DejaVuSans.ttf"), font)
    environment = dict(os.environ)
    environment.update({
        "YOLOV5_CONFIG_DIR": config,
        "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1",  # torch ≥ 2.6 refuses train.py's pickled checkpoints otherwise
        "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads),
        "PYTHONUNBUFFERED": "1",
    })
    return environment


def run_one(arguments, study, scenario, seed, weights, weights_pt, data, environment, log):
    """Trains run (scenario, seed) unless complete; returns True when it is complete."""
    folder = run_records.run_folder(arguments.out, scenario.name, seed)
    if run_records.is_complete(folder, scenario.settings["epochs"]):
        log(f"{scenario.name} seed {seed}: complete, skipped")
        return True
    hyp_folder = os.path.join(os.path.abspath(arguments.out), "hyp")
    os.makedirs(hyp_folder, exist_ok=True)
    hyp = study_plan.write_train_py_hyp(study.resolve(scenario.settings["hyp"]),
                                        os.path.join(hyp_folder, f"{scenario.name}.yaml"))
    train_arguments = study_plan.train_arguments(study, scenario, seed, weights=weights_pt, data=data, hyp=hyp,
                                                 project=folder, name=run_records.TRAIN_FOLDER)
    command = [arguments.python, TRAIN_PROCESS, os.path.join(folder, run_records.TELEMETRY), str(arguments.threads),
               "--"] + train_arguments
    if arguments.dry_run:
        print(" ".join(shlex.quote(part) for part in command))
        return False
    if os.path.exists(folder):
        shutil.rmtree(folder)  # an incomplete run restarts from its beginning
    os.makedirs(folder)
    log(f"{scenario.name} seed {seed}: training ({scenario.settings['epochs']} epochs, freeze {scenario.freeze_text}); "
        f"log in {os.path.join(folder, run_records.LOG)}")
    started = time.time()
    inputs = {"data": data, "weights": weights}
    run_records.write_run_json(folder, {"scenario": scenario.name, "seed": seed, "status": "running",
                                        "started": started, "command": command, "threads": arguments.threads,
                                        "inputs": inputs})
    with open(os.path.join(folder, run_records.LOG), "w") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=environment, cwd=folder)
        begin = time.monotonic()
        # wait4 gives this child's peak RSS (the maximum over it and the processes it waited for).
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - begin
        process.returncode = os.waitstatus_to_exitcode(status)
    complete = process.returncode == 0 and run_records.results_rows(folder) == scenario.settings["epochs"]
    run_records.write_run_json(folder, {
        "scenario": scenario.name, "seed": seed, "status": "complete" if complete else "failed", "started": started,
        "finished": time.time(), "command": command, "threads": arguments.threads, "exit_code": process.returncode,
        "wall_seconds": wall, "run_rss_peak_bytes": usage.ru_maxrss * 1024, "inputs": inputs})
    log(f"{scenario.name} seed {seed}: {'complete' if complete else f'FAILED (exit {process.returncode})'} "
        f"in {wall / 60:.1f} min, peak RSS {usage.ru_maxrss / 1e6:.2f} GB")
    return complete


def command_run(arguments, log):
    study = study_plan.load_study(arguments.study)
    data = data_yaml(study, arguments.data)
    unknown = [name for name in arguments.only if name not in [s.name for s in study.scenarios]]
    if unknown:
        raise study_plan.StudyError(f"{arguments.study}: no scenario named {', '.join(unknown)}")
    scenarios = [s for s in study.scenarios if not arguments.only or s.name in arguments.only]
    os.makedirs(arguments.out, exist_ok=True)
    environment = yolov5_environment(os.path.abspath(arguments.out), arguments.threads)
    failed = []
    for scenario in scenarios:
        weights = starting_weights(study, scenario, arguments.weights)
        model_yaml = study.resolve(scenario.settings["model"])
        weights_pt = weights if arguments.dry_run and not weights.endswith(".pt") else prepare_weights(
            arguments.out, model_yaml, weights, log)
        for seed in study.seeds:
            if not run_one(arguments, study, scenario, seed, weights, weights_pt, data, environment, log) \
                    and not arguments.dry_run:
                failed.append(f"{scenario.name} seed {seed}")
    if not arguments.dry_run:
        command_convert(arguments, log)
    if failed:
        raise RuntimeError(f"{len(failed)} run(s) failed: {', '.join(failed)} (see their train.log)")


def command_convert(arguments, log):
    study = study_plan.load_study(arguments.study)
    path = run_records.convert(study, arguments.out, data_yaml(study, arguments.data), YOLOV5_VERSION)
    log(f"wrote {path}")


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    if arguments.self_test or arguments.write_test_fixture:
        import selftest
        if arguments.write_test_fixture:
            selftest.write_test_fixture(arguments.write_test_fixture)
            return
        sys.exit(selftest.run())

    def log(message):
        print(f"crosscheck: {message}", flush=True)

    try:
        {"run": command_run, "convert": command_convert}[arguments.command](arguments, log)
    except (CrossCheckError, RuntimeError) as error:
        sys.exit(f"crosscheck: {error}")


if __name__ == "__main__":
    main()
