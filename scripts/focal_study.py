#!/usr/bin/env python3
"""Should the focal length be estimated per track when the camera is unknown? (issue 12, section 3)

Result (stereo-hand clip, 720x720; calibrated fx 926 px view 0, 924 px view 1, about 42 deg; the
default 60 deg is f = 624 px). Per-track estimation beats the fixed 60 deg on both views:

| view | estimated f | fit's median transl z | median wrist error vs calibrated fit (|dz|, 3D) | reprojection |
| --- | --- | --- | --- | --- |
| 0, default 60 deg | 624 px | 0.337 m (calibrated 0.498) | 160 mm, 160 mm | 4.27 px |
| 0, f estimated | 776 px | 0.416 m | 81 mm, 81 mm | 4.17 px |
| 1, default 60 deg | 624 px | 0.444 m (calibrated 0.674) | 230 mm, 230 mm | 4.78 px |
| 1, f estimated | 863 px | 0.627 m | 49 mm, 49 mm | 4.93 px |

("f estimated" = handmesh run with fx = fy = the estimate, cx = cy = 360, no distortion.) The
script's own PnP of the world landmarks agrees: wrist 3D error 176 -> 119 mm (view 0) and 196 -> 77
mm (view 1) going from 60 deg to the estimate; PnP at the calibrated fx gives 90 and 78 mm.

Conditioning is poor: the robust cost over f is nearly flat (within 0.2% of its minimum from about
600 to 1300 px on both views), so the estimate rests on the small perspective effects across a
hand at 0.5-0.7 m. Bootstrap over frames (10 resamples): view 1 727-895 px (5-95%); view 0's
bootstrap was not finished when this was written (3 resamples in a trial run: 741-993 px); 1-2 px of added landmark noise moves it by under 2% (view 1: 876, 880 px). Both estimates
fall short of the true fx (-16%, -7%). The closed form (per-frame DLT) is useless here: median 45
and 63 px, spread 2-520 px. One clip, one camera: adopt with a prior, and check on the photo set.

How to put it in the fit: one unknown per track like shape, log f, with a weak prior centred on
60 deg (sigma about 0.3 in log f) and clamped to 25-100 deg FOV; estimated from the track's first
N frames of evidence by this profile (cheap: per-frame PnP of the world landmarks), then frozen,
and re-estimated only on a new track; the header names the camera as estimated and its value.

Commands:
    handmesh run --config Config/examples/desk-view0.toml --input ../shared/data/stereo-hand/cam0_test.mp4 \
        --output ndjson:/tmp/focal/cam0-calib.ndjson
    handmesh run --config DEFAULT.toml --input ../shared/data/stereo-hand/cam0_test.mp4 \
        --output ndjson:/tmp/focal/cam0-default.ndjson     # DEFAULT.toml: [defaults] mirrored = false, max_hands = 1
    (cam1 likewise with desk-view1.toml)
    python3 scripts/focal_study.py --calibrated cam0-calib.ndjson --default cam0-default.ndjson --fx 926.0774 --bootstrap 10
    handmesh run --config EST.toml ... --output ndjson:/tmp/focal/cam0-est.ndjson   # EST.toml: camera fx = fy = 776, cx = cy = 360
    python3 scripts/focal_study.py ... --bootstrap 0 --noise "" --fit "fit at estimated f=cam0-est.ndjson"

Method. From the records of a run with the default camera, per track: each frame's 2D landmarks
(px) and world landmarks (m). One focal length f per track (principal point at the image centre,
no distortion) and per frame a rigid pose (R, t) of the world landmarks, minimizing the robust
(soft-L1, scale 2 px) reprojection error. f is profiled: for each f on a log grid every frame's pose
is solved (closed-form weak-perspective start, then least squares) and the track's robust cost
summed; the minimum is refined by a parabola through its neighbours. The simpler closed form, a
per-frame DLT (the 3x4 projection from 21 non-coplanar points, f from its RQ decomposition with
square pixels and the principal point imposed), is reported too. The wrist (world landmark 0) placed
by the pose at the estimated f is compared with the calibrated run's joints3d[0] and transl, as is
the default-60° fit's own joints3d[0]. Conditioning: spread of per-frame DLT f, f from bootstrap
resamples of the frames, and f with Gaussian noise added to the landmarks.

    python3 scripts/focal_study.py --calibrated cam0-calib.ndjson --default cam0-default.ndjson \
        --fx 926.08 [--noise 1,2] [--bootstrap 20]

Needs numpy; uses scipy.optimize.least_squares when present (the oracle venv), else a small
Gauss-Newton with the same robust weights.
"""
import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_lbs_oracle import rotation as rodrigues  # noqa: E402

try:
    from scipy.optimize import least_squares
except ImportError:  # numpy-only fallback
    least_squares = None


def load(path):
    header, frames = None, {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "header":
                header = r
            elif r.get("type") == "frame":
                for h in r.get("hands", []):
                    if h.get("landmarks") and h.get("world_landmarks"):
                        frames[(r["index"], h["track"])] = (r["width"], r["height"], h)
    return header, frames




def log_rotation(R):
    c = np.clip((np.trace(R) - 1) / 2, -1, 1)
    a = math.acos(c)
    if a < 1e-9:
        return np.zeros(3)
    v = np.array([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]])
    s = np.linalg.norm(v)
    if s < 1e-9:  # near pi: from the symmetric part
        w, V = np.linalg.eigh((R + R.T) / 2)
        return V[:, -1] * a
    return v / s * a


def weak_perspective_start(X, x, f, c):
    """Scaled-orthographic Procrustes: R and the scale f/Z from centred points, then t."""
    Xc, xc = X - X.mean(0), (x - c) - (x - c).mean(0)
    M = np.linalg.lstsq(Xc, xc, rcond=None)[0].T  # 2x3 ~ s * R[:2]
    U, S, Vt = np.linalg.svd(M, full_matrices=False)
    R2 = U @ Vt
    r3 = np.cross(R2[0], R2[1])
    R = np.vstack([R2, r3])
    if np.linalg.det(R) < 0:
        R[2] *= -1
    s = S.mean()
    Z = f / s
    mean2 = (x - c).mean(0)
    t = np.array([mean2[0] * Z / f, mean2[1] * Z / f, Z]) - R @ X.mean(0)
    return R, t


def residuals(p, X, x, f, c):
    R = rodrigues(p[:3])
    P = X @ R.T + p[3:]
    z = np.maximum(P[:, 2], 1e-4)
    return ((f * P[:, :2] / z[:, None] + c) - x).ravel()


def soft_l1(r, scale):
    z = (r / scale) ** 2
    return scale ** 2 * 2 * (np.sqrt(1 + z) - 1)


def solve_pose(X, x, f, c, start=None, scale=2.0):
    R, t = weak_perspective_start(X, x, f, c) if start is None else start
    p0 = np.concatenate([log_rotation(R), t])
    if least_squares is not None:
        sol = least_squares(residuals, p0, args=(X, x, f, c), loss="soft_l1", f_scale=scale, method="trf", x_scale="jac")
        p = sol.x
    else:
        p = p0.copy()
        for _ in range(30):
            r = residuals(p, X, x, f, c)
            J = np.empty((r.size, 6))
            for k in range(6):
                d = np.zeros(6)
                d[k] = 1e-6
                J[:, k] = (residuals(p + d, X, x, f, c) - r) / 1e-6
            w = 1 / np.sqrt(np.sqrt(1 + (r / scale) ** 2))
            step = np.linalg.lstsq(J * w[:, None], -r * w, rcond=None)[0]
            p += step
            if np.linalg.norm(step) < 1e-10:
                break
    r = residuals(p, X, x, f, c)
    return rodrigues(p[:3]), p[3:], soft_l1(r, scale).sum()


def dlt_focal(X, x, c):
    A = []
    for (Xw, Yw, Zw), (u, v) in zip(X, x - c):
        A.append([Xw, Yw, Zw, 1, 0, 0, 0, 0, -u * Xw, -u * Yw, -u * Zw, -u])
        A.append([0, 0, 0, 0, Xw, Yw, Zw, 1, -v * Xw, -v * Yw, -v * Zw, -v])
    P = np.linalg.svd(np.asarray(A))[2][-1].reshape(3, 4)
    M = P[:, :3]
    # RQ of M: K upper triangular; with the principal point already removed, f ~ the norm ratio.
    q3 = M[2] / np.linalg.norm(M[2])
    fx = np.linalg.norm(np.cross(M[0], q3)) / np.linalg.norm(M[2])
    fy = np.linalg.norm(np.cross(M[1], q3)) / np.linalg.norm(M[2])
    return math.sqrt(fx * fy)


def track_frames(frames, track, noise=0.0, rng=None):
    out = []
    for (index, tr), (w, h, hand) in sorted(frames.items()):
        if tr != track:
            continue
        x = np.asarray(hand["landmarks"], dtype=np.float64)
        if noise > 0:
            x = x + rng.normal(0, noise, x.shape)
        out.append((index, np.asarray(hand["world_landmarks"], dtype=np.float64), x, np.array([w / 2, h / 2])))
    return out


def profile_focal(data, grid):
    costs = []
    for f in grid:
        costs.append(sum(solve_pose(X, x, f, c)[2] for _, X, x, c in data))
    costs = np.asarray(costs)
    k = int(np.argmin(costs))
    if 0 < k < len(grid) - 1:  # parabola in log f through the minimum and its neighbours
        l = np.log(grid[k - 1:k + 2])
        a, b, _ = np.polyfit(l, costs[k - 1:k + 2], 2)
        best = float(np.exp(-b / (2 * a))) if a > 0 else float(grid[k])
    else:
        best = float(grid[k])
    return best, costs


def wrist_positions(data, f):
    return {i: (solve_pose(X, x, f, c)[0] @ X[0] + solve_pose(X, x, f, c)[1]) for i, X, x, c in data}


def compare(positions, calib, track):
    dz, d3 = [], []
    for i, p in positions.items():
        ref = calib.get((i, track))
        if ref is None:
            continue
        j = np.asarray(ref[2]["joints3d"][0])
        dz.append(abs(p[2] - j[2]))
        d3.append(np.linalg.norm(p - j))
    return (np.median(dz) if dz else float("nan"), np.median(d3) if d3 else float("nan"), len(dz))


def main():
    ap = argparse.ArgumentParser(description="per-track focal length from default-camera records")
    ap.add_argument("--calibrated", required=True)
    ap.add_argument("--default", required=True)
    ap.add_argument("--fx", type=float, required=True, help="the calibrated focal length, px")
    ap.add_argument("--noise", default="1,2", help="landmark noise levels to test, px")
    ap.add_argument("--bootstrap", type=int, default=10)
    ap.add_argument("--stride", type=int, default=3, help="use every n-th frame for the profile")
    ap.add_argument("--fit", action="append", default=[], metavar="LABEL=RECORDS",
                    help="also compare the wrist of another run's fit (e.g. one run with the estimated f)")
    args = ap.parse_args()
    _, calib = load(args.calibrated)
    header, default = load(args.default)
    tracks = sorted({t for _, t in default})
    rng = np.random.default_rng(0)
    grid = np.exp(np.linspace(math.log(250), math.log(3000), 29))
    for track in tracks:
        data = track_frames(default, track)
        if len(data) < 10:
            print(f"track {track}: {len(data)} frames, skipped")
            continue
        w = 2 * data[0][3][0]
        f60 = (w / 2) / math.tan(math.radians(30))
        sub = data[::args.stride]
        f_est, costs = profile_focal(sub, grid)
        dlt = np.array([dlt_focal(X, x, c) for _, X, x, c in data])
        print(f"track {track}: {len(data)} frames; calibrated fx {args.fx:.0f} px; default 60 deg f {f60:.0f} px")
        print(f"  profiled robust f: {f_est:.0f} px (profile over every {args.stride}rd frame)")
        rel = costs / costs.min()
        print("  profile cost / min at f = " + ", ".join(f"{g:.0f}:{r:.3f}" for g, r in zip(grid, rel) if 300 <= g <= 2500))
        print(f"  per-frame DLT f: median {np.median(dlt):.0f}, IQR {np.percentile(dlt, 25):.0f}-{np.percentile(dlt, 75):.0f}, "
              f"5-95% {np.percentile(dlt, 5):.0f}-{np.percentile(dlt, 95):.0f} px")
        boots = []
        for _ in range(args.bootstrap if args.bootstrap > 0 else 0):
            pick = rng.integers(0, len(sub), len(sub))
            boots.append(profile_focal([sub[k] for k in pick], grid)[0])
        if boots:
            print(f"  bootstrap over frames ({args.bootstrap}): f median {np.median(boots):.0f}, 5-95% "
                  f"{np.percentile(boots, 5):.0f}-{np.percentile(boots, 95):.0f} px")
        for sigma in [float(s) for s in args.noise.split(",") if s]:
            noisy = track_frames(default, track, sigma, rng)[::args.stride]
            print(f"  with {sigma:g} px landmark noise: f {profile_focal(noisy, grid)[0]:.0f} px")
        fit_default = {i: np.asarray(h["joints3d"][0]) for (i, t), (_, _, h) in default.items() if t == track}
        rows = [("default-60 fit joints3d[0]", fit_default),
                ("PnP at 60 deg", wrist_positions(data, f60)),
                ("PnP at estimated f", wrist_positions(data, f_est)),
                ("PnP at calibrated fx", wrist_positions(data, args.fx))]
        for spec in args.fit:
            label, path = spec.split("=", 1)
            other = load(path)[1]
            rows.append((label, {i: np.asarray(h["joints3d"][0]) for (i, t), (_, _, h) in other.items() if t == track}))
        zc = [calib[k][2]["transl"][2] for k in calib if k[1] == track]
        print(f"  calibrated fit: median transl z {np.median(zc):.3f} m")
        for name, pos in rows:
            dz, d3, n = compare(pos, calib, track)
            z = np.median([p[2] for p in pos.values()])
            print(f"  {name:28s} median z {z:.3f} m, median |dz| {dz * 1000:.0f} mm, median 3D wrist distance {d3 * 1000:.0f} mm ({n} frames)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
