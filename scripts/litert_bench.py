#!/usr/bin/env python3
"""LiteRT's side of `scripts/bench-models`: median latency of the four hand models at given thread
counts, on the same synthetic "gradient" input `handmesh bench models` uses. Prints JSON.

  .venv-oracle/bin/python scripts/litert_bench.py --models DIR --runs 50 --warmup 10 --threads 1,2
"""
import argparse
import json
import os
import pathlib
import statistics
import time

import numpy as np
from ai_edge_litert.interpreter import Interpreter

MODELS = ["hand_landmark_full", "hand_landmark_lite", "palm_detection_full", "palm_detection_lite"]


def default_models_dir():
    # Same order as ModelStore.defaultDirectory() in Sources/Neural/ModelStore.swift.
    if os.environ.get("HANDMESH_MODELS"):
        return pathlib.Path(os.environ["HANDMESH_MODELS"])
    if os.environ.get("XDG_DATA_HOME"):
        return pathlib.Path(os.environ["XDG_DATA_HOME"]) / "handmesh" / "models"
    return pathlib.Path.home() / ".local" / "share" / "handmesh" / "models"


def gradient(size):
    # Same formula as BenchModels.fillGradient and litert_reference.synthetic("gradient").
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1)
    return np.stack([x, y, 1.0 - 0.5 * (x + y)], axis=-1).reshape(1, size, size, 3).astype(np.float32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=pathlib.Path, default=default_models_dir())
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--only", default=",".join(MODELS))
    args = parser.parse_args()
    results = []
    for model in args.only.split(","):
        for threads in [int(t) for t in args.threads.split(",")]:
            interpreter = Interpreter(model_path=str(args.models / f"{model}.tflite"), num_threads=threads)
            interpreter.allocate_tensors()
            detail = interpreter.get_input_details()[0]
            interpreter.set_tensor(detail["index"], gradient(int(detail["shape"][1])))
            for _ in range(args.warmup):
                interpreter.invoke()
            times, cpu_times = [], []
            for _ in range(args.runs):
                cpu = time.thread_time_ns()
                start = time.perf_counter_ns()
                interpreter.invoke()
                times.append((time.perf_counter_ns() - start) / 1e6)
                cpu_times.append((time.thread_time_ns() - cpu) / 1e6)
            row = {"model": model, "threads": threads, "median_ms": statistics.median(times),
                   "min_ms": min(times), "runs": args.runs}
            # One thread: XNNPACK runs on the calling thread, so its CPU time is the latency minus
            # the time other processes held the core (as handmesh reports it).
            if threads == 1:
                row["cpu_median_ms"] = statistics.median(cpu_times)
            results.append(row)
    print(json.dumps({"engine": "litert", "results": results}, indent=1))


if __name__ == "__main__":
    main()
