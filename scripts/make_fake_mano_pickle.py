#!/usr/bin/env python3
"""Write a pickle shaped like MANO_RIGHT.pkl, filled with random values, for tests only.

The real file cannot be used in tests (its licence). This one has the same keys, shapes and
classes: shapedirs and posedirs are chumpy Ch objects and J_regressor a scipy.sparse csc_matrix,
pickled under those module names by stand-in classes defined here, so reading it exercises the
converter's chumpy-free unpickler exactly as the real file would.

    python3 scripts/make_fake_mano_pickle.py OUT.pkl [--seed N]
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
scipy, sparse, csc = fake_module("scipy"), fake_module("scipy.sparse"), fake_module("scipy.sparse.csc")


class Ch:
    def __init__(self, x):
        self.x = x
        self._dirty_vars = set()  # chumpy keeps bookkeeping next to the value; the converter must ignore it

    def __getstate__(self):
        return {"x": self.x, "_dirty_vars": self._dirty_vars, "_itr": None}


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


Ch.__module__, Ch.__qualname__ = "chumpy.ch", "Ch"
csc_matrix.__module__, csc_matrix.__qualname__ = "scipy.sparse.csc", "csc_matrix"
chumpy_ch.Ch = Ch
csc.csc_matrix = csc_matrix


def fake_mano(seed):
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
    return {
        "v_template": rng.uniform(-0.08, 0.08, size=(v, 3)),
        "f": rng.integers(0, v, size=(f, 3)).astype(np.uint32),
        "weights": weights,
        "J_regressor": csc_matrix(regressor),
        "shapedirs": Ch(rng.normal(0, 0.01, size=(v, 3, 10))),
        "posedirs": Ch(rng.normal(0, 0.01, size=(v, 3, 135))),
        "hands_mean": rng.normal(0, 0.2, size=45),
        "hands_components": rng.normal(0, 1, size=(45, 45)),
        "hands_coeffs": rng.normal(0, 1, size=(20, 45)),
        "kintree_table": np.array([parents, list(range(16))], dtype=np.int64),
        "J": rng.uniform(-0.08, 0.08, size=(16, 3)),
        "bs_style": "lbs",
        "bs_type": "lrotmin",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("output")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with open(args.output, "wb") as out:
        pickle.dump(fake_mano(args.seed), out, protocol=2)


if __name__ == "__main__":
    main()
