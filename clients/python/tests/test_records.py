"""Reading real records: the stereo clip's file, the same bytes as a stream, and interleaved streams."""
import io
import json

import numpy as np
import pytest

import handmesh


def test_a_file_gives_every_frame_with_its_header_facts(stereo_records):
    frames = list(handmesh.read(str(stereo_records)))
    assert len(frames) == 378
    assert [f.index for f in frames] == list(range(378))
    first = frames[0]
    assert first.joints == handmesh.JOINTS
    assert first.camera.fx == pytest.approx(926.0774, abs=1e-3)
    assert first.camera.matrix.shape == (3, 3)
    assert first.units["joints3d"] == "m" and first.units["joints2d"] == "px"
    assert first.header.camera_source == "config"
    hands = [h for f in frames for h in f.hands]
    assert len(hands) >= 350
    for hand in hands:
        assert hand.handedness == "right" and 0 <= hand.handedness_score <= 1 and isinstance(hand.track, int)
        assert hand.joints3d.shape == (21, 3) and hand.joints2d.shape == (21, 2)
        assert hand.landmarks.shape == (21, 2) and hand.world_landmarks.shape == (21, 3)
        assert hand.pose.shape == (45,) and hand.shape.shape == (10,)
        assert hand.global_orient.shape == (3,) and hand.transl.shape == (3,)
        assert hand.vertices.shape == (778, 3)
        assert hand.joints3d.dtype == np.float64
    # Camera space: the hand is in front of the camera, a few tens of centimetres away.
    z = np.array([h.transl[2] for h in hands])
    assert np.all(z > 0.1) and np.all(z < 2.0)


def test_a_stream_reads_like_the_file(stereo_records):
    with open(stereo_records, "rb") as f:
        binary = [fr.index for fr in handmesh.read(f)]
    with open(stereo_records, "r") as f:
        text = [fr.index for fr in handmesh.read(io.StringIO(f.read()))]
    assert binary == text == list(range(378))


def test_everything_brings_headers_and_the_end(stereo_records):
    records = list(handmesh.read(str(stereo_records), everything=True))
    assert isinstance(records[0], handmesh.Header)
    assert isinstance(records[-1], handmesh.Event) and records[-1].type == "end"
    assert records[-1].raw["processed"] == 378


def test_several_streams_stay_apart(stereo_records, tmp_path):
    """Two streams interleaved on one output, each with its own header and camera."""
    lines = [json.loads(line) for line in open(stereo_records, "rb")]
    merged = []
    for stream, fx in (("left_cam", 500.0), ("right_cam", 700.0)):
        header = dict(lines[0], stream=stream, camera=dict(lines[0]["camera"], fx=fx))
        merged.append((-1, header))
    for line in lines[1:-1]:
        for stream in ("left_cam", "right_cam"):
            if stream == "right_cam" and line["index"] % 2:
                continue
            merged.append((line["index"], dict(line, stream=stream)))
    path = tmp_path / "two.ndjson"
    path.write_text("".join(json.dumps(d) + "\n" for _, d in merged))
    frames = list(handmesh.read(str(path)))
    by_stream = {}
    for f in frames:
        by_stream.setdefault(f.stream, []).append(f)
        assert f.camera.fx == (500.0 if f.stream == "left_cam" else 700.0)
    assert len(by_stream["left_cam"]) == 378 and len(by_stream["right_cam"]) == 189
    assert [f.index for f in handmesh.read(str(path), stream="right_cam")] == list(range(0, 378, 2))


def test_a_bad_line_names_the_source_and_the_line(stereo_records, tmp_path):
    path = tmp_path / "bad.ndjson"
    lines = open(stereo_records).read().splitlines(keepends=True)
    path.write_text("".join(lines[:3]) + "{not json\n")
    with pytest.raises(handmesh.RecordError, match=r"bad\.ndjson: line 4"):
        list(handmesh.read(str(path)))
    with pytest.raises(FileNotFoundError, match="missing.ndjson"):
        list(handmesh.read(str(tmp_path / "missing.ndjson")))
