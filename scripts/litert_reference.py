#!/usr/bin/env python3
"""Reference outputs of MediaPipe's four hand models from LiteRT, for the Neural engine's tests.

Runs each model with LiteRT (ai-edge-litert, its default XNNPACK CPU path, one thread) on fixed
inputs: frames of ../shared/data/stereo-hand/cam0_test.mp4 (decoded and scaled with the ffmpeg
CLI) and synthetic patterns. Writes, into the output folder (default .cache/litert/):

  <model>.<input>.input.f32      the input tensor, float32 little-endian, NHWC
  <model>.<input>.out<k>.f32     output k, in the order LiteRT's get_output_details lists them
  manifest.json                  models, inputs, shapes and output names

Run it in the oracle environment:  .venv-oracle/bin/python scripts/litert_reference.py
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter

REPO = pathlib.Path(__file__).resolve().parent.parent
MODELS = ["hand_landmark_full", "hand_landmark_lite", "palm_detection_full", "palm_detection_lite"]
VIDEO = REPO.parent / "shared" / "data" / "stereo-hand" / "cam0_test.mp4"
FRAMES = [0, 150, 300]


def default_models_dir():
    # Same order as ModelStore.defaultDirectory() in Sources/Neural/ModelStore.swift.
    if os.environ.get("HANDMESH_MODELS"):
        return pathlib.Path(os.environ["HANDMESH_MODELS"])
    if os.environ.get("XDG_DATA_HOME"):
        return pathlib.Path(os.environ["XDG_DATA_HOME"]) / "handmesh" / "models"
    return pathlib.Path.home() / ".local" / "share" / "handmesh" / "models"


def frame(video, index, size):
    """Frame `index` of `video`, scaled to size x size, RGB in [0, 1]."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(video), "-vf", f"select=eq(n\\,{index}),scale={size}:{size}",
         "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True).stdout
    if len(raw) != size * size * 3:
        sys.exit(f"ffmpeg gave {len(raw)} bytes for frame {index} of {video}, expected {size * size * 3}")
    return (np.frombuffer(raw, np.uint8).reshape(1, size, size, 3).astype(np.float32) / 255.0)


def synthetic(kind, size):
    """Deterministic patterns that exercise borders and the full [0, 1] range."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1)
    if kind == "gradient":
        rgb = np.stack([x, y, 1.0 - 0.5 * (x + y)], axis=-1)
    elif kind == "checker":
        cells = ((np.floor(x * 8) + np.floor(y * 8)) % 2).astype(np.float32)
        rgb = np.stack([cells, 1.0 - cells, 0.5 * np.ones_like(x)], axis=-1)
    else:  # "noise": fixed seed
        rgb = np.random.default_rng(20251121).random((size, size, 3), dtype=np.float32)
    return rgb.reshape(1, size, size, 3).astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=pathlib.Path, default=default_models_dir())
    parser.add_argument("--out", type=pathlib.Path, default=REPO / ".cache" / "litert")
    parser.add_argument("--video", type=pathlib.Path, default=VIDEO)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    manifest = {"generator": "scripts/litert_reference.py", "models": []}
    for model in MODELS:
        path = args.models / f"{model}.tflite"
        if not path.exists():
            sys.exit(f"{path} is missing: run `handmesh models fetch --models {args.models}` first")
        interpreter = Interpreter(model_path=str(path), num_threads=1)
        interpreter.allocate_tensors()
        (input_detail,) = interpreter.get_input_details()
        outputs = interpreter.get_output_details()
        size = int(input_detail["shape"][1])
        inputs = {f"frame{i}": frame(args.video, i, size) for i in FRAMES}
        inputs.update({kind: synthetic(kind, size) for kind in ("gradient", "checker", "noise")})
        entry = {"model": model, "input_shape": [int(d) for d in input_detail["shape"]],
                 "outputs": [{"name": o["name"], "shape": [int(d) for d in o["shape"]]} for o in outputs],
                 "inputs": []}
        for name, tensor in inputs.items():
            interpreter.set_tensor(input_detail["index"], tensor)
            interpreter.invoke()
            stem = f"{model}.{name}"
            tensor.astype("<f4").tofile(args.out / f"{stem}.input.f32")
            for k, o in enumerate(outputs):
                interpreter.get_tensor(o["index"]).astype("<f4").tofile(args.out / f"{stem}.out{k}.f32")
            entry["inputs"].append(name)
        manifest["models"].append(entry)
        print(f"{model}: {len(inputs)} inputs -> {args.out}")
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()
