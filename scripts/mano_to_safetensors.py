#!/usr/bin/env python3
"""Convert MANO_RIGHT.pkl or MANO_LEFT.pkl into the safetensors layout HandMesh loads.

MANO is licensed per user and cannot ship with HandMesh; a licence holder runs this once:

    python3 scripts/mano_to_safetensors.py MANO_RIGHT.pkl mano_right.safetensors
    python3 scripts/mano_to_safetensors.py MANO_LEFT.pkl mano_left.safetensors

Needs numpy only. MANO's pickles hold chumpy objects (and a scipy sparse J_regressor), written by
Python 2; the unpickler below maps those classes to stand-ins that keep the pickled state, so neither
chumpy nor scipy is imported. Some values are stored as chumpy expressions rather than arrays (MANO
v1.2's shapedirs is a Select of a Ch); those are evaluated here with numpy, for the classes listed
in _CHUMPY_OPS, and any other class stops the conversion with one line naming the key and the class.
The side (from --side or the pickle's name) goes into the file's metadata. Output tensors (float64 unless noted): v_template Vx3, faces Fx3
(int32), weights Vx16, J_regressor 16xV, shapedirs Vx3x10, posedirs Vx3x135, hands_mean 45,
hands_components 45x45, kintree_table 2x16 (int64, root parent -1).
"""
import argparse
import json
import os
import pickle
import struct
import sys

import numpy as np


class ConversionError(Exception):
    pass


class ChumpyStandIn:
    """Whatever chumpy class the pickle names: keeps the state chumpy pickles (its __dict__ without
    caches: the operands by name, plus bookkeeping such as _dirty_vars that is ignored here)."""
    def __init__(self, *args, **kwargs):
        self.state = {}

    def __setstate__(self, state):
        self.state = state if isinstance(state, dict) else {"state": state}

    def value(self, key):
        return evaluate_chumpy(self, key)


def _term(node, name, key, required=True, default=None):
    if name not in node.state:
        if required:
            raise ConversionError(f"{key}: a chumpy {type(node).__name__} without its operand '{name}' (keys {sorted(node.state)})")
        return default
    return node.state[name]


def _operand(node, name, key):
    return np.asarray(value_of(_term(node, name, key), key), dtype=np.float64)


def _axis(node, name, key):
    a = _term(node, name, key, required=False)
    return None if a is None else (tuple(int(i) for i in a) if isinstance(a, (tuple, list, np.ndarray)) else int(a))


def _select(n, k):
    # chumpy.reordering.Select: the source flattened, taken at idxs, reshaped to preferred_shape if set.
    r = _operand(n, "a", k).ravel()[np.asarray(_term(n, "idxs", k), dtype=np.int64).ravel()]
    shape = _term(n, "preferred_shape", k, required=False)
    return r if shape is None else r.reshape(tuple(int(i) for i in shape))


def _atleast(x, ndims):
    return {1: np.atleast_1d, 2: np.atleast_2d, 3: np.atleast_3d}[ndims](x)


def _mat_vec_mult(n, k):
    # mtx (a term, possibly sparse) times the flattened vec; an N x C vec gives N x C back.
    vec = _operand(n, "vec", k)
    r = np.asarray(value_of(_term(n, "mtx", k), k), dtype=np.float64).dot(vec.ravel())
    return r.reshape((-1, vec.shape[1])) if vec.ndim > 1 and vec.shape[1] > 1 else r


def _concatenated_terms(node, key):
    # chumpy.reordering.concatenate names its operands m0, m1, … in the instance's own dterms.
    names = node.state.get("dterms")
    if names is None:
        names = sorted((t for t in node.state if t[:1] == "m" and t[1:].isdigit()), key=lambda t: int(t[1:]))
    if not names:
        raise ConversionError(f"{key}: a chumpy Concatenate without operands (keys {sorted(node.state)})")
    return list(names)


# How each chumpy class computes its value from its pickled operands, as its compute_r does (operand
# names from chumpy's ch.py, ch_ops.py and reordering.py, github.com/mattloper/chumpy). Only classes
# whose value depends on nothing but the stored operands; anything else is refused by name.
_CHUMPY_OPS = {
    "Ch": lambda n, k: _operand(n, "x", k),
    "Select": _select,
    "Reshape": lambda n, k: _operand(n, "a", k).reshape(_term(n, "newshape", k)),
    "transpose": lambda n, k: np.transpose(_operand(n, "a", k), _axis(n, "axes", k)),
    "swapaxes": lambda n, k: np.swapaxes(_operand(n, "a", k), int(_term(n, "axis1", k)), int(_term(n, "axis2", k))),
    "rollaxis": lambda n, k: np.rollaxis(_operand(n, "a", k), int(_term(n, "axis", k)), int(_term(n, "start", k, False, 0))),
    "AtleastNd": lambda n, k: _atleast(_operand(n, "x", k), int(_term(n, "ndims", k))),
    "add": lambda n, k: _operand(n, "a", k) + _operand(n, "b", k),
    "subtract": lambda n, k: _operand(n, "a", k) - _operand(n, "b", k),
    "multiply": lambda n, k: _operand(n, "a", k) * _operand(n, "b", k),
    "divide": lambda n, k: _operand(n, "x1", k) / _operand(n, "x2", k),
    "negative": lambda n, k: -_operand(n, "x", k),
    "power": lambda n, k: np.power(_operand(n, "x", k), _operand(n, "pow", k)),
    "dot": lambda n, k: _operand(n, "a", k).dot(_operand(n, "b", k)),
    "MatVecMult": _mat_vec_mult,
    "sum": lambda n, k: np.sum(_operand(n, "x", k), axis=_axis(n, "axis", k)),
    "mean": lambda n, k: np.mean(_operand(n, "x", k), axis=_axis(n, "axis", k)),
    "Concatenate": lambda n, k: np.concatenate(
        [_operand(n, t, k) for t in _concatenated_terms(n, k)], axis=int(_term(n, "axis", k))),
}


def evaluate_chumpy(node, key):
    """The value of a pickled chumpy expression, computed with numpy."""
    name = type(node).__name__
    op = _CHUMPY_OPS.get(name)
    if op is None:
        raise ConversionError(f"{key}: unsupported chumpy class {getattr(type(node), 'chumpy_module', 'chumpy')}.{name} (keys {sorted(node.state)})")
    try:
        return np.asarray(op(node, key))
    except ConversionError:
        raise
    except Exception as e:
        raise ConversionError(f"{key}: cannot evaluate chumpy {name} ({type(e).__name__}: {e})")


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
            return ManoUnpickler._classes.setdefault((module, name), type(name, (base,), {"chumpy_module": module}))
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


def side_from_name(path):
    name = os.path.basename(path).lower()
    left, right = "left" in name, "right" in name
    return None if left == right else ("left" if left else "right")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pickle", help="MANO_RIGHT.pkl or MANO_LEFT.pkl")
    ap.add_argument("output", help="the .safetensors file to write")
    ap.add_argument("--side", choices=["right", "left"],
                    help="the hand the pickle holds; default from its name (MANO_RIGHT / MANO_LEFT)")
    args = ap.parse_args()
    side = args.side or side_from_name(args.pickle)
    try:
        tensors = mano_tensors(load_mano(args.pickle))
    except ConversionError as e:
        print(f"{args.pickle}: {e}", file=sys.stderr)
        return 1
    metadata = {"source": "MANO pickle converted by scripts/mano_to_safetensors.py"}
    if side:
        # HandMesh mirrors a file of the other side when one file serves both hands.
        metadata["side"] = side
    write_safetensors(args.output, tensors, metadata)
    print(f"{args.output}: {len(tensors)} tensors, {tensors['v_template'].shape[0]} vertices, {tensors['faces'].shape[0]} faces")
    return 0


if __name__ == "__main__":
    sys.exit(main())
