"""Gestures from a hand's 21 joints: open palm, fist, point, pinch, thumbs-up, victory and OK.

Each frame's shape gives every gesture a score in 0...1 (a fuzzy AND of conditions on how
straight the fingers are, alone and against one another, on the thumb's direction along the palm
and on its tip's distance to the index tip, see `features`): a confidence that does not change
with the hand's rotation, size or side. `GestureTracker` adds hysteresis over frames, per hand
track: a new gesture must lead for a few frames before it is reported, and the current one is
kept while its score stays above a lower threshold.

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
# joints. Set by scripts/tune-gestures (a coordinate search of each middle and width for the best
# agreement) on the pipeline's own records of synthetic clips of seeds 4-9 (`handmesh synth
# --frames 300`), seeds 1-3 kept for the evaluation. The truth's own joints (straightness 1.0
# straight, 0.25-0.35 curled; thumb_up 0.78 raised, -0.4 folded; pinch 0.1 in OK, 0.47 in a
# pinch) must pass with the joints3d table (they do, every held frame of seeds 1-9); not with
# MediaPipe's, whose thumb_up turns at 0.85 because MediaPipe sees every thumb, folded or raised,
# nearer the palm's axis. The fit's thumb tip is its least reliable joint (in some clips' pinch
# and OK it stops a palm length short of the index), so for joints3d the touch is loose (1.1 palm
# lengths) and the fingers' pattern tells pinch and OK from the rest; MediaPipe's world landmarks
# keep the thumb closer (0.67).
THRESHOLDS_FOR = {
    "joints3d": {
        "straight": (0.82, 0.015), "curled": (0.54, 0.04), "fingers": (0.93, 0.02), "index_alone": (0.12, 0.02),
        "two_up": (0.15, 0.03), "thumb_up": (0.65, 0.05), "touch": (1.12, 0.06),
    },
    "world_landmarks": {
        "straight": (0.865, 0.015), "curled": (0.8, 0.04), "fingers": (0.96, 0.02), "index_alone": (0.08, 0.02),
        "two_up": (0.045, 0.03), "thumb_up": (0.85, 0.05), "touch": (0.67, 0.06),
    },
}
THRESHOLDS = THRESHOLDS_FOR["joints3d"]


def scores(joints3d: np.ndarray, thresholds: dict = THRESHOLDS) -> dict:
    """Every gesture's score, 0...1, for one hand's joints (21, 3): a fuzzy AND (the minimum) of
    its conditions, each a smooth step."""
    return score_features(features(joints3d), thresholds)


def score_features(f: dict, thresholds: dict = THRESHOLDS) -> dict:
    """`scores` from a hand's `features`. Conditions on a mean of fingers (all four straight, the
    last three curled) rather than on each finger: one finger the fit leaves half-bent (often the
    pinky) should not undo a gesture. Pinch and OK are told apart by whether the index bends
    alone, not by how far the thumb is, which the fit gets wrong more often."""
    t = thresholds
    straight = {k: _rise(f[k], *t["straight"]) for k in ("index", "middle")}
    curled = {k: 1 - _rise(f[k], *t["curled"]) for k in ("middle", "ring")}
    three_curled = 1 - _rise((f["middle"] + f["ring"] + f["pinky"]) / 3, *t["curled"])
    all_straight = _rise(f["fingers"], *t["fingers"])
    index_alone = _rise(f["index_alone"], *t["index_alone"])
    two_up = _rise(f["two_up"], *t["two_up"])
    thumb_up = _rise(f["thumb_up"], *t["thumb_up"])
    touch = 1 - _rise(f["pinch"], *t["touch"])
    return {
        "open": all_straight,
        "fist": min(three_curled, 1 - straight["index"], 1 - thumb_up),
        "point": min(straight["index"], three_curled),
        "pinch": min(touch, 1 - all_straight, 1 - index_alone, 1 - curled["middle"], 1 - curled["ring"]),
        "thumbs-up": min(three_curled, 1 - straight["index"], thumb_up),
        "victory": min(straight["index"], straight["middle"], two_up),
        "ok": min(touch, 1 - straight["index"], index_alone),
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
        held = self.current != NONE and s[self.current] >= self.leave
        if held and candidate == NONE:
            candidate = self.current
        changed = False
        if not self.seen:
            # A track's first frame has nothing to hold on to: take what it shows.
            self.seen = True
            self.current, changed = candidate, candidate != NONE
        elif candidate == self.current:
            self.pending, self.count = None, 0
        else:
            # Another gesture must lead for `frames` frames in a row to take over a held one; a
            # gesture no longer held gives way after `frames` frames whatever leads meanwhile
            # (otherwise a successor flickering about `enter` would keep it forever).
            self.count = self.count + 1 if (candidate == self.pending or not held) else 1
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
