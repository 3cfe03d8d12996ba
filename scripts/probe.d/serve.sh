# Reliability probe (issue 19): serve's items. Sourced by scripts/probe-reliability with $HANDMESH
# (the binary) and $PROBE_TMP (a fresh folder); each check prints "item N: fixed" or "NOT fixed".

probe_serve_models() {  # item 2: corrupt models must fail start-up, not report healthy
  local models=$PROBE_TMP/bad-models
  mkdir -p "$models"
  for n in palm_detection_full hand_landmark_full palm_detection_lite hand_landmark_lite; do
    head -c 4096 /dev/zero > "$models/$n.tflite"
  done
  HANDMESH_MODELS=$models timeout 20 "$HANDMESH" serve --input "lavfi:testsrc2=size=64x64:rate=30" \
    --output "ndjson:$PROBE_TMP/models.ndjson" 2>/dev/null
  local status=$?
  if [ "$status" = 1 ]; then echo "item 2: fixed (corrupt models: exit 1 before READY)"
  else echo "item 2: NOT fixed — serve with corrupt models exited $status"; fi
}

probe_serve_gave_up() {  # item 3: a stream that gives up makes serve exit non-zero
  cat > "$PROBE_TMP/gives-up.toml" <<TOML
[defaults.reconnect]
initial_delay = 0.1
max_delay = 0.1
max_attempts = 2
[[streams]]
name = "gone"
input = "$PROBE_TMP/never-there.mp4"
outputs = ["ndjson:$PROBE_TMP/gone.ndjson"]
TOML
  timeout 60 "$HANDMESH" serve --config "$PROBE_TMP/gives-up.toml" 2>/dev/null
  local status=$?
  if [ "$status" = 3 ]; then echo "item 3: fixed (a stream that gave up: exit 3)"
  else echo "item 3: NOT fixed — serve exited $status after its stream gave up"; fi
}

probe_serve_watchdog() {  # item 14: WATCHDOG_USEC=1 must not storm
  local count
  count=$(python3 - "$HANDMESH" <<'PY'
import os, socket, subprocess, sys, time
name = "\0handmesh-probe-%d" % os.getpid()
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(name)
s.settimeout(0.2)
env = dict(os.environ, NOTIFY_SOCKET="@" + name[1:], WATCHDOG_USEC="1")
p = subprocess.Popen([sys.argv[1], "serve", "--input", "lavfi:testsrc2=size=64x64:rate=30", "--output", "ndjson:/dev/null"],
                     env=env, stderr=subprocess.DEVNULL)
end, n = time.time() + 8, 0
ready = None
while time.time() < end:
    try:
        m = s.recv(4096)
    except socket.timeout:
        continue
    if b"READY=1" in m and ready is None:
        ready = time.time(); end = ready + 3
    if m == b"WATCHDOG=1":
        n += 1
p.terminate(); p.wait()
print(n)
PY
)
  if [ "${count:-99999}" -le 8 ]; then echo "item 14: fixed ($count keep-alives in 3 s with WATCHDOG_USEC=1)"
  else echo "item 14: NOT fixed — $count keep-alives in 3 s"; fi
}

probe_serve_models
probe_serve_gave_up
probe_serve_watchdog
