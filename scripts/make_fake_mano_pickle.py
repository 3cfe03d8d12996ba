#!/usr/bin/env python3
"""Write a pickle shaped like MANO_RIGHT.pkl or MANO_LEFT.pkl, filled with random values, for tests only.

The real file cannot be used in tests (its licence). This one has the same keys, shapes and
classes, pickled under chumpy's and scipy's module names by stand-in classes defined here, so
reading it exercises the converter's chumpy-free unpickler as the real file would:
- shapedirs is a chumpy.reordering.Select of a chumpy.ch.Ch, as in MANO v1.2 (the Select keeps its
  source in `a`, flat indices in `idxs` and the result's shape in `preferred_shape`; its state has
  the same keys as the real file's);
- posedirs is a chumpy.reordering.transpose of a Ch, and v_template a nested expression
  (chumpy.ch_ops.add of a Ch and a chumpy.ch_ops.multiply of two Ch), to cover stored expressions;
- J_regressor is a scipy.sparse csc_matrix.

--plain writes the same values (same seed and side) as plain numpy arrays: what the numpy oracle
reads, so the converter's evaluation of the expressions is checked against values it never saw.
--side left writes MANO_LEFT's counterpart: the right hand mirrored x -> -x (MANO's left hand is
the mirror image of its right), faces rewound, pose values and correctives mirrored.
--unknown-class stores hands_mean as a chumpy class the converter does not evaluate.

    python3 scripts/make_fake_mano_pickle.py OUT.pkl [--seed N] [--side right|left] [--plain] [--unknown-class]
"""
import argparse
import pickle
import sys
import types

import numpy as np


def fake_module(name):
    m = types.ModuleType(name)
    sys.modules[name] = m
    return m


# Stand-ins registered under chumpy's and scipy's module names so the pickle refers to them.
chumpy, chumpy_ch = fake_module("chumpy"), fake_module("chumpy.ch")
chumpy_reordering, chumpy_ops = fake_module("chumpy.reordering"), fake_module("chumpy.ch_ops")
scipy, sparse, csc = fake_module("scipy"), fake_module("scipy.sparse"), fake_module("scipy.sparse.csc")


class ChumpyNode:
    """chumpy pickles an object's __dict__ minus its caches: the operands by name next to bookkeeping
    (_depends_on_deps, _dirty_vars, _itr) that the converter must ignore."""
    def __init__(self, **operands):
        self.operands = operands

    def __getstate__(self):
        return {"_depends_on_deps": {}, "_dirty_vars": set(), "_itr": None, **self.operands}


class Ch(ChumpyNode):
    def __init__(self, x):
        super().__init__(x=np.asarray(x, dtype=np.float64))


class Select(ChumpyNode):
    """What chumpy's Ch.__getitem__ builds: a[key] as flat indices into a."""
    def __init__(self, a, key):
        idxs = np.arange(a.operands["x"].size).reshape(a.operands["x"].shape)[key]
        super().__init__(a=a, idxs=idxs.ravel(), preferred_shape=idxs.shape)


class transpose(ChumpyNode):
    pass


class add(ChumpyNode):
    pass


class multiply(ChumpyNode):
    pass


class sin(ChumpyNode):
    """A class the converter does not evaluate (chumpy's elementwise sine)."""


class csc_matrix:
    def __init__(self, dense):
        rows, cols = dense.shape
        data, indices, indptr = [], [], [0]
        for c in range(cols):
            for r in range(rows):
                if dense[r, c] != 0:
                    data.append(dense[r, c])
                    indices.append(r)
            indptr.append(len(data))
        self.data = np.array(data)
        self.indices = np.array(indices, dtype=np.int32)
        self.indptr = np.array(indptr, dtype=np.int32)
        self._shape = (rows, cols)
        self.maxprint = 50


for cls, module in [(Ch, chumpy_ch), (Select, chumpy_reordering), (transpose, chumpy_reordering),
                    (add, chumpy_ops), (multiply, chumpy_ops), (sin, chumpy_ops)]:
    cls.__module__, cls.__qualname__ = module.__name__, cls.__name__
    setattr(module, cls.__name__, cls)
csc_matrix.__module__, csc_matrix.__qualname__ = "scipy.sparse.csc", "csc_matrix"
csc.csc_matrix = csc_matrix


def mirror_pose(p):
    """Axis-angle values per joint (…, 3k): a mirror x -> -x turns (wx, wy, wz) into (wx, -wy, -wz)."""
    p = np.array(p, dtype=np.float64)
    p.reshape(-1, 3)[:, 1:] *= -1
    return p


def mirror_posedirs(posedirs):
    """Entry (a, b) of R - I changes sign by s_a s_b under the mirror; the offsets flip x."""
    s = np.array([-1.0, 1.0, 1.0])
    feature = np.tile(np.outer(s, s).ravel(), 15)
    return posedirs * s[None, :, None] * feature[None, None, :]


def fake_arrays(seed, side):
    rng = np.random.default_rng(seed)
    v, f = 778, 1538
    weights = np.zeros((v, 16))
    for i in range(v):
        joints = rng.choice(16, size=3, replace=False)
        weights[i, joints] = rng.uniform(0.1, 1.0, size=3)
    weights /= weights.sum(axis=1, keepdims=True)
    regressor = np.zeros((16, v))
    for j in range(16):
        verts = rng.choice(v, size=8, replace=False)
        regressor[j, verts] = rng.uniform(0.1, 1.0, size=8)
    regressor /= regressor.sum(axis=1, keepdims=True)
    parents = [4294967295, 0, 1, 2, 0, 4, 5, 0, 7, 8, 0, 10, 11, 0, 13, 14]
    a = {
        "v_base": rng.uniform(-0.08, 0.08, size=(v, 3)),
        "v_delta": rng.uniform(-0.002, 0.002, size=(v, 3)),
        "f": rng.integers(0, v, size=(f, 3)).astype(np.uint32),
        "weights": weights,
        "J_regressor": regressor,
        # More directions than the 10 MANO keeps, so the Select really selects.
        "shapedirs_all": rng.normal(0, 0.01, size=(v, 3, 12)),
        "posedirs": rng.normal(0, 0.01, size=(v, 3, 135)),
        "hands_mean": rng.normal(0, 0.2, size=45),
        "hands_components": rng.normal(0, 1, size=(45, 45)),
        "hands_coeffs": rng.normal(0, 1, size=(20, 45)),
        "kintree_table": np.array([parents, list(range(16))], dtype=np.int64),
        "J": rng.uniform(-0.08, 0.08, size=(16, 3)),
    }
    if side == "left":
        flip = np.array([-1.0, 1.0, 1.0])
        a["v_base"] = a["v_base"] * flip
        a["v_delta"] = a["v_delta"] * flip
        a["shapedirs_all"] = a["shapedirs_all"] * flip[None, :, None]
        a["posedirs"] = mirror_posedirs(a["posedirs"])
        a["f"] = a["f"][:, [0, 2, 1]]
        a["hands_mean"] = mirror_pose(a["hands_mean"])
        a["hands_components"] = mirror_pose(a["hands_components"])
        a["hands_coeffs"] = a["hands_coeffs"]
        a["J"] = a["J"] * flip
    return a


def fake_mano(seed, side="right", plain=False, unknown_class=False):
    a = fake_arrays(seed, side)
    m = {
        "f": a["f"],
        "weights": a["weights"],
        "J_regressor": csc_matrix(a["J_regressor"]),
        "hands_mean": a["hands_mean"],
        "hands_components": a["hands_components"],
        "hands_coeffs": a["hands_coeffs"],
        "kintree_table": a["kintree_table"],
        "J": a["J"],
        "bs_style": "lbs",
        "bs_type": "lrotmin",
    }
    if plain:
        m["v_template"] = a["v_base"] + 0.5 * (2.0 * a["v_delta"])
        m["shapedirs"] = a["shapedirs_all"][:, :, :10]
        m["posedirs"] = a["posedirs"]
    else:
        m["v_template"] = add(a=Ch(a["v_base"]), b=multiply(a=Ch(0.5), b=Ch(2.0 * a["v_delta"])))
        m["shapedirs"] = Select(Ch(a["shapedirs_all"]), np.s_[:, :, :10])
        m["posedirs"] = transpose(a=Ch(np.ascontiguousarray(a["posedirs"].transpose(2, 0, 1))), axes=(1, 2, 0))
    if unknown_class:
        m["hands_mean"] = sin(x=Ch(a["hands_mean"]))
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("output")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--side", choices=["right", "left"], default="right")
    ap.add_argument("--plain", action="store_true", help="plain numpy arrays instead of chumpy expressions")
    ap.add_argument("--unknown-class", action="store_true", help="store hands_mean as a chumpy class the converter refuses")
    args = ap.parse_args()
    with open(args.output, "wb") as out:
        pickle.dump(fake_mano(args.seed, args.side, args.plain, args.unknown_class), out, protocol=2)


if __name__ == "__main__":
    main()
