"""A client for HandMesh's records: read frames from a file, stdin or a `unix:` socket, get each
hand's arrays with numpy, pose the hand model, and recognise gestures (`handmesh.gestures`).

    import handmesh
    for frame in handmesh.read("unix:/run/handmesh/hands.sock"):
        for hand in frame.hands:
            print(frame.index, hand.handedness, hand.joints3d.shape)
"""
from .model import HandModel, ModelError, read_safetensors, rodrigues
from .reader import ConnectionLost, read
from .records import JOINTS, Camera, Event, Frame, Hand, Header, RecordError

__all__ = ["read", "HandModel", "ModelError", "ConnectionLost", "RecordError", "Frame", "Hand", "Header", "Event",
           "Camera", "JOINTS", "read_safetensors", "rodrigues"]
__version__ = "0.1.0"
