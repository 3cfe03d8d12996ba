"""Real hand masks from the stereo clip, for developing Mask2Hand mode (issue 14, item 4).

The desk is static and only the person moves: background subtraction on skin's chroma (Cr), the
background being each pixel's 10th percentile over the clip, so the white shirt (grey chroma) and
the static red chair drop out. The largest blob, closed and hole-filled, is the mask: a hand with
its forearm, as a thresholded depth camera would show it.

Writes into OUT:
- camN.mask.mp4: the view's masks at 720x720 with the arm (lossless), for `run --input-is-mask`;
- cam0.hand.mp4: view 0's masks cut at the fitted wrist (as the crops below), the hand alone: what
  a run's forearm cut is scored against (`eval mask --whole-mask`);
- crops/: 224x224 masks of every STEP-th frame of view 0, cut at the wrist (the fitted wrist from
  `run`'s records of the colour clip, RECORDS0), the hand filling 25-70% of the crop, edges
  JPEG-compressed and thresholded like a public dataset's; crops.jsonl lists them with the crop's
  intrinsics (the view's, scaled and shifted; distortion as calibrated) and ids = frame numbers,
  so `handmesh eval stereo` scores them against the triangulated points;
- crops-arm/ and crops-arm.jsonl: the same crops with the forearm left on.

Usage: .venv-oracle/bin/python scripts/stereo_masks.py DATA_DIR RECORDS0 OUT [STEP]
"""
import json
import os
import subprocess
import sys

import cv2
import numpy as np

SIZE = 720
CROP = 224


def frames(path):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "bgr24", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, SIZE, SIZE, 3)


def intrinsics(path):
    rows = [l.split() for l in open(path) if l.strip() and not l.strip().endswith(":")]
    k = np.array(rows[:3], float)
    return k[0, 0], k[1, 1], k[0, 2], k[1, 2], [float(v) for v in rows[3]]


def masks(video):
    # Skin is red-shifted chroma (Cr well above the grey desk's and the white shirt's 128); the
    # background's Cr is each pixel's 10th percentile over the clip (the hand and arm pass, the desk
    # and the red chair stay), and foreground is where the frame's Cr rises above it.
    cr = np.stack([cv2.cvtColor(f, cv2.COLOR_BGR2YCrCb)[..., 1] for f in video]).astype(np.int16)
    background = np.percentile(cr[::3], 10, axis=0)
    opening = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    closing = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    out = np.zeros(video.shape[:3], np.uint8)
    for i, c in enumerate(cr):
        m = ((c - background > 8) & (c > 136)).astype(np.uint8) * 255
        m = cv2.morphologyEx(m, cv2.MORPH_OPEN, opening)
        m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, closing)
        out[i] = largest_filled(m)
    return out


def largest_filled(m):
    """The largest 8-connected blob, its holes (a fingernail, a shadow) filled."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    if n <= 1:
        return np.zeros_like(m)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    m = np.where(labels == best, 255, 0).astype(np.uint8)
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(m, contours, -1, 255, cv2.FILLED)
    return m


def write_video(path, masks):
    proc = subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "gray", "-s", f"{SIZE}x{SIZE}",
                             "-r", "30", "-i", "-", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", path],
                            stdin=subprocess.PIPE)
    proc.stdin.write(masks.tobytes())
    proc.stdin.close()
    assert proc.wait() == 0


def fitted_joints(path):
    out = {}
    for line in open(path):
        r = json.loads(line)
        if r.get("type") == "frame" and r.get("hands"):
            out[r["index"]] = np.array(r["hands"][0]["joints2d"], float)
    return out


def cut_at_wrist(mask, joints):
    """Everything beyond the wrist, away from the fingers, is arm: cut on the line through the wrist
    at right angles to the wrist-to-middle-knuckle axis, a tenth of the palm's length toward the arm."""
    wrist, knuckle = joints[0], joints[9]
    axis = knuckle - wrist
    axis /= max(np.linalg.norm(axis), 1e-9)
    cut = wrist - 0.1 * np.linalg.norm(knuckle - joints[0]) * axis
    ys, xs = np.mgrid[0:mask.shape[0], 0:mask.shape[1]]
    keep = (xs + 0.5 - cut[0]) * axis[0] + (ys + 0.5 - cut[1]) * axis[1] >= 0
    return largest_filled(np.where(keep, mask, 0).astype(np.uint8))


def framing(mask, rng):
    """A square around the hand, which fills 25-70% of its side, placed anywhere that keeps the hand
    inside: (origin, scale to 224)."""
    ys, xs = np.nonzero(mask)
    lo, hi = np.array([xs.min(), ys.min()], float), np.array([xs.max() + 1, ys.max() + 1], float)
    side = max(hi - lo) / rng.uniform(0.25, 0.7)
    origin = lo - (side - (hi - lo)) * rng.uniform(0.2, 0.8, 2)
    return origin, CROP / side


def crop(mask, origin, scale, quality):
    """The mask through the framing, area-averaged, JPEG-coded and thresholded: the soft, blocky
    edge of a dataset's compressed masks."""
    m = np.float32([[scale, 0, -origin[0] * scale], [0, scale, -origin[1] * scale]])
    small = cv2.warpAffine(mask, m, (CROP, CROP), flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    _, jpeg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, quality])
    small = cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)
    return np.where(small >= 128, 255, 0).astype(np.uint8)


def main():
    data, records0, out = sys.argv[1:4]
    step = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    os.makedirs(out, exist_ok=True)
    for view in (0, 1):
        m = masks(frames(os.path.join(data, f"cam{view}_test.mp4")))
        write_video(os.path.join(out, f"cam{view}.mask.mp4"), m)
        if view == 0:
            masks0 = m
    fx, fy, cx, cy, dist = intrinsics(os.path.join(data, "camera_parameters", "c0.dat"))
    joints = fitted_joints(records0)
    write_video(os.path.join(out, "cam0.hand.mp4"),
                np.stack([cut_at_wrist(m, joints[i]) if i in joints else np.zeros_like(m) for i, m in enumerate(masks0)]))
    rng = np.random.default_rng(14)
    for name in ("crops", "crops-arm"):
        os.makedirs(os.path.join(out, name), exist_ok=True)
    with open(os.path.join(out, "crops.jsonl"), "w") as cut_list, open(os.path.join(out, "crops-arm.jsonl"), "w") as arm_list:
        for i in range(0, len(masks0), step):
            if i not in joints:
                continue
            hand = cut_at_wrist(masks0[i], joints[i])
            if np.count_nonzero(hand) < 400:
                continue
            origin, scale = framing(hand, rng)
            quality = int(rng.integers(60, 95))
            cam = {"fx": fx * scale, "fy": fy * scale, "cx": (cx - origin[0]) * scale, "cy": (cy - origin[1]) * scale,
                   "k1": dist[0], "k2": dist[1], "p1": dist[2], "p2": dist[3], "k3": dist[4]}
            for name, m, listing in (("crops", hand, cut_list), ("crops-arm", masks0[i], arm_list)):
                file = f"{name}/f_{i:03d}.png"
                cv2.imwrite(os.path.join(out, file), crop(m, origin, scale, quality))
                listing.write(json.dumps({"image": file, "id": str(i), "camera": cam}) + "\n")


if __name__ == "__main__":
    main()
