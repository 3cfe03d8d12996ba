#!/usr/bin/env python3
"""A numpy forward pass of MANO, used only by tests as the oracle for the Swift hand model.

Reads a MANO-layout pickle (through the converter's chumpy-free loader) and a JSON list of 61
parameters (global orientation 3, pose 45, shape 10, translation 3; pose relative to the flat
hand), and prints JSON with the skinned vertices and the 21 keypoints in MediaPipe's order, both as
MANO's joints plus fingertip vertices and with MediaPipe's landmark shifts (wrist 14 mm toward the
middle MCP, thumb CMC 12 mm toward the thumb MCP, fractions of the template bones).

    python3 scripts/numpy_lbs_oracle.py MODEL.pkl PARAMS.json
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mano_to_safetensors import load_mano  # noqa: E402

PARENTS = [-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 0, 10, 11, 0, 13, 14]
# manopth's fingertip vertices (github.com/hassony2/manopth, manopth/manolayer.py), right hand.
TIPS = {"thumb": 745, "index": 317, "middle": 444, "ring": 556, "pinky": 673}
# MediaPipe order: wrist, thumb CMC MCP IP tip, index, middle, ring, pinky (MCP PIP DIP tip).
ORDER = [0, 13, 14, 15, "thumb", 1, 2, 3, "index", 4, 5, 6, "middle", 10, 11, 12, "ring", 7, 8, 9, "pinky"]


def rotation(w):
    angle = np.linalg.norm(w)
    if angle < 1e-12:
        return np.eye(3)
    k = w / angle
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def forward(m, params):
    params = np.asarray(params, dtype=np.float64)
    rot, betas, transl = params[:48].reshape(16, 3), params[48:58], params[58:61]
    shapedirs = np.asarray(m["shapedirs"])[:, :, :10]
    v_shaped = m["v_template"] + shapedirs @ betas
    J = m["J_regressor"] @ v_shaped
    R = np.stack([rotation(w) for w in rot])
    feature = (R[1:] - np.eye(3)).reshape(-1)
    v_posed = v_shaped + np.asarray(m["posedirs"]) @ feature
    G = np.zeros((16, 4, 4))
    for j in range(16):
        local = np.eye(4)
        local[:3, :3] = R[j]
        local[:3, 3] = J[j] if PARENTS[j] < 0 else J[j] - J[PARENTS[j]]
        G[j] = local if PARENTS[j] < 0 else G[PARENTS[j]] @ local
    A = G.copy()
    A[:, :3, 3] -= np.einsum("jab,jb->ja", G[:, :3, :3], J)
    T = np.einsum("vj,jab->vab", m["weights"], A)
    verts = np.einsum("vab,vb->va", T[:, :3, :3], v_posed) + T[:, :3, 3] + transl
    joints = G[:, :3, 3] + transl

    def keypoints(shifted):
        out = []
        J0 = m["J_regressor"] @ m["v_template"]
        for s in ORDER:
            if isinstance(s, str):
                out.append(verts[TIPS[s]])
            elif shifted and s in (0, 13):
                toward, shift = (4, 0.014) if s == 0 else (14, 0.012)
                t = shift / np.linalg.norm(J0[toward] - J0[s])
                out.append(joints[s] + t * G[s, :3, :3] @ (J[toward] - J[s]))
            else:
                out.append(joints[s])
        return np.array(out)

    return {"vertices": verts.tolist(), "keypoints_joints": keypoints(False).tolist(),
            "keypoints_mediapipe": keypoints(True).tolist()}


def main():
    model = load_mano(sys.argv[1])
    with open(sys.argv[2]) as f:
        params = json.load(f)
    json.dump(forward(model, params), sys.stdout)


if __name__ == "__main__":
    main()
