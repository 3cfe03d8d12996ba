# The best any 21 points can do on both fidelity measures at once. Per frame, minimize
#   sum_j |J_j - T(W_j)| / s  (mm, world landmark units)  +  lam * sum_j |proj(J_j) - uv_j|  (px)
# over free points J (camera frame) and a similarity T (scale s): the Lagrangian of the two means,
# so each lam gives one point of the frontier of (mean reprojection, mean PA distance). Residuals
# are square roots of distances, so least squares minimizes the sums of distances themselves.
#
# Usage: .venv-oracle/bin/python scripts/fidelity_frontier.py RECORDS.ndjson CAMERA.dat LAMBDAS [STEP]
#   RECORDS: `handmesh run` frame records (landmarks, world_landmarks); CAMERA: stereo-hand's c0.dat;
#   LAMBDAS: comma-separated mm-per-px weights; STEP: take every STEP-th frame.
# Weak duality turns each lam into a bound: any points reprojecting within B px on average lie at
# least (PA + lam * reprojection) - lam * B from the world landmarks (if the per-frame minima are
# global; they start from the best similarity placement of the landmarks).
import json, sys, numpy as np, cv2
from scipy.optimize import least_squares
from scipy.spatial.transform import Rotation as Rot
path, cal = sys.argv[1], sys.argv[2]
lams = [float(x) for x in sys.argv[3].split(',')]
step = int(sys.argv[4]) if len(sys.argv) > 4 else 1
lines = open(cal).read().split('\n')
K = np.array([[float(x) for x in lines[i].split()] for i in (1, 2, 3)])
dist = np.array([float(x) for x in lines[5].split()])
def pa(A, B):
    a, b = A - A.mean(0), B - B.mean(0)
    U, S, Vt = np.linalg.svd(a.T @ b)
    d = np.sign(np.linalg.det(U @ Vt)); D = np.diag([1, 1, d])
    R = U @ D @ Vt; s = (S * np.diag(D)).sum() / (a ** 2).sum()
    return np.linalg.norm(s * a @ R - b, axis=1).mean()
def proj(P): return cv2.projectPoints(P, np.zeros(3), np.zeros(3), K, dist)[0].reshape(-1, 2)
eps = 1e-6
frames = [json.loads(l) for l in open(path)]
frames = [r for r in frames if r.get('type') == 'frame' and r['hands']][::step]
rows = {l: [] for l in lams}
for r in frames:
    h = r['hands'][0]
    uv = np.array(h['landmarks'], float); W = np.array(h['world_landmarks'], float); W = W - W.mean(0)
    def res0(p): return (proj(Rot.from_rotvec(p[:3]).apply(np.exp(p[6]) * W) + p[3:6]) - uv).ravel()
    best = None
    for rv0 in ([0, 0, 0], [np.pi, 0, 0], [0, np.pi, 0], [0, 0, np.pi]):
        c = uv.mean(0); z = 0.5
        p0 = np.array(rv0 + [(c[0] - K[0, 2]) * z / K[0, 0], (c[1] - K[1, 2]) * z / K[1, 1], z, 0.0])
        sol = least_squares(res0, p0, method='lm')
        if best is None or sol.cost < best.cost: best = sol
    p = best.x
    start = np.concatenate([p, (Rot.from_rotvec(p[:3]).apply(np.exp(p[6]) * W) + p[3:6]).ravel()])
    for lam in lams:
        def res(x):
            s = np.exp(x[6]); J = x[7:].reshape(21, 3)
            TW = Rot.from_rotvec(x[:3]).apply(s * W) + x[3:6]
            d3 = np.linalg.norm(J - TW, axis=1) / s * 1000
            d2 = np.linalg.norm(proj(J) - uv, axis=1)
            return np.concatenate([np.sqrt(d3 + eps), np.sqrt(lam * d2 + eps)])
        x = least_squares(res, start, method='trf', max_nfev=2000, x_scale='jac').x
        J = x[7:].reshape(21, 3)
        d3 = (res(x)[:21] ** 2 - eps).mean()
        rows[lam].append((np.linalg.norm(proj(J) - uv, axis=1).mean(), pa(J, W) * 1000, d3))
for l in lams:
    o = np.array(rows[l])
    rep, pa_, d3 = o[:, 0].mean(), o[:, 1].mean(), o[:, 2].mean()
    print(f"{path.split('/')[-1]} {len(o)} frames, lam {l}: reprojection {rep:.2f} px, PA to world {pa_:.2f} mm"
          f" (objective's distance {d3:.2f} mm); within 2 px on average means at least {d3 + l * rep - 2 * l:.2f} mm", flush=True)
