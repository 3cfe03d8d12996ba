#!/usr/bin/env bash
# Issue 19's output, signal and socket items: one short check each, against $HANDMESH in $PROBE_TMP.
set -u
T="$PROBE_TMP"
say() { if [ -z "$2" ]; then echo "item $1: fixed"; else echo "item $1: NOT fixed — $2"; fi; }
LIVE="lavfi:testsrc2=size=160x120:rate=30"

# 11: a broken stdout pipe ends the run promptly with status 5.
item11() {
    local start=$SECONDS
    { timeout 60 "$HANDMESH" run --input "$LIVE:duration=60" 2>"$T/err"; echo $? >"$T/status"; } | head -3 >/dev/null
    local status; status=$(cat "$T/status")
    [ "$status" = 5 ] || { echo "exit $status after $((SECONDS - start)) s: $(tail -c 200 "$T/err")"; return; }
    [ $((SECONDS - start)) -lt 10 ] || echo "took $((SECONDS - start)) s to stop"
}
say 11 "$(item11)"

# 13: after SIGHUP the new file starts with the header.
item13() {
    "$HANDMESH" run --input "$LIVE" --realtime --output "ndjson:$T/r.ndjson" 2>/dev/null &
    local pid=$!
    for _ in $(seq 100); do grep -q '"type":"frame"' "$T/r.ndjson" 2>/dev/null && break; sleep 0.1; done
    mv "$T/r.ndjson" "$T/r.ndjson.1"; kill -HUP $pid
    for _ in $(seq 50); do [ -s "$T/r.ndjson" ] && break; sleep 0.1; done
    kill -INT $pid; wait $pid
    head -1 "$T/r.ndjson" | grep -q '"type":"header"' || echo "the rotated file starts with: $(head -c 80 "$T/r.ndjson")"
}
say 13 "$(item13)"

# 16: an input that fails to open leaves no output file.
item16() {
    timeout 60 "$HANDMESH" run --input "$T/missing.mp4" --output "ndjson:$T/o16.ndjson" 2>/dev/null
    local status=$?
    [ "$status" = 2 ] || { echo "exit $status"; return; }
    [ ! -e "$T/o16.ndjson" ] || echo "$T/o16.ndjson was created"
}
say 16 "$(item16)"

# 12: an unwritable --overlay is exit 4, before processing.
item12() {
    timeout 60 "$HANDMESH" run --input "$LIVE:duration=1" --overlay "$T/no/such/dir/o.mp4" >"$T/o12" 2>"$T/err"
    local status=$?
    [ "$status" = 4 ] && grep -q "overlay $T/no/such/dir/o.mp4: cannot open for writing" "$T/err" || { echo "exit $status: $(head -c 200 "$T/err")"; return; }
    [ ! -s "$T/o12" ] || echo "records were written"
}
say 12 "$(item12)"

# 5: SIGTERM while the input is still opening (a FIFO waiting for its writer) drains to header + end, exit 0.
item5() {
    ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=30 -t 0.5 -c:v mpeg4 "$T/c.ts"
    mkfifo "$T/in.ts"
    "$HANDMESH" run --input "$T/in.ts" --output "ndjson:$T/o5.ndjson" 2>"$T/err" &
    local pid=$!
    # The FIFO opens for writing once the process has opened it for reading.
    exec 3>"$T/in.ts"
    kill -TERM $pid; cat "$T/c.ts" >&3; exec 3>&-
    wait $pid; local status=$?
    [ "$status" = 0 ] || { echo "exit $status"; return; }
    head -1 "$T/o5.ndjson" | grep -q '"type":"header"' && tail -1 "$T/o5.ndjson" | grep -q '"reason":"stopped"' ||
        echo "the output is: $(head -c 120 "$T/o5.ndjson")"
}
say 5 "$(item5)"

# 7: under umask 0 the socket never shows a mode other than 0660.
item7() {
    command -v strace >/dev/null || { echo "strace is needed to see the window (apt-get install strace)"; return; }
    python3 - "$HANDMESH" "$T/s7.sock" <<'PY'
import os, stat, subprocess, sys, time
binary, base = sys.argv[1], sys.argv[2]
bad = set()
for start in range(3):
    path = base + str(start)
    # strace holds every chmod back 0.3 s, so that a window between bind and chmod shows every time.
    p = subprocess.Popen(["/bin/sh", "-c", 'umask 0; exec strace -f -o /dev/null -e trace=chmod,fchmodat -e inject=chmod,fchmodat:delay_enter=300000 "$0" run --input lavfi:testsrc2=size=160x120:rate=30 --realtime --output unix:"$1"', binary, path], stderr=subprocess.DEVNULL)
    seen, deadline = None, time.time() + 30
    while time.time() < deadline and (seen is None or time.time() < seen + 1):
        try:
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            seen = seen or time.time()
            if mode != 0o660: bad.add(oct(mode))
        except FileNotFoundError:
            pass
    # strace's child is handmesh: stop it, and strace ends with it.
    for pid in open(f"/proc/{p.pid}/task/{p.pid}/children").read().split():
        os.kill(int(pid), 15)
    p.wait()
if bad: print("modes seen: " + ", ".join(sorted(bad)))
PY
}
say 7 "$(item7)"

# 6: a client buffer smaller than the longest record is refused at config time, naming the key.
item6() {
    printf '[defaults]\nvertices = true\nclient_buffer_bytes = 4096\n' >"$T/b.toml"
    timeout 60 "$HANDMESH" run --config "$T/b.toml" --input "$LIVE:duration=0.2" >/dev/null 2>"$T/err"
    local status=$?
    [ "$status" = 1 ] && grep -q 'defaults.client_buffer_bytes: expected at least' "$T/err" || echo "exit $status: $(head -c 200 "$T/err")"
}
say 6 "$(item6)"

# 1: out of file descriptors, 80 clients make a few log lines, not a flood, and the run stays responsive.
item1() {
    /bin/sh -c 'ulimit -n 40; exec "$0" run --input "$1" --realtime --output unix:"$2" --log-level warning' \
        "$HANDMESH" "$LIVE" "$T/s1.sock" 2>"$T/err1" &
    local pid=$!
    for _ in $(seq 300); do [ -S "$T/s1.sock" ] && break; sleep 0.1; done
    python3 - "$T/s1.sock" <<'PY'
import socket, sys, time
clients = []
for _ in range(80):
    c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); clients.append(c)
time.sleep(3)
PY
    kill -TERM $pid
    local waited=0
    while kill -0 $pid 2>/dev/null && [ $waited -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
    kill -0 $pid 2>/dev/null && { kill -KILL $pid; echo "did not stop within 10 s of SIGTERM"; return; }
    local lines; lines=$(wc -l <"$T/err1")
    [ "$lines" -le 3 ] || echo "$lines lines of stderr: $(head -c 200 "$T/err1")"
}
say 1 "$(item1)"
