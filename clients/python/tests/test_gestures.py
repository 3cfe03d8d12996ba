"""Gestures: invariant to rotation, size and side; right on a synthetic clip's own truth; the
evaluation's output."""
import subprocess
import sys

import numpy as np

from handmesh import read
from handmesh.gestures import GESTURES, GestureTracker, scores
from handmesh.gestures.__main__ import main as gestures_main


def random_rotation(rng):
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    return q * np.sign(np.linalg.det(q))


def test_scores_do_not_change_with_rotation_size_or_side(synth_truth):
    rng = np.random.default_rng(7)
    frames = list(read(str(synth_truth)))
    for frame in frames[::15]:
        j = frame.hands[0].joints3d
        base = scores(j)
        moved = (j - j[0]) @ random_rotation(rng).T * rng.uniform(0.6, 1.6) + rng.normal(0, 0.3, 3)
        mirrored = j * [-1, 1, 1]
        for other in (scores(moved), scores(mirrored)):
            for name in GESTURES:
                assert abs(other[name] - base[name]) < 1e-6, (frame.index, name)


def test_the_synthetic_truths_own_joints_give_its_gestures(synth_truth):
    """On clean joints, the held frames of the key gestures are recognised, all but the fist: the
    synthetic fist's thumb stands out 1.5 palm lengths from the wrist, where the thresholds, set
    on the pipeline's fits (which see it folded), read a thumbs-up."""
    tracker = GestureTracker()
    seen, agree, held = set(), 0, 0
    for frame in read(str(synth_truth)):
        hand = frame.hands[0]
        said = tracker.update(hand.joints3d).name
        if hand.gesture["weight"] < 0.999:
            continue
        if hand.gesture["name"] == "relaxed":
            continue
        seen.add(hand.gesture["name"])
        held += 1
        agree += said == hand.gesture["name"]
    assert seen == set(GESTURES)
    assert agree / held >= 6 / 7 - 1e-9, f"{agree}/{held}"


def test_the_truth_holds_each_gesture_and_blends_between(synth_truth):
    weights = [f.hands[0].gesture["weight"] for f in read(str(synth_truth))]
    assert min(weights) >= 0.5 and max(weights) == 1.0
    assert 0.3 < np.mean(np.array(weights) == 1.0) < 0.6


def test_evaluate_ends_with_the_agreement(synth_truth, capsys):
    assert gestures_main(["--evaluate", str(synth_truth), str(synth_truth)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("agreement ") and last.endswith("%")


def test_live_prints_changes_with_timestamps(synth_truth):
    out = subprocess.run([sys.executable, "-m", "handmesh.gestures", "-"], stdin=open(synth_truth, "rb"),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) >= 7
    pts, stream, track, side, name, confidence = lines[0].split()
    assert float(pts) >= 0 and stream == "synth" and name in GESTURES and 0 <= float(confidence) <= 1
