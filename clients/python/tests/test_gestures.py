"""Gestures: invariant to rotation, size and side; right on a synthetic clip's own truth; the
evaluation's output."""
import subprocess
import sys

import numpy as np

from handmesh import read
from handmesh.gestures import GESTURES, GestureTracker, features, scores
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


def test_features_do_not_change_with_rotation_size_or_side(synth_truth):
    """Each feature itself, not only the scores (a score saturated at 0 or 1 would hide a feature
    that moves): the thumb's direction is a cosine between two joint-to-joint vectors, which a
    mirror keeps."""
    rng = np.random.default_rng(11)
    for frame in list(read(str(synth_truth)))[::10]:
        j = frame.hands[0].joints3d
        base = features(j)
        mirror = np.diag(np.where(np.arange(3) == rng.integers(3), -1.0, 1.0))
        moved = (j - j[0]) @ (random_rotation(rng) @ mirror).T * rng.uniform(0.5, 2.0) + rng.normal(0, 0.5, 3)
        other = features(moved)
        for name, value in base.items():
            assert abs(other[name] - value) < 1e-9, (frame.index, name)


def test_the_synthetic_truths_own_joints_give_its_gestures(synth_truth):
    """On exact joints, with the fitted joints' thresholds, every held frame of the seven
    gestures is recognised: a rule that fails on the truth's own joints is wrong, whatever it
    gains on the fits. (MediaPipe's table is not held to this: its thumb_up turns at 0.85, above
    the exact raised thumb's 0.78, because MediaPipe sees every thumb nearer the palm's axis.)"""
    tracker = GestureTracker(joints="joints3d")
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
    assert agree / held >= 0.97, f"{agree}/{held}"


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


def test_a_gesture_no_longer_held_gives_way_however_its_successor_flickers():
    tracker = GestureTracker(enter=0.6, leave=0.35, frames=3)
    zero = {g: 0.0 for g in GESTURES}
    for _ in range(5):
        tracker.update_scores({**zero, "fist": 0.9})
    assert tracker.current == "fist"
    # The fist is gone (score 0); thumbs-up flickers about `enter`: above, below, above...
    names = [tracker.update_scores({**zero, "thumbs-up": 0.65 if i % 2 == 0 else 0.55}).name for i in range(6)]
    assert "fist" not in names[3:], names
    # A held gesture is not taken over by a flickering one.
    held = GestureTracker(enter=0.6, leave=0.35, frames=3)
    for _ in range(5):
        held.update_scores({**zero, "fist": 0.9})
    names = [held.update_scores({**zero, "fist": 0.5, "thumbs-up": 0.7 if i % 2 == 0 else 0.3}).name for i in range(6)]
    assert names == ["fist"] * 6, names
