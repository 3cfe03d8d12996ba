/// The view's one page: the latest frame with the fitted mesh drawn over it (left), the mesh in 3D
/// with three.js, rotated with the mouse (right). Each WebSocket message pair is a JSON text (the
/// hands' vertices in camera space and their projections in the picture) and then the JPEG of the
/// same frame; the page answers "drawn" for each, and the server sends the next frame only then. The body's data attributes report what was drawn (frames, latency, where the mesh's
/// pixels are) for tests and for anyone curious.
enum ViewPage {
    static let html = #"""
<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>HandMesh live view</title>
<style>
body { margin: 0; background: #111; color: #ddd; font: 13px sans-serif; }
#views { display: flex; gap: 8px; padding: 8px; }
canvas { background: #000; max-width: 48vw; height: auto; }
#status { padding: 0 8px; }
</style>
<script src="/three/three.min.js"></script>
<script src="/three/OrbitControls.js"></script>
</head>
<body data-frames="0">
<div id="status">connecting…</div>
<div id="views"><canvas id="frame" width="640" height="480"></canvas><div id="mesh3d"></div></div>
<script>
"use strict";
const MESH = [0, 230, 118];
const canvas = document.getElementById("frame"), ctx = canvas.getContext("2d");
const overlay = document.createElement("canvas"), octx = overlay.getContext("2d");
const status = document.getElementById("status");
let faces = null, pending = null, frames = 0, latencies = [], serverSide = [];
let three = null;

function setup3d() {
  if (typeof THREE === "undefined") { document.getElementById("mesh3d").textContent = "three.js missing (install libjs-three)"; return; }
  try {
    const renderer = new THREE.WebGLRenderer({ antialias: true });
    renderer.setSize(480, 480);
    document.getElementById("mesh3d").appendChild(renderer.domElement);
    const scene = new THREE.Scene();
    scene.background = new THREE.Color(0x202020);
    const camera = new THREE.PerspectiveCamera(40, 1, 0.01, 10);
    camera.position.set(0, 0, 0.45);
    scene.add(new THREE.HemisphereLight(0xffffff, 0x444444, 1.0));
    const light = new THREE.DirectionalLight(0xffffff, 0.6);
    light.position.set(0.3, 0.5, 1);
    scene.add(light);
    const controls = THREE.OrbitControls ? new THREE.OrbitControls(camera, renderer.domElement) : null;
    const meshes = [];
    three = { renderer, scene, camera, controls, meshes };
    const loop = () => { if (controls) controls.update(); renderer.render(scene, camera); requestAnimationFrame(loop); };
    loop();
  } catch (e) {
    document.getElementById("mesh3d").textContent = "no WebGL: " + e;
  }
}

function update3d(hands) {
  if (!three || !faces) return;
  while (three.meshes.length < hands.length) {
    const g = new THREE.BufferGeometry();
    const m = new THREE.Mesh(g, new THREE.MeshStandardMaterial({ color: 0x00e676, roughness: 0.6, side: THREE.DoubleSide }));
    three.scene.add(m);
    three.meshes.push(m);
  }
  three.meshes.forEach((m, i) => { m.visible = i < hands.length; });
  // Camera space (x right, y down, z ahead) to three's (y up, z toward the viewer), centred on
  // the first hand so that the orbit turns about it.
  let cx = 0, cy = 0, cz = 0;
  if (hands.length) {
    const v = hands[0].vertices, n = v.length / 3;
    for (let i = 0; i < v.length; i += 3) { cx += v[i]; cy += v[i + 1]; cz += v[i + 2]; }
    cx /= n; cy /= n; cz /= n;
  }
  hands.forEach((h, i) => {
    const g = three.meshes[i].geometry, v = h.vertices;
    const p = new Float32Array(v.length);
    for (let k = 0; k < v.length; k += 3) { p[k] = v[k] - cx; p[k + 1] = -(v[k + 1] - cy); p[k + 2] = -(v[k + 2] - cz); }
    g.setAttribute("position", new THREE.BufferAttribute(p, 3));
    if (!g.index) g.setIndex(faces[h.side]);
    g.computeVertexNormals();
    g.attributes.position.needsUpdate = true;
  });
}

function draw(message, bitmap) {
  if (canvas.width !== message.width || canvas.height !== message.height) {
    canvas.width = message.width; canvas.height = message.height;
  }
  overlay.width = canvas.width; overlay.height = canvas.height;
  ctx.drawImage(bitmap, 0, 0);
  octx.clearRect(0, 0, overlay.width, overlay.height);
  octx.fillStyle = `rgb(${MESH[0]},${MESH[1]},${MESH[2]})`;
  let box = null;
  if (faces) {
    for (const h of message.hands) {
      const uv = h.uv, f = faces[h.side];
      octx.beginPath();
      // One orientation only: front and back faces wind opposite ways and would cancel under the
      // nonzero rule; either set alone covers the silhouette.
      for (let i = 0; i < f.length; i += 3) {
        const a = 2 * f[i], b = 2 * f[i + 1], c = 2 * f[i + 2];
        const turn = (uv[b] - uv[a]) * (uv[c + 1] - uv[a + 1]) - (uv[b + 1] - uv[a + 1]) * (uv[c] - uv[a]);
        if (turn <= 0) continue;
        octx.moveTo(uv[a], uv[a + 1]); octx.lineTo(uv[b], uv[b + 1]); octx.lineTo(uv[c], uv[c + 1]); octx.closePath();
      }
      octx.fill();
    }
  }
  ctx.globalAlpha = 0.6;
  ctx.drawImage(overlay, 0, 0);
  ctx.globalAlpha = 1;
  // Reading the canvas back is slow in a software renderer: now and then is enough.
  if (faces && message.hands.length && (frames % 10 === 1 || !document.body.dataset.meshBox)) box = meshBox();
  frames += 1;
  const now = Date.now() / 1000;
  latencies.push(now - message.capture_time);
  serverSide.push(message.sent_time - message.capture_time);
  if (latencies.length > 200) { latencies.shift(); serverSide.shift(); }
  const middle = (list) => list.slice().sort((a, b) => a - b)[list.length >> 1] * 1000;
  const median = middle(latencies);
  document.body.dataset.frames = frames;
  document.body.dataset.index = message.index;
  document.body.dataset.latencyMs = median.toFixed(1);
  document.body.dataset.hands = message.hands.length;
  latest = { frames, latency_ms: median, until_sent_ms: middle(serverSide) };
  if (box) {
    // The last frame drawn with a hand: where its mesh's pixels are.
    document.body.dataset.meshIndex = message.index;
    document.body.dataset.meshBox = box.join(",");
  }
  status.textContent = `${message.stream} frame ${message.index}: ${message.hands.length} hand(s), capture to browser ${median.toFixed(1)} ms (median)`;
  update3d(message.hands);
}

// The drawn canvas's mesh-coloured pixels: their bounding box and count (x0, y0, x1, y1, n).
function meshBox() {
  const w = canvas.width, h = canvas.height;
  const data = octx.getImageData(0, 0, w, h).data;
  let x0 = w, y0 = h, x1 = -1, y1 = -1, n = 0;
  for (let y = 0; y < h; y += 2) for (let x = 0; x < w; x += 2) {
    if (data[4 * (y * w + x) + 3] > 0) { n++; if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y; }
  }
  const seen = ctx.getImageData(0, 0, w, h).data;
  let green = 0;
  for (let y = y0; y <= y1; y += 2) for (let x = x0; x <= x1; x += 2) {
    const i = 4 * (y * w + x);
    if (seen[i + 1] > seen[i] + 40 && seen[i + 1] > seen[i + 2] + 20) green++;
  }
  return n ? [x0, y0, x1, y1, green] : null;
}

// What the browser sees, sent back now and then so the server can log it (latency included).
let latest = null;
function connect() {
  const ws = new WebSocket(`ws://${location.host}/ws`);
  const report = setInterval(() => { if (latest && ws.readyState === 1) ws.send(JSON.stringify(latest)); }, 2000);
  ws.binaryType = "blob";
  ws.onopen = () => { status.textContent = "connected, waiting for frames"; document.body.dataset.connected = "1"; };
  ws.onmessage = async (event) => {
    if (typeof event.data === "string") { pending = JSON.parse(event.data); return; }
    const message = pending; pending = null;
    if (!message) return;
    const bitmap = await createImageBitmap(event.data);
    draw(message, bitmap);
    ws.send("drawn");
  };
  ws.onclose = () => { clearInterval(report); status.textContent = "disconnected; retrying"; document.body.dataset.connected = "0"; setTimeout(connect, 1000); };
}

fetch("/faces.json").then(r => r.json()).then(f => { faces = f; });
setup3d();
connect();
</script>
</body>
</html>
"""#
}
