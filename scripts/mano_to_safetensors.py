#!/usr/bin/env python3
"""Convert MANO_RIGHT.pkl or MANO_LEFT.pkl into the safetensors layout HandMesh loads.

MANO is licensed per user and cannot ship with HandMesh; a licence holder runs this once:

    python3 scripts/mano_to_safetensors.py MANO_RIGHT.pkl mano_right.safetensors

Needs numpy only. MANO's pickles hold chumpy objects (and a scipy sparse J_regressor), written by
Python 2; the unpickler below maps those classes to stand-ins that keep the pickled state, so neither
chumpy nor scipy is imported. Output tensors (float64 unless noted): v_template Vx3, faces Fx3
(int32), weights Vx16, J_regressor 16xV, shapedirs Vx3x10, posedirs Vx3x135, hands_mean 45,
hands_components 45x45, kintree_table 2x16 (int64, root parent -1).
"""
import argparse
import json
import pickle
import struct
import sys

import numpy as np


class ConversionError(Exception):
    pass


class ChumpyStandIn:
    """Whatever chumpy class the pickle names: keeps the state chumpy would restore."""
    def __init__(self, *args, **kwargs):
        self.state = {}

    def __setstate__(self, state):
        self.state = state if isinstance(state, dict) else {"state": state}

    def value(self, key):
        # A plain chumpy Ch stores its array as the term 'x'; derived expressions store no value.
        x = self.state.get("x")
        if x is None:
            raise ConversionError(f"{key}: a chumpy {type(self).__name__} without a stored value (keys {sorted(self.state)})")
        return np.asarray(value_of(x, key))


class SparseStandIn:
    """A scipy.sparse matrix from its pickled fields (csc, csr or coo), densified."""
    def __init__(self, *args, **kwargs):
        self.state = {}

    def __setstate__(self, state):
        self.state = state

    def value(self, key):
        s = self.state
        shape = s.get("_shape", s.get("shape"))
        if shape is None:
            raise ConversionError(f"{key}: a sparse matrix without a shape")
        dense = np.zeros(tuple(int(n) for n in shape))
        kind = type(self).__name__[:3]
        data = np.asarray(s["data"], dtype=np.float64)
        if kind in ("csc", "csr"):
            indices, indptr = np.asarray(s["indices"]), np.asarray(s["indptr"])
            for outer in range(len(indptr) - 1):
                for k in range(indptr[outer], indptr[outer + 1]):
                    if kind == "csc":
                        dense[indices[k], outer] += data[k]
                    else:
                        dense[outer, indices[k]] += data[k]
        elif kind == "coo":
            rows = np.asarray(s.get("row", s.get("coords", [None])[0]))
            cols = np.asarray(s.get("col", s.get("coords", [None, None])[1]))
            np.add.at(dense, (rows, cols), data)
        else:
            raise ConversionError(f"{key}: unsupported sparse format {type(self).__name__}")
        return dense


class ManoUnpickler(pickle.Unpickler):
    _classes = {}

    def find_class(self, module, name):
        root = module.split(".")[0]
        if root == "chumpy" or (root == "scipy" and ".sparse" in module):
            base = ChumpyStandIn if root == "chumpy" else SparseStandIn
            return ManoUnpickler._classes.setdefault((module, name), type(name, (base,), {}))
        return super().find_class(module, name)


def value_of(x, key):
    if isinstance(x, (ChumpyStandIn, SparseStandIn)):
        return x.value(key)
    return x


def load_mano(path):
    """The pickle as a dict of numpy arrays (and plain values)."""
    try:
        with open(path, "rb") as f:
            raw = ManoUnpickler(f, encoding="latin1").load()
    except OSError as e:
        raise ConversionError(f"cannot read: {e.strerror}")
    except ConversionError:
        raise
    except Exception as e:
        raise ConversionError(f"not a readable MANO pickle ({type(e).__name__}: {e})")
    if not isinstance(raw, dict):
        raise ConversionError(f"holds a {type(raw).__name__}, not MANO's dict")
    return {k: value_of(v, k) for k, v in raw.items()}


def require(model, key, shape):
    if key not in model:
        raise ConversionError(f"missing '{key}'")
    a = np.asarray(model[key])
    if a.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, a.shape)):
        want = " x ".join("n" if s is None else str(s) for s in shape)
        raise ConversionError(f"'{key}' has shape {' x '.join(map(str, a.shape))}, expected {want}")
    if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
        raise ConversionError(f"'{key}' holds non-finite values")
    return a


def mano_tensors(model):
    v = require(model, "v_template", (None, 3)).astype(np.float64)
    n = v.shape[0]
    shapedirs = require(model, "shapedirs", (n, 3, None)).astype(np.float64)[:, :, :10]
    if shapedirs.shape[2] < 10:
        raise ConversionError(f"'shapedirs' has {shapedirs.shape[2]} directions, 10 needed")
    t = {
        "v_template": v,
        "faces": require(model, "f", (None, 3)).astype(np.int32),
        "weights": require(model, "weights", (n, 16)).astype(np.float64),
        "J_regressor": require(model, "J_regressor", (16, n)).astype(np.float64),
        "shapedirs": shapedirs,
        "posedirs": require(model, "posedirs", (n, 3, 135)).astype(np.float64),
    }
    if "hands_mean" in model:
        t["hands_mean"] = require(model, "hands_mean", (45,)).astype(np.float64)
    if "hands_components" in model:
        t["hands_components"] = require(model, "hands_components", (None, 45)).astype(np.float64)
    if "kintree_table" in model:
        tree = require(model, "kintree_table", (2, 16)).astype(np.int64)
        tree[tree > 2**31] = -1  # MANO stores the root's parent as uint32 max
        t["kintree_table"] = tree
    return t


def write_safetensors(path, tensors, metadata=None):
    dtypes = {np.dtype(np.float64): "F64", np.dtype(np.float32): "F32", np.dtype(np.int64): "I64", np.dtype(np.int32): "I32"}
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        blob = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtypes[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pickle", help="MANO_RIGHT.pkl or MANO_LEFT.pkl")
    ap.add_argument("output", help="the .safetensors file to write")
    args = ap.parse_args()
    try:
        tensors = mano_tensors(load_mano(args.pickle))
    except ConversionError as e:
        print(f"{args.pickle}: {e}", file=sys.stderr)
        return 1
    write_safetensors(args.output, tensors, {"source": "MANO pickle converted by scripts/mano_to_safetensors.py"})
    print(f"{args.output}: {len(tensors)} tensors, {tensors['v_template'].shape[0]} vertices, {tensors['faces'].shape[0]} faces")
    return 0


if __name__ == "__main__":
    sys.exit(main())
