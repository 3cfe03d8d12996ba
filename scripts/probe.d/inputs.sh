#!/usr/bin/env bash
# Issue 19's input and config items: one short check each, against $HANDMESH in $PROBE_TMP.
set -u
T="$PROBE_TMP"
say() { if [ -z "$2" ]; then echo "item $1: fixed"; else echo "item $1: NOT fixed — $2"; fi; }
run() { timeout 60 "$HANDMESH" run "$@" >"$T/out" 2>"$T/err"; echo $?; }

# 8: absurd intrinsics are refused at config time, in a config and in a photo manifest.
item8() {
    printf '[defaults.camera]\nfx = 1e-300\nfy = 500\ncx = 1\ncy = 1\n' >"$T/fx.toml"
    local status; status=$(run --config "$T/fx.toml" --input "lavfi:testsrc2=size=64x48:duration=0.2")
    [ "$status" = 1 ] && grep -q 'defaults.camera.fx: expected pixels, from 1 to 1e6' "$T/err" || { echo "config fx = 1e-300 gave exit $status: $(head -c 200 "$T/err")"; return; }
    ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=64x48 -frames:v 1 "$T/a.png"
    echo '{"image": "a.png", "camera": {"fx": 1e308, "fy": 1, "cx": 1, "cy": 1}}' >"$T/m.jsonl"
    status=$(run --input "manifest:$T/m.jsonl")
    grep -q 'fx must be from 1 to 1e6 pixels' "$T/err" || echo "manifest fx = 1e308 gave exit $status: $(head -c 200 "$T/err")"
}
say 8 "$(item8)"

# 15: argument errors exit 1 and messages say what is wrong.
item15() {
    local status
    status=$(run --no-such-flag); [ "$status" = 1 ] || { echo "an unknown flag exits $status"; return; }
    status=$(run --log-level loud --input x.mp4); [ "$status" = 1 ] || { echo "a bad --log-level exits $status"; return; }
    status=$(run --input x.mp4 --output tcp:1); [ "$status" = 1 ] || { echo "an unknown output scheme exits $status"; return; }
    run --config /dev/null --input x.mp4 >/dev/null; grep -q 'is a character device' "$T/err" || { echo "/dev/null: $(cat "$T/err")"; return; }
    mkdir -p "$T/dir.toml"; run --config "$T/dir.toml" --input x.mp4 >/dev/null
    grep -q 'is a directory' "$T/err" || { echo "a directory config: $(cat "$T/err")"; return; }
    printf '[defaults]\nprecision = "%s"\n' "$(head -c 1000000 /dev/zero | tr '\0' x)" >"$T/long.toml"
    run --config "$T/long.toml" --input x.mp4 >/dev/null
    [ "$(wc -c <"$T/err")" -lt 300 ] || { echo "a 1 MB value is echoed in a $(wc -c <"$T/err")-byte message"; return; }
    mkdir -p "$T/models"; HANDMESH_MODELS="$T/models" run --input "lavfi:testsrc2=size=64x48:duration=0.2" >/dev/null
    grep -q -- '--models' "$T/err" && { echo "model errors name a --models option run does not have: $(cat "$T/err")"; return; }
    printf '[defaults]\nmodel = "mano:%s/none/mano_right.safetensors"\n' "$T" >"$T/mano.toml"
    run --config "$T/mano.toml" --input "lavfi:testsrc2=size=64x48:duration=0.2" >/dev/null
    grep -q 'defaults.model' "$T/err" || echo "a missing MANO file does not name defaults.model: $(head -c 200 "$T/err")"
}
say 15 "$(item15)"

# 18: a relative models_dir is taken from the config's folder.
item18() {
    mkdir -p "$T/conf"; printf '[defaults]\nmodels_dir = "nomodels"\n' >"$T/conf/h.toml"
    (cd / && timeout 60 "$HANDMESH" run --config "$T/conf/h.toml" --input "lavfi:testsrc2=size=64x48:duration=0.2" >/dev/null 2>"$T/err")
    grep -q "$T/conf/nomodels/" "$T/err" || echo "models_dir = \"nomodels\" was looked up elsewhere: $(head -c 200 "$T/err")"
}
say 18 "$(item18)"

# 9: a pixel format swscale cannot read is unsupported input (exit 2), not damage (exit 3).
item9() {
    head -c $((64 * 48 * 3 / 2 * 5)) /dev/zero >"$T/p.raw"
    ffmpeg -nostdin -loglevel error -y -f rawvideo -pix_fmt uyyvyy411 -s 64x48 -r 10 -i "$T/p.raw" -c:v rawvideo "$T/p.nut"
    local status; status=$(run --input "$T/p.nut")
    [ "$status" = 2 ] && grep -q 'unsupported pixel format uyyvyy411' "$T/err" || echo "exit $status: $(head -c 200 "$T/err")"
}
say 9 "$(item9)"

# 17: a server that accepts and never sends is given up after read_timeout, not a fixed 15 s.
item17() {
    python3 -c 'import socket,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(4); print(s.getsockname()[1], flush=True)
c=[s.accept() for _ in range(4)]; time.sleep(60)' >"$T/port" &
    local server=$! port=""
    for _ in $(seq 50); do port=$(cat "$T/port"); [ -n "$port" ] && break; sleep 0.1; done
    printf '[defaults]\nread_timeout = 2\n' >"$T/rt.toml"
    local start=$SECONDS; timeout 30 "$HANDMESH" run --config "$T/rt.toml" --input "tcp://127.0.0.1:$port" >/dev/null 2>"$T/err"
    local took=$((SECONDS - start)); kill "$server" 2>/dev/null
    [ "$took" -le 5 ] || echo "took $took s with read_timeout = 2: $(head -c 200 "$T/err")"
}
say 17 "$(item17)"

# 10: a truncated MP4 keeps its cut-off last picture (as ffprobe counts) and counts one truncation once.
item10() {
    ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=160x120:rate=30:duration=2 -c:v mpeg4 -g 15 -movflags +faststart "$T/m.mp4"
    head -c $(($(stat -c %s "$T/m.mp4") / 2)) "$T/m.mp4" >"$T/cut.mp4"
    local counted; counted=$(ffprobe -v quiet -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$T/cut.mp4")
    run --input "$T/cut.mp4" --output "ndjson:$T/cut.ndjson" >/dev/null
    local end; end=$(tail -1 "$T/cut.ndjson")
    echo "$end" | grep -q "\"decoded\":$counted,.*\"corrupt\":1," || echo "ffprobe counts $counted frames; the end record says $(echo "$end" | grep -o '"decoded":[0-9]*.*"corrupt":[0-9]*')"
}
say 10 "$(item10)"

# 4: a finite .ts over HTTP is read once to its end: no drops, no losses, no reconnects, exit 0.
item4() {
    mkdir -p "$T/www"
    ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=160x120:rate=25:duration=2 -c:v mpeg4 "$T/www/clip.ts"
    local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$port" >/dev/null 2>&1 &
    local server=$!
    for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    local status; status=$(timeout 30 "$HANDMESH" run --input "http://127.0.0.1:$port/clip.ts" --output "ndjson:$T/http.ndjson" >/dev/null 2>"$T/err"; echo $?)
    kill "$server" 2>/dev/null
    local end; end=$(tail -1 "$T/http.ndjson")
    [ "$status" = 0 ] && echo "$end" | grep -q '"reason":"eof","decoded":50,"processed":50,"dropped":0,.*"losses":0,"reconnects":0' \
        || echo "exit $status; $(echo "$end" | cut -c1-200)"
}
say 4 "$(item4)"
