"""Hand-shape features from the 21 joints: ratios of lengths only, so that they do not change with
the hand's rotation, position or size (nor with its side: a mirror image keeps every length)."""
from __future__ import annotations

import numpy as np

# MediaPipe's indices: (MCP, PIP, DIP, tip) of each long finger; the thumb is 1-4.
FINGERS = {"index": (5, 6, 7, 8), "middle": (9, 10, 11, 12), "ring": (13, 14, 15, 16), "pinky": (17, 18, 19, 20)}
WRIST, THUMB_TIP, INDEX_MCP, INDEX_TIP, MIDDLE_MCP = 0, 4, 5, 8, 9


def features(j: np.ndarray) -> dict:
    """Per long finger, its straightness: the wrist-to-tip distance over the length of the chain
    wrist, MCP, PIP, DIP, tip (1 for a straight finger in line with the palm, about 0.35 in a
    fist). `thumb_reach`: thumb tip to wrist; `pinch`: thumb tip to index tip; both in palm lengths
    (wrist to middle MCP). Lengths rather than joint angles: the fit places fingers' joints along
    their length more reliably than it bends them, the thumb's least of all."""
    j = np.asarray(j, dtype=np.float64).reshape(21, 3)
    bones = np.linalg.norm(np.diff(j, axis=0), axis=1)
    palm = max(float(np.linalg.norm(j[MIDDLE_MCP] - j[WRIST])), 1e-9)
    out = {}
    for name, (mcp, pip, dip, tip) in FINGERS.items():
        chain = float(np.linalg.norm(j[mcp] - j[WRIST]) + bones[mcp:tip].sum())
        out[name] = float(np.linalg.norm(j[tip] - j[WRIST])) / max(chain, 1e-9)
    out["thumb_reach"] = float(np.linalg.norm(j[THUMB_TIP] - j[WRIST])) / palm
    out["pinch"] = float(np.linalg.norm(j[THUMB_TIP] - j[INDEX_TIP])) / palm
    return out
