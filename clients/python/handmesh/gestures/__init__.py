"""Gestures from a hand's 21 joints: open palm, fist, point, pinch, thumbs-up, victory and OK.

Each frame's shape gives every gesture a score in 0...1 (a fuzzy AND of conditions on how
straight each finger is and on the thumb tip's distances, see `features`): a confidence that does not change with the hand's
rotation, size or side. `GestureTracker` adds hysteresis over frames, per hand track: a new gesture
must lead for a few frames before it is reported, and the current one is kept while its score
stays above a lower threshold.

    from handmesh.gestures import recognize
    for frame, hand, gesture in recognize(handmesh.read("unix:/tmp/hands.sock")):
        print(frame.pts, hand.track, gesture.name, gesture.confidence)

`python -m handmesh.gestures SOURCE` prints gesture changes live; `--evaluate RECORDS TRUTH`
scores them against a `handmesh synth --truth` file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

import numpy as np

from .features import features

GESTURES = ("open", "fist", "point", "pinch", "thumbs-up", "victory", "ok")
NONE = "none"


def _rise(x: float, middle: float, width: float) -> float:
    """A smooth step from 0 (well below `middle`) to 1 (well above), `width` its scale."""
    return float(1.0 / (1.0 + np.exp(-(x - middle) / width)))


# Where each condition turns (middle, width), in the units of `features`, for each source of
# joints. Set by scripts/tune-gestures on the pipeline's own fits of synthetic clips of seeds 4-9
# (`handmesh synth --frames 300`), seeds 1-3 kept for the evaluation. Straightness is 0.85-1.0 for
# a straight finger and 0.3-0.6 for a curled one; the thumb's reach 1.1-1.4 palm lengths folded,
# 1.3-1.7 up; thumb tip to index tip 0.1-0.8 in pinch and OK, 1.0 and more apart. Ring and pinky
# have their own straightness: a pinch keeps them at 0.75-0.9.
THRESHOLDS_FOR = {
    "joints3d": {
        "straight": (0.88, 0.03), "straight_outer": (0.927, 0.015), "curled": (0.68, 0.04),
        "thumb_out": (1.305, 0.05), "touch": (0.94, 0.06),
    },
    "world_landmarks": {
        "straight": (0.925, 0.03), "straight_outer": (0.92, 0.015), "curled": (0.8, 0.04),
        "thumb_out": (1.33, 0.05), "touch": (0.61, 0.06),
    },
}
THRESHOLDS = THRESHOLDS_FOR["joints3d"]


def scores(joints3d: np.ndarray, thresholds: dict = THRESHOLDS) -> dict:
    """Every gesture's score, 0...1, for one hand's joints (21, 3): a fuzzy AND (the minimum) of
    its conditions, each a smooth step."""
    return score_features(features(joints3d), thresholds)


def score_features(f: dict, thresholds: dict = THRESHOLDS) -> dict:
    """`scores` from a hand's `features`."""
    t = thresholds
    straight = {k: _rise(f[k], *t["straight"]) for k in ("index", "middle")}
    straight.update({k: _rise(f[k], *t["straight_outer"]) for k in ("ring", "pinky")})
    curled = {k: 1 - _rise(f[k], *t["curled"]) for k in ("index", "middle", "ring", "pinky")}
    thumb_out = _rise(f["thumb_reach"], *t["thumb_out"])
    touch = 1 - _rise(f["pinch"], *t["touch"])
    three_curled = min(curled["middle"], curled["ring"], curled["pinky"])
    return {
        "open": min(min(straight.values()), 1 - touch),
        "fist": min(three_curled, 1 - straight["index"], 1 - thumb_out),
        "point": min(straight["index"], three_curled),
        "pinch": min(touch, 1 - straight["ring"], 1 - straight["pinky"], 1 - curled["middle"], 1 - curled["ring"]),
        "thumbs-up": min(three_curled, 1 - straight["index"], thumb_out),
        "victory": min(straight["index"], straight["middle"], curled["ring"], curled["pinky"]),
        "ok": min(touch, 1 - straight["index"], straight["middle"], straight["ring"], straight["pinky"]),
    }


@dataclass(frozen=True)
class Gesture:
    name: str           # one of GESTURES, or "none"
    confidence: float   # the gesture's score (for "none": one less the best score)
    changed: bool       # this frame is where the tracker switched to it


class GestureTracker:
    """One hand track's gesture over frames, with hysteresis: a gesture takes over once it has led
    with a score of at least `enter` for `frames` frames in a row, and is kept while its score stays
    at least `leave`."""

    def __init__(self, enter: float = 0.6, leave: float = 0.35, frames: int = 3, joints: str = "joints3d"):
        self.enter, self.leave, self.frames = enter, leave, frames
        self.thresholds = THRESHOLDS_FOR[joints]
        self.current = NONE
        self.pending: Optional[str] = None
        self.count = 0
        self.seen = False

    def update(self, joints3d: np.ndarray) -> Gesture:
        return self.update_scores(scores(joints3d, self.thresholds))

    def update_scores(self, s: dict) -> Gesture:
        """`update` from a frame's `scores`."""
        best = max(s, key=s.get)
        candidate = best if s[best] >= self.enter else NONE
        if self.current != NONE and s[self.current] >= self.leave and (candidate == NONE or candidate == self.current):
            candidate = self.current
        changed = False
        if not self.seen:
            # A track's first frame has nothing to hold on to: take what it shows.
            self.seen = True
            self.current, changed = candidate, candidate != NONE
        elif candidate == self.current:
            self.pending, self.count = None, 0
        else:
            self.count = self.count + 1 if candidate == self.pending else 1
            self.pending = candidate
            if self.count >= self.frames:
                self.current, self.pending, self.count, changed = candidate, None, 0, True
        confidence = s[self.current] if self.current != NONE else 1 - s[best]
        return Gesture(self.current, float(confidence), changed)


def recognize(frames: Iterable, joints: str = "joints3d", **tracker_options) -> Iterator:
    """(frame, hand, Gesture) for every hand that has `joints` (the fitted `joints3d`, or
    MediaPipe's `world_landmarks`), one tracker per (stream, track)."""
    trackers: dict = {}
    for frame in frames:
        for hand in frame.hands:
            points = getattr(hand, joints)
            if points is None:
                continue
            key = (frame.stream, hand.track)
            tracker = trackers.get(key)
            if tracker is None:
                tracker = trackers[key] = GestureTracker(joints=joints, **tracker_options)
            yield frame, hand, tracker.update(points)


__all__ = ["GESTURES", "NONE", "THRESHOLDS", "THRESHOLDS_FOR", "Gesture", "GestureTracker", "recognize", "scores", "score_features", "features"]
