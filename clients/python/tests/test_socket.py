"""A live `unix:` socket: HandMesh's own server, and a server that goes away and comes back (or not)."""
import os
import socket
import subprocess
import threading
import time

import pytest

import handmesh
from conftest import binary


def test_frames_arrive_live_from_handmesh(clip, tmp_path):
    path = tmp_path / "hands.sock"
    # Paced as a live camera, so the client joins a stream that is still running.
    server = subprocess.Popen([binary(), "run", "--realtime", "--input", str(clip), "--output", f"unix:{path}",
                               "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        frames = []
        for frame in handmesh.read(f"unix:{path}", reconnect_seconds=60):
            frames.append(frame)
            if len(frames) == 30:
                break
        assert all(f.header is not None and f.header.stream == "main" for f in frames)
        assert [f.index for f in frames] == sorted(f.index for f in frames)
        assert any(h.joints3d.shape == (21, 3) for f in frames for h in f.hands)
    finally:
        server.terminate()
        server.wait(timeout=30)


class FlakyServer:
    """Serves recorded lines on a unix socket in sessions: each session binds, serves its lines to
    one client, then closes and removes the socket, as a restarted HandMesh would."""

    def __init__(self, path, sessions, gap):
        self.path, self.sessions, self.gap = str(path), sessions, gap
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        for n, lines in enumerate(self.sessions):
            if n:
                time.sleep(self.gap)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(self.path)
            s.listen(1)
            conn, _ = s.accept()
            conn.sendall(b"".join(lines))
            conn.close()
            s.close()
            os.unlink(self.path)


def recorded(stereo_records):
    lines = open(stereo_records, "rb").readlines()
    return lines[0], lines[1:-1], lines[-1]


def test_a_socket_that_goes_away_is_reconnected(stereo_records, tmp_path):
    header, frames, end = recorded(stereo_records)
    path = tmp_path / "flaky.sock"
    server = FlakyServer(path, [[header] + frames[:5], [header] + frames[5:10] + [end]], gap=0.5)
    got = [f.index for f in handmesh.read(f"unix:{path}", reconnect_seconds=5)]
    assert got == list(range(10))
    server.thread.join(timeout=5)


def test_a_socket_that_never_comes_back_is_a_clear_error(stereo_records, tmp_path):
    header, frames, _ = recorded(stereo_records)
    path = tmp_path / "gone.sock"
    FlakyServer(path, [[header] + frames[:3]], gap=0)
    got = []
    start = time.monotonic()
    with pytest.raises(handmesh.ConnectionLost, match=r"unix:.*gone\.sock: no HandMesh server after 0\.5 s"):
        for f in handmesh.read(f"unix:{path}", reconnect_seconds=0.5):
            got.append(f.index)
    assert got == [0, 1, 2]
    assert time.monotonic() - start < 5
