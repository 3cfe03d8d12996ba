#!/usr/bin/env python3
"""Reference outputs of MediaPipe's four hand models from LiteRT, for the Neural engine's tests.

Runs each model with LiteRT (ai-edge-litert, its default XNNPACK CPU path, one thread) on fixed
inputs: frames of ../shared/data/stereo-hand/cam0_test.mp4 (decoded and scaled with the ffmpeg
CLI) and synthetic patterns. Writes, into the output folder (default .cache/litert/):

  <model>.<input>.input.f32      the input tensor, float32 little-endian, NHWC
  <model>.<input>.out<k>.f32     output k, in the order LiteRT's get_output_details lists them
  manifest.json                  models, inputs, shapes and output names
  tiny.tflite (+ tiny.seed*.f32) a small model built here with every operator the engine runs

Run it in the oracle environment:  .venv-oracle/bin/python scripts/litert_reference.py [--force]
It does nothing when the folder already holds this version's references.
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
# Bump when inputs, models or file layout change, so an existing .cache/litert is rebuilt.
VERSION = 2


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


def tiny_model():
    """A small model written here with LiteRT's flatbuffer object API: every operator the engine
    implements, with odd sizes (channel counts that are not multiples of 8, SAME padding with an odd
    leftover, VALID, stride 2, 5x5, fp16 weights behind DEQUANTIZE). The engine's tests check it
    against LiteRT and fuzz it (it parses and runs in microseconds)."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as s

    rng = np.random.default_rng(3)
    model = s.ModelT()
    model.version = 3
    model.description = "handmesh tiny test model"
    model.buffers = [s.BufferT()]
    codes, tensors, operators = [], [], []

    def tensor(name, shape, data=None, dtype=s.TensorType.FLOAT32):
        t = s.TensorT()
        t.name, t.shape, t.type, t.buffer = name, np.array(shape, np.int32), dtype, 0
        if data is not None:
            b = s.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8)
            model.buffers.append(b)
            t.buffer = len(model.buffers) - 1
        tensors.append(t)
        return len(tensors) - 1

    def weights(name, shape, scale=0.5):
        return tensor(name, shape, (rng.standard_normal(shape) * scale).astype("<f4"))

    def op(code, inputs, outputs, options_type=0, options=None):
        if code not in codes:
            codes.append(code)
        o = s.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = codes.index(code), list(inputs), list(outputs)
        o.builtinOptionsType, o.builtinOptions = options_type, options
        operators.append(o)

    def conv_options(padding, stride, activation):
        o = s.Conv2DOptionsT()
        o.padding, o.strideW, o.strideH, o.fusedActivationFunction = padding, stride, stride, activation
        o.dilationWFactor = o.dilationHFactor = 1
        return o

    def depthwise_options(padding, stride, activation):
        o = s.DepthwiseConv2DOptionsT()
        o.padding, o.strideW, o.strideH, o.depthMultiplier, o.fusedActivationFunction = padding, stride, stride, 1, activation
        o.dilationWFactor = o.dilationHFactor = 1
        return o

    B, P, A = s.BuiltinOperator, s.Padding, s.ActivationFunctionType
    x = tensor("input", [1, 10, 9, 3])
    half = tensor("conv1_fp16", [12, 3, 3, 3], (rng.standard_normal((12, 3, 3, 3)) * 0.5).astype("<f2"), s.TensorType.FLOAT16)
    w1 = tensor("conv1_weights", [12, 3, 3, 3])
    op(B.DEQUANTIZE, [half], [w1])
    t1 = tensor("conv1", [1, 5, 5, 12])
    op(B.CONV_2D, [x, w1, weights("conv1_bias", [12])], [t1], s.BuiltinOptions.Conv2DOptions, conv_options(P.SAME, 2, A.RELU6))
    t2 = tensor("dw1", [1, 5, 5, 12])
    op(B.DEPTHWISE_CONV_2D, [t1, weights("dw1_w", [1, 3, 3, 12]), weights("dw1_b", [12])], [t2],
       s.BuiltinOptions.DepthwiseConv2DOptions, depthwise_options(P.SAME, 1, A.NONE))
    t3 = tensor("prelu", [1, 5, 5, 12])
    op(B.PRELU, [t2, weights("alpha", [1, 1, 12], 0.3)], [t3])
    t4 = tensor("expand", [1, 5, 5, 20])
    op(B.CONV_2D, [t3, weights("expand_w", [20, 1, 1, 12]), weights("expand_b", [20])], [t4],
       s.BuiltinOptions.Conv2DOptions, conv_options(P.VALID, 1, A.RELU))
    t5 = tensor("dw2", [1, 3, 3, 20])
    op(B.DEPTHWISE_CONV_2D, [t4, weights("dw2_w", [1, 5, 5, 20]), weights("dw2_b", [20])], [t5],
       s.BuiltinOptions.DepthwiseConv2DOptions, depthwise_options(P.SAME, 2, A.RELU6))
    pool = s.Pool2DOptionsT()
    pool.padding, pool.strideW, pool.strideH, pool.filterWidth, pool.filterHeight = P.SAME, 2, 2, 2, 2
    t6 = tensor("pool", [1, 3, 3, 20])
    op(B.MAX_POOL_2D, [t4], [t6], s.BuiltinOptions.Pool2DOptions, pool)
    add = s.AddOptionsT()
    add.fusedActivationFunction = A.RELU
    t7 = tensor("add", [1, 3, 3, 20])
    op(B.ADD, [t5, t6], [t7], s.BuiltinOptions.AddOptions, add)
    t8 = tensor("pad", [1, 3, 3, 24])
    op(B.PAD, [t7, tensor("paddings", [4, 2], np.array([[0, 0], [0, 0], [0, 0], [0, 4]], "<i4"), s.TensorType.INT32)], [t8],
       s.BuiltinOptions.PadOptions, s.PadOptionsT())
    resize = s.ResizeBilinearOptionsT()
    resize.alignCorners, resize.halfPixelCenters = False, True
    t9 = tensor("resize", [1, 6, 6, 24])
    op(B.RESIZE_BILINEAR, [t8, tensor("size", [2], np.array([6, 6], "<i4"), s.TensorType.INT32)], [t9],
       s.BuiltinOptions.ResizeBilinearOptions, resize)
    t10 = tensor("conv3x3_valid", [1, 4, 4, 8])
    op(B.CONV_2D, [t9, weights("c3_w", [8, 3, 3, 24], 0.2), weights("c3_b", [8])], [t10],
       s.BuiltinOptions.Conv2DOptions, conv_options(P.VALID, 1, A.NONE))
    t12 = tensor("head5", [1, 4, 4, 5])
    op(B.CONV_2D, [t10, weights("h_w", [5, 1, 1, 8]), weights("h_b", [5])], [t12],
       s.BuiltinOptions.Conv2DOptions, conv_options(P.SAME, 1, A.NONE))
    concat = s.ConcatenationOptionsT()
    concat.axis, concat.fusedActivationFunction = -1, A.NONE
    t13 = tensor("concat", [1, 4, 4, 13])
    op(B.CONCATENATION, [t10, t12], [t13], s.BuiltinOptions.ConcatenationOptions, concat)
    reshape = s.ReshapeOptionsT()
    reshape.newShape = [1, 16, 13]
    out0 = tensor("boxes", [1, 16, 13])
    op(B.RESHAPE, [t13, tensor("shape", [3], np.array([1, 16, 13], "<i4"), s.TensorType.INT32)], [out0],
       s.BuiltinOptions.ReshapeOptions, reshape)
    mean = s.ReducerOptionsT()
    mean.keepDims = False
    t14 = tensor("mean", [1, 13])
    op(B.MEAN, [t13, tensor("axes", [2], np.array([1, 2], "<i4"), s.TensorType.INT32)], [t14],
       s.BuiltinOptions.ReducerOptions, mean)
    fc = s.FullyConnectedOptionsT()
    fc.fusedActivationFunction = A.NONE
    t15 = tensor("fc", [1, 7])
    op(B.FULLY_CONNECTED, [t14, weights("fc_w", [7, 13]), weights("fc_b", [7])], [t15],
       s.BuiltinOptions.FullyConnectedOptions, fc)
    out1 = tensor("scores", [1, 7])
    op(B.LOGISTIC, [t15], [out1])

    graph = s.SubGraphT()
    graph.tensors, graph.operators, graph.inputs, graph.outputs = tensors, operators, [x], [out0, out1]
    graph.name = "main"
    model.subgraphs = [graph]
    model.operatorCodes = []
    for code in codes:
        c = s.OperatorCodeT()
        c.builtinCode, c.deprecatedBuiltinCode, c.version = code, min(code, 127), 1
        model.operatorCodes.append(c)
    builder = flatbuffers.Builder(4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=pathlib.Path, default=default_models_dir())
    parser.add_argument("--out", type=pathlib.Path, default=REPO / ".cache" / "litert")
    parser.add_argument("--video", type=pathlib.Path, default=VIDEO)
    parser.add_argument("--force", action="store_true", help="rebuild even if the references are up to date")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.force and up_to_date(args.out):
        print(f"LiteRT references in {args.out} are up to date")
        return

    manifest = {"generator": "scripts/litert_reference.py", "version": VERSION, "models": []}
    for model in MODELS:
        path = args.models / f"{model}.tflite"
        if not path.exists():
            sys.exit(f"{path} is missing: run `handmesh models fetch --models {args.models}` first")
        size = int(Interpreter(model_path=str(path)).get_input_details()[0]["shape"][1])
        inputs = {f"frame{i}": frame(args.video, i, size) for i in FRAMES}
        inputs.update({kind: synthetic(kind, size) for kind in ("gradient", "checker", "noise")})
        manifest["models"].append(record(path, model, inputs, args.out))
    tiny = args.out / "tiny.tflite"
    tiny.write_bytes(tiny_model())
    shape = [1, 10, 9, 3]
    inputs = {f"seed{seed}": np.random.default_rng(seed).random(shape, dtype=np.float32) * 2 - 0.5 for seed in range(3)}
    manifest["models"].append(record(tiny, "tiny", inputs, args.out))
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


def up_to_date(out):
    """True when manifest.json is of this VERSION and every file it lists is there."""
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    if manifest.get("version") != VERSION or not (out / "tiny.tflite").exists():
        return False
    return all((out / f"{m['model']}.{name}.{suffix}.f32").exists()
               for m in manifest["models"] for name in m["inputs"]
               for suffix in ["input"] + [f"out{k}" for k in range(len(m["outputs"]))])


def record(path, model, inputs, out):
    """Runs `path` on each input; writes inputs and outputs as <model>.<input>.*.f32; returns the manifest entry."""
    interpreter = Interpreter(model_path=str(path), num_threads=1)
    interpreter.allocate_tensors()
    (input_detail,) = interpreter.get_input_details()
    outputs = interpreter.get_output_details()
    entry = {"model": model, "input_shape": [int(d) for d in input_detail["shape"]],
             "outputs": [{"name": o["name"], "shape": [int(d) for d in o["shape"]]} for o in outputs], "inputs": []}
    for name, tensor in inputs.items():
        interpreter.set_tensor(input_detail["index"], tensor)
        interpreter.invoke()
        stem = f"{model}.{name}"
        tensor.astype("<f4").tofile(out / f"{stem}.input.f32")
        for k, o in enumerate(outputs):
            interpreter.get_tensor(o["index"]).astype("<f4").tofile(out / f"{stem}.out{k}.f32")
        entry["inputs"].append(name)
    print(f"{model}: {len(inputs)} inputs -> {out}")
    return entry

if __name__ == "__main__":
    main()
