"""HandMesh's records as Python objects: a stream's header, its frames, and the hands in them.

Arrays are numpy float64 in the record's units (metres, pixels, radians); the header of the
frame's own stream rides along on every frame, so a frame read alone still knows its joints'
names, its camera and its units.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

# MediaPipe's 21 landmarks (its HandLandmark names, lower-cased), the order of every keypoint array
# (the header's `joints`).
JOINTS = (
    "wrist",
    "thumb_cmc", "thumb_mcp", "thumb_ip", "thumb_tip",
    "index_finger_mcp", "index_finger_pip", "index_finger_dip", "index_finger_tip",
    "middle_finger_mcp", "middle_finger_pip", "middle_finger_dip", "middle_finger_tip",
    "ring_finger_mcp", "ring_finger_pip", "ring_finger_dip", "ring_finger_tip",
    "pinky_mcp", "pinky_pip", "pinky_dip", "pinky_tip",
)


class RecordError(ValueError):
    """A line that is not a HandMesh record; the message names the source and the line."""


@dataclass(frozen=True)
class Camera:
    """Pinhole intrinsics in pixels of the decoded frames, OpenCV's distortion (k1, k2, p1, p2, k3)."""
    fx: float
    fy: float
    cx: float
    cy: float
    distortion: tuple

    @property
    def matrix(self) -> np.ndarray:
        return np.array([[self.fx, 0, self.cx], [0, self.fy, self.cy], [0, 0, 1]], dtype=np.float64)

    @staticmethod
    def from_json(d: Optional[dict]) -> Optional["Camera"]:
        if d is None:
            return None
        return Camera(float(d["fx"]), float(d["fy"]), float(d["cx"]), float(d["cy"]),
                      tuple(float(x) for x in d.get("distortion", (0, 0, 0, 0, 0))))


@dataclass(frozen=True)
class Header:
    """A stream's header record: what every frame of the stream refers to."""
    stream: str
    schema_version: str
    joints: tuple
    units: dict
    camera: Optional[Camera]
    camera_source: Optional[str]
    mirrored: bool
    width: Optional[int]
    height: Optional[int]
    frame_rate: Optional[float]
    raw: dict = field(repr=False)

    @staticmethod
    def from_json(d: dict) -> "Header":
        inp = d.get("input") or {}
        return Header(stream=d["stream"], schema_version=d.get("schema_version", ""),
                      joints=tuple(d.get("joints") or JOINTS), units=dict(d.get("units") or {}),
                      camera=Camera.from_json(d.get("camera")), camera_source=d.get("camera_source"),
                      mirrored=bool(d.get("mirrored", False)), width=inp.get("width"), height=inp.get("height"),
                      frame_rate=inp.get("frame_rate"), raw=d)


def _array(value: Any, shape: tuple) -> Optional[np.ndarray]:
    if value is None:
        return None
    a = np.asarray(value, dtype=np.float64)
    return a.reshape(shape)


@dataclass(frozen=True)
class Hand:
    """One fitted hand. Parameters follow MANO's layout (see the client's README for the mapping to
    MediaPipe's and smplx's names); every array is None when the record did not carry it."""
    track: int
    handedness: str
    handedness_score: float
    score: float
    landmarks: Optional[np.ndarray]         # (21, 2) px, MediaPipe's image landmarks
    world_landmarks: Optional[np.ndarray]   # (21, 3) m, hand-centred, camera axes
    global_orient: Optional[np.ndarray]     # (3,) axis-angle, rad
    pose: Optional[np.ndarray]              # (45,) axis-angle of MANO's 15 finger joints, rad
    shape: Optional[np.ndarray]             # (10,)
    bone_factors: Optional[np.ndarray]      # (20,) the track's bone lengths beyond the shape
    transl: Optional[np.ndarray]            # (3,) m, camera frame
    joints3d: Optional[np.ndarray]          # (21, 3) m, camera frame
    joints2d: Optional[np.ndarray]          # (21, 2) px
    vertices: Optional[np.ndarray]          # (V, 3) m, camera frame, only with `vertices = true`
    fit: Optional[dict]
    gesture: Optional[dict]                 # synthetic truth only: {name, weight}
    raw: dict = field(repr=False)

    @staticmethod
    def from_json(d: dict) -> "Hand":
        verts = d.get("vertices")
        return Hand(track=int(d["track"]), handedness=d["handedness"],
                    handedness_score=float(d.get("handedness_score", 1.0)), score=float(d.get("score", 1.0)),
                    landmarks=_array(d.get("landmarks"), (-1, 2)),
                    world_landmarks=_array(d.get("world_landmarks"), (-1, 3)),
                    global_orient=_array(d.get("global_orient"), (3,)), pose=_array(d.get("pose"), (45,)),
                    shape=_array(d.get("shape"), (-1,)), bone_factors=_array(d.get("bone_factors"), (20,)),
                    transl=_array(d.get("transl"), (3,)),
                    joints3d=_array(d.get("joints3d"), (-1, 3)), joints2d=_array(d.get("joints2d"), (-1, 2)),
                    vertices=None if verts is None else _array(verts, (-1, 3)),
                    fit=d.get("fit"), gesture=d.get("gesture"), raw=d)

    @property
    def parameters(self) -> dict:
        """The fitted parameters by MANO's names, with the track's bone factors, ready for
        `HandModel.pose(**hand.parameters)`."""
        return {"global_orient": self.global_orient, "pose": self.pose, "shape": self.shape, "transl": self.transl,
                "bone_factors": self.bone_factors}


@dataclass(frozen=True)
class Frame:
    """One frame record with its stream's header."""
    stream: str
    index: int
    pts: float
    capture_time: float
    width: int
    height: int
    hands: tuple
    stage_ms: dict
    header: Optional[Header]
    raw: dict = field(repr=False)

    @property
    def joints(self) -> tuple:
        return self.header.joints if self.header else JOINTS

    @property
    def camera(self) -> Optional[Camera]:
        image = self.raw.get("image")
        if image and image.get("camera"):
            return Camera.from_json(image["camera"])
        return self.header.camera if self.header else None

    @property
    def units(self) -> dict:
        return self.header.units if self.header else {}

    @staticmethod
    def from_json(d: dict, header: Optional[Header]) -> "Frame":
        return Frame(stream=d["stream"], index=int(d["index"]), pts=float(d.get("pts", 0.0)),
                     capture_time=float(d.get("capture_time", 0.0)), width=int(d.get("width", 0)),
                     height=int(d.get("height", 0)), hands=tuple(Hand.from_json(h) for h in d.get("hands", ())),
                     stage_ms=dict(d.get("stage_ms") or {}), header=header, raw=d)


@dataclass(frozen=True)
class Event:
    """Any other record (`dropped`, `source`, `error`, `end`) as its JSON object."""
    type: str
    stream: str
    raw: dict
