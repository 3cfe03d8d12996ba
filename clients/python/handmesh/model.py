"""HandMesh's hand model in numpy: its faces, and the mesh posed from a record's parameters.

The model file is what `handmesh model export --safetensors PATH [--side left]` writes (or a MANO
file converted by scripts/mano_to_safetensors.py): MANO's layout, posed by MANO's linear blend
skinning, the same arithmetic as the Swift model, so `pose(**hand.parameters)` reproduces a record's
`vertices` (float32 in the record) to well under 0.1 mm. A record's `bone_factors` (the track's bone
lengths beyond the shape) scale the keypoints bone by bone and stretch the mesh with them, by the
`bone_weights` the export writes.
"""
from __future__ import annotations

import json
import struct
from typing import Optional

import numpy as np

# MANO's kinematic tree: wrist; index 1-3; middle 1-3; pinky 1-3; ring 1-3; thumb 1-3.
PARENTS = (-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 0, 10, 11, 0, 13, 14)
# MediaPipe's order from MANO's joints (ints) and the fingertip vertices (names).
_ORDER = (0, 13, 14, 15, "thumb", 1, 2, 3, "index", 4, 5, 6, "middle", 10, 11, 12, "ring", 7, 8, 9, "pinky")
_TIPS = ("thumb", "index", "middle", "ring", "pinky")
# MediaPipe's wrist landmark lies 14 mm from the kinematic wrist toward the middle MCP, its thumb
# CMC 12 mm from MANO's thumb1 toward thumb2 (docs/hand-model.md, "keypoint semantics").
_SHIFTS = {0: (4, 0.014), 13: (14, 0.012)}
# MediaPipe's landmark tree: the parent keypoint of keypoints 1...20; bone b ends at keypoint b + 1.
BONE_PARENTS = (0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15, 0, 17, 18, 19)

_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1"}


class ModelError(ValueError):
    """A model file that cannot be used; the message names the file."""


def read_safetensors(path: str) -> tuple:
    """(arrays by name, metadata) from a safetensors file, with numpy only."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ModelError(f"{path}: cannot open ({e.strerror})") from None
    if len(data) < 8:
        raise ModelError(f"{path}: not a safetensors file (shorter than its 8-byte header length)")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ModelError(f"{path}: not a safetensors file (header of {n} bytes past the end)")
    try:
        header = json.loads(data[8:8 + n])
    except ValueError as e:
        raise ModelError(f"{path}: safetensors header is not JSON ({e})") from None
    body = memoryview(data)[8 + n:]
    arrays = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(entry.get("dtype"))
        begin, end = entry["data_offsets"]
        if dtype is None or not 0 <= begin <= end <= len(body):
            raise ModelError(f"{path}: tensor {name}: bad dtype or byte range")
        arrays[name] = np.frombuffer(body[begin:end], dtype=dtype).reshape(entry["shape"])
    return arrays, header.get("__metadata__") or {}


def rodrigues(w: np.ndarray) -> np.ndarray:
    """Rotation matrices (..., 3, 3) from axis-angle vectors (..., 3)."""
    w = np.asarray(w, dtype=np.float64)
    angle = np.linalg.norm(w, axis=-1, keepdims=True)
    k = np.divide(w, angle, out=np.zeros_like(w), where=angle > 1e-12)
    K = np.zeros(w.shape[:-1] + (3, 3))
    K[..., 0, 1], K[..., 0, 2], K[..., 1, 2] = -k[..., 2], k[..., 1], -k[..., 0]
    K = K - np.swapaxes(K, -1, -2)
    s, c = np.sin(angle)[..., None], np.cos(angle)[..., None]
    return np.eye(3) + s * K + (1 - c) * K @ K


class HandModel:
    """One hand's model in MANO's layout: `faces` (F, 3), and `pose(...)` for the posed mesh."""

    def __init__(self, arrays: dict, side: str = "right", source: str = "model"):
        self.source = source
        self.side = side
        try:
            self.v_template = np.asarray(arrays["v_template"], np.float64)
            self.faces = np.asarray(arrays["faces"], np.int64)
            self.weights = np.asarray(arrays["weights"], np.float64)
            self.shapedirs = np.asarray(arrays["shapedirs"], np.float64)[:, :, :10]
        except KeyError as e:
            raise ModelError(f"{source}: missing tensor {e}") from None
        if "joint_template" in arrays:
            self.joint_template = np.asarray(arrays["joint_template"], np.float64)
            self.joint_shapedirs = np.asarray(arrays["joint_shapedirs"], np.float64)[:, :, :10]
        elif "J_regressor" in arrays:
            r = np.asarray(arrays["J_regressor"], np.float64)
            self.joint_template = r @ self.v_template
            self.joint_shapedirs = np.einsum("jv,vck->jck", r, self.shapedirs)
        else:
            raise ModelError(f"{source}: neither joint_template nor J_regressor")
        self.posedirs = np.asarray(arrays["posedirs"], np.float64) if "posedirs" in arrays else None
        self.hands_mean = np.asarray(arrays.get("hands_mean", np.zeros(45)), np.float64).reshape(45)
        self.tip_vertices = tuple(int(i) for i in arrays.get("tip_vertices", (745, 317, 444, 556, 673)))
        self.bone_weights = np.asarray(arrays["bone_weights"], np.float64) if "bone_weights" in arrays else None

    @staticmethod
    def load(path: str, side: Optional[str] = None) -> "HandModel":
        """A model file; `side` defaults to the file's `side` metadata, else right."""
        arrays, meta = read_safetensors(path)
        return HandModel(arrays, side=side or meta.get("side", "right"), source=path)

    @property
    def vertex_count(self) -> int:
        return self.v_template.shape[0]

    def mirrored(self) -> "HandModel":
        """The other hand, as HandMesh builds its built-in left hand: x -> -x, faces rewound.
        A right-hand pose (wx, wy, wz) per joint poses it as (wx, -wy, -wz)."""
        if self.posedirs is not None:
            raise ModelError(f"{self.source}: mirroring pose correctives is not supported; export the other side")
        flip = np.array([-1.0, 1.0, 1.0])
        arrays = {"v_template": self.v_template * flip, "faces": self.faces[:, ::-1], "weights": self.weights,
                  "shapedirs": self.shapedirs * flip[None, :, None], "joint_template": self.joint_template * flip,
                  "joint_shapedirs": self.joint_shapedirs * flip[None, :, None],
                  "hands_mean": self.hands_mean * np.tile([1.0, -1.0, -1.0], 15), "tip_vertices": self.tip_vertices}
        if self.bone_weights is not None:
            arrays["bone_weights"] = self.bone_weights  # nearness to the bones is the same in a mirror
        return HandModel(arrays, side="left" if self.side == "right" else "right", source=self.source + " (mirrored)")

    def pose(self, global_orient=None, pose=None, shape=None, transl=None, bone_factors=None, *, keypoints: bool = False):
        """Vertices (V, 3) in metres of the hand posed by MANO's linear blend skinning, with
        `flat_hand_mean=True` semantics (pose 0 is the flat hand). With `keypoints`, also the 21
        keypoints in MediaPipe's order and semantics, as in `joints3d`: (vertices, keypoints).
        `bone_factors` (20, a record's) scale the keypoints' bones and stretch the mesh with them."""
        go = np.zeros(3) if global_orient is None else np.asarray(global_orient, np.float64).reshape(3)
        p = np.zeros(45) if pose is None else np.asarray(pose, np.float64).reshape(45)
        b = np.zeros(10) if shape is None else np.asarray(shape, np.float64).reshape(-1)[:10]
        t = np.zeros(3) if transl is None else np.asarray(transl, np.float64).reshape(3)
        v_shaped = self.v_template + self.shapedirs[:, :, :b.size] @ b
        J = self.joint_template + self.joint_shapedirs[:, :, :b.size] @ b
        R = rodrigues(np.concatenate([go, p]).reshape(16, 3))
        if self.posedirs is not None:
            v_shaped = v_shaped + self.posedirs @ (R[1:] - np.eye(3)).reshape(-1)
        G = np.zeros((16, 4, 4))
        for j, parent in enumerate(PARENTS):
            local = np.eye(4)
            local[:3, :3] = R[j]
            local[:3, 3] = J[j] if parent < 0 else J[j] - J[parent]
            G[j] = local if parent < 0 else G[parent] @ local
        A = G.copy()
        A[:, :3, 3] -= np.einsum("jab,jb->ja", G[:, :3, :3], J)
        T = np.einsum("vj,jab->vab", self.weights, A)
        verts = np.einsum("vab,vb->va", T[:, :3, :3], v_shaped) + T[:, :3, 3] + t
        factors = None if bone_factors is None else np.asarray(bone_factors, np.float64).reshape(20)
        if factors is not None and np.all(factors == 1):
            factors = None
        if not keypoints and factors is None:
            return verts
        joints = G[:, :3, 3] + t
        tips = dict(zip(_TIPS, self.tip_vertices))
        J0 = self.joint_template
        out = []
        for s in _ORDER:
            if isinstance(s, str):
                out.append(verts[tips[s]])
            elif s in _SHIFTS:
                toward, shift = _SHIFTS[s]
                f = shift / np.linalg.norm(J0[toward] - J0[s])
                out.append(joints[s] + f * G[s, :3, :3] @ (J[toward] - J[s]))
            else:
                out.append(joints[s])
        points = np.array(out)
        if factors is not None:
            points, verts = self._stretch(points, verts, factors)
        return (verts, points) if keypoints else verts

    def _stretch(self, posed: np.ndarray, verts: np.ndarray, factors: np.ndarray) -> tuple:
        """The keypoints' bones scaled along the chain, and each vertex moved with its bones'
        parents and stretched along them (HandMesh's `BoneLengths`)."""
        if self.bone_weights is None:
            raise ModelError(f"{self.source}: no bone_weights to apply bone_factors; export it with this "
                             "version's `handmesh model export --safetensors`")
        scaled = posed.copy()
        for j in range(1, 21):
            p = BONE_PARENTS[j - 1]
            scaled[j] = scaled[p] + factors[j - 1] * (posed[j] - posed[p])
        parents = np.array(BONE_PARENTS)
        start = posed[parents]                                    # (20, 3) each bone's parent keypoint
        d = posed[1:] - start                                     # (20, 3) the bones
        move = scaled[parents] - start                            # the parent's move
        stretch = ((factors - 1) / np.einsum("bc,bc->b", d, d))[:, None] * d
        along = np.einsum("vbc,bc->vb", verts[:, None, :] - start[None], d)   # (V, 20)
        per_bone = move[None] + along[:, :, None] * stretch[None]          # (V, 20, 3)
        return scaled, verts + np.einsum("vb,vbc->vc", self.bone_weights, per_bone)
