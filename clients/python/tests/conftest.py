"""Fixtures made from HandMesh's real output: the built `handmesh` (HANDMESH_BINARY, else
.build/release/handmesh at the repository's root) run on the stereo clip's first view, its exported
hand model, and a synthetic clip's truth."""
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CLIP = REPO.parent / "shared" / "data" / "stereo-hand" / "cam0_test.mp4"


def binary() -> str:
    path = os.environ.get("HANDMESH_BINARY") or str(REPO / ".build" / "release" / "handmesh")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path}: the handmesh executable is not built (swift build -c release, or set HANDMESH_BINARY)")
    return path


def run(*args, timeout=600):
    result = subprocess.run([binary(), *args], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"handmesh {' '.join(args)}: exit {result.returncode}: {result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="session")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("handmesh-client")


@pytest.fixture(scope="session")
def clip() -> Path:
    if not CLIP.exists():
        pytest.fail(f"{CLIP}: the stereo clip is missing (../shared/data/stereo-hand beside the repository)")
    return CLIP


@pytest.fixture(scope="session")
def vertex_config(work) -> Path:
    """The clip's calibrated view with vertices in every record."""
    text = (REPO / "Config" / "examples" / "desk-view0.toml").read_text()
    config = work / "view0-vertices.toml"
    config.write_text(text.replace("[defaults]\n", "[defaults]\nvertices = true\n", 1))
    return config


@pytest.fixture(scope="session")
def stereo_records(work, clip, vertex_config) -> Path:
    """`handmesh run` on the stereo clip's first view: 378 frames of a right hand, with vertices."""
    out = work / "cam0.ndjson"
    run("run", "--config", str(vertex_config), "--input", str(clip), "--output", f"ndjson:{out}", "--log-level", "error")
    return out


@pytest.fixture(scope="session")
def model_files(work) -> dict:
    files = {}
    for side in ("right", "left"):
        path = work / f"hand-{side}.safetensors"
        run("model", "export", "--safetensors", str(path), "--side", side)
        files[side] = path
    return files


@pytest.fixture(scope="session")
def synth_truth(work) -> Path:
    """A 10-second synthetic clip's truth: every key gesture, held and blended."""
    truth = work / "synth.truth.ndjson"
    run("synth", "--out", str(work / "synth.mp4"), "--truth", str(truth), "--frames", "300", "--seed", "1",
        "--size", "320x240")
    return truth
