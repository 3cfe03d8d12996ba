"""Hand-shape features from the 21 joints: ratios of lengths and cosines of angles between
vectors from joint to joint, so that they do not change with the hand's rotation, position or
size, nor with its side (a mirror image keeps every length and every angle between two vectors;
only a cross product, such as the palm's normal, would flip, and no feature uses one)."""
from __future__ import annotations

import numpy as np

# MediaPipe's indices: (MCP, PIP, DIP, tip) of each long finger; the thumb is 1-4.
FINGERS = {"index": (5, 6, 7, 8), "middle": (9, 10, 11, 12), "ring": (13, 14, 15, 16), "pinky": (17, 18, 19, 20)}
WRIST, THUMB_IP, THUMB_TIP, INDEX_TIP, MIDDLE_MCP = 0, 3, 4, 8, 9


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)


def features(j: np.ndarray) -> dict:
    """Per long finger, its straightness: the wrist-to-tip distance over the length of the chain
    wrist, MCP, PIP, DIP, tip (1 for a straight finger in line with the palm, about 0.35 in a
    fist). Lengths rather than joint angles: the fit places fingers' joints along their length
    more reliably than it bends them.

    Then how the fingers compare with one another, because a fit (or MediaPipe) gets a hand's
    overall curl wrong from one clip to the next (its straight fingers at 0.9 in one, its
    half-bent ones at 0.9 in another) more than it gets their order wrong:
    `fingers`, the four's mean straightness (an open hand's, not to hang on its least straight
    finger); `index_alone`, the other three's mean less the index's (OK: the index alone bent,
    0.15-0.45; about 0 for a pinch, whose fingers all bend alike); `two_up`, index and middle's
    mean less ring and pinky's (victory, 0.25-0.7).

    `thumb_up`: the cosine of the angle between the thumb's last bone (IP joint to tip) and the
    palm's axis (wrist to middle MCP). A raised thumb lies along the palm's axis (0.7-0.9); a
    thumb folded over the fingers crosses it or points out of the palm (0.5 and less). A
    direction, not the thumb's reach from the wrist: the reach tells a fist from a thumbs-up only
    when the thumb's length is right (the fit's thumb is sometimes a third short), and the
    synthetic fist's thumb stands 1.5 palm lengths from the wrist, as far as a raised one.

    `pinch`: thumb tip to index tip, in palm lengths (wrist to middle MCP)."""
    j = np.asarray(j, dtype=np.float64).reshape(21, 3)
    bones = np.linalg.norm(np.diff(j, axis=0), axis=1)
    palm = max(float(np.linalg.norm(j[MIDDLE_MCP] - j[WRIST])), 1e-9)
    out = {}
    for name, (mcp, pip, dip, tip) in FINGERS.items():
        chain = float(np.linalg.norm(j[mcp] - j[WRIST]) + bones[mcp:tip].sum())
        out[name] = float(np.linalg.norm(j[tip] - j[WRIST])) / max(chain, 1e-9)
    index, middle, ring, pinky = (out[k] for k in FINGERS)
    out["fingers"] = (index + middle + ring + pinky) / 4
    out["index_alone"] = (middle + ring + pinky) / 3 - index
    out["two_up"] = (index + middle) / 2 - (ring + pinky) / 2
    out["thumb_up"] = float(_unit(j[THUMB_TIP] - j[THUMB_IP]) @ _unit(j[MIDDLE_MCP] - j[WRIST]))
    out["pinch"] = float(np.linalg.norm(j[THUMB_TIP] - j[INDEX_TIP])) / palm
    return out
