#!/usr/bin/env python3
"""Fallback evidence for the fitting measurements: MediaPipe Hands (the Python solution, the
reference HandMesh's own Evidence target reproduces) run over a video, one JSON line per frame.

Lines have the fields of HandMesh's own frame records that `handmesh eval fit` reads, so the
same command measures either; the product path never reads this file. Run in .venv-oracle:
  .venv-oracle/bin/python scripts/fit_landmarks_oracle.py VIDEO OUT.ndjson [--mirrored]
Each line: {"type": "frame", "index": i, "pts": s, "width": w, "height": h,
            "hands": [{"track": n, "handedness": "right", "score": s,
                       "landmarks": [[x_px, y_px] x21], "world_landmarks": [[x, y, z] m x21]}]}
MediaPipe's handedness assumes a mirrored (selfie) image; without --mirrored the labels are
swapped, as HandMesh's Evidence does for a source that is not mirrored.
"""
import json
import sys

import cv2
import mediapipe as mp


def main() -> None:
    video, out = sys.argv[1], sys.argv[2]
    mirrored = "--mirrored" in sys.argv[3:]
    cap = cv2.VideoCapture(video)
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    track, had_hand = 0, False
    hands = mp.solutions.hands.Hands(static_image_mode=False, max_num_hands=1,
                                     model_complexity=1, min_detection_confidence=0.5,
                                     min_tracking_confidence=0.5)
    with open(out, "w") as f:
        i = 0
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            h, w = bgr.shape[:2]
            res = hands.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            rec = {"type": "frame", "index": i, "pts": i / fps, "width": w, "height": h, "hands": []}
            if not res.multi_hand_landmarks and had_hand:
                track += 1
            had_hand = bool(res.multi_hand_landmarks)
            if res.multi_hand_landmarks:
                for lm, wl, hd in zip(res.multi_hand_landmarks, res.multi_hand_world_landmarks,
                                      res.multi_handedness):
                    c = hd.classification[0]
                    label = c.label.lower()
                    if not mirrored:
                        label = "right" if label == "left" else "left"
                    rec["hands"].append({
                        "track": track, "handedness": label, "score": c.score,
                        "landmarks": [[p.x * w, p.y * h] for p in lm.landmark],
                        "world_landmarks": [[p.x, p.y, p.z] for p in wl.landmark],
                    })
            f.write(json.dumps(rec) + "\n")
            i += 1
    print(f"{out}: {i} frames")


if __name__ == "__main__":
    main()
