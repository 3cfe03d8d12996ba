"""python -m handmesh.gestures SOURCE | --evaluate RECORDS TRUTH

SOURCE (a records file, `-` for stdin, or `unix:PATH`): one line per gesture change,
`pts stream track handedness gesture confidence`, as they happen.

--evaluate RECORDS TRUTH: recognises gestures in RECORDS (a `handmesh run` of a `handmesh synth`
clip) and compares them with TRUTH (`synth --truth`), frame by frame, over the frames whose truth
holds one of the seven gestures (weight 1, not a blend). The synthetic `relaxed` hand, none of the
seven, is listed (as `none`) but not counted. The last line is `agreement NN.N%`.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter

from .. import read
from ..reader import ConnectionLost
from ..records import RecordError
from . import NONE, GestureTracker, recognize

# The synthetic clips' gestures that are none of the seven.
TRUTH_AS_NONE = {"relaxed"}


def live(source: str, joints: str) -> int:
    for frame, hand, g in recognize(read(source), joints=joints):
        if g.changed:
            print(f"{frame.pts:.3f} {frame.stream} {hand.track} {hand.handedness} {g.name} {g.confidence:.2f}", flush=True)
    return 0


def evaluate(records: str, truth: str, joints: str = "joints3d") -> int:
    truth_by_index = {}
    for frame in read(truth):
        if frame.hands and frame.hands[0].gesture:
            truth_by_index[frame.index] = frame.hands[0].gesture
    if not truth_by_index:
        print(f"{truth}: no gesture truth (written by handmesh synth --truth)", file=sys.stderr)
        return 1
    tracker = GestureTracker(joints=joints)
    held = agree = 0
    confusion: Counter = Counter()
    for frame in read(records):
        # The clip shows one hand: follow the most confident one, as a single-hand consumer would.
        hand = max((h for h in frame.hands if getattr(h, joints) is not None), key=lambda h: h.score, default=None)
        said = tracker.update(getattr(hand, joints)).name if hand is not None else NONE
        t = truth_by_index.get(frame.index)
        if t is None or t["weight"] < 0.999:
            continue
        want = NONE if t["name"] in TRUTH_AS_NONE else t["name"]
        confusion[(want, said)] += 1
        if want != NONE:
            held += 1
            agree += said == want
    if held == 0:
        print(f"{records}: no frame matches a held gesture of {truth}", file=sys.stderr)
        return 1
    for want in sorted({w for w, _ in confusion}):
        row = {s: n for (w, s), n in confusion.items() if w == want}
        total = sum(row.values())
        print(f"{want:10s} {row.get(want, 0):4d}/{total:<4d} " + " ".join(f"{s}:{n}" for s, n in sorted(row.items()) if s != want))
    print(f"held frames {held} (of the seven gestures; relaxed hands, none of them, are listed as none above)")
    print(f"agreement {100.0 * agree / held:.1f}%")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handmesh.gestures", description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", help="records file, - for stdin, or unix:PATH")
    parser.add_argument("--evaluate", nargs=2, metavar=("RECORDS", "TRUTH"), help="agreement with a synth truth file")
    parser.add_argument("--joints", choices=("joints3d", "world_landmarks"), default="joints3d",
                        help="the fitted joints (default) or MediaPipe's world landmarks")
    args = parser.parse_args(argv)
    try:
        if args.evaluate:
            return evaluate(*args.evaluate, joints=args.joints)
        if not args.source:
            parser.error("give SOURCE or --evaluate RECORDS TRUTH")
        return live(args.source, args.joints)
    except (RecordError, ConnectionLost, FileNotFoundError) as e:
        print(f"handmesh.gestures: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
