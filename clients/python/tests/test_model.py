"""The exported hand model: its faces, and posing it from a record's parameters, against the
records' own vertices and joints."""
import numpy as np

import handmesh


def test_the_exported_model_has_the_mesh_and_its_side(model_files):
    right = handmesh.HandModel.load(str(model_files["right"]))
    left = handmesh.HandModel.load(str(model_files["left"]))
    assert (right.side, left.side) == ("right", "left")
    assert right.vertex_count == 778 and right.faces.shape == (1552, 3)
    assert right.faces.min() == 0 and right.faces.max() == 777
    # Closed mesh: every edge is shared by exactly two faces.
    edges = np.sort(right.faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    _, counts = np.unique(edges, axis=0, return_counts=True)
    assert np.all(counts == 2)


def test_posing_agrees_with_the_records_vertices_to_a_tenth_of_a_millimetre(model_files, stereo_records):
    model = handmesh.HandModel.load(str(model_files["right"]))
    worst = 0.0
    n = 0
    for frame in handmesh.read(str(stereo_records)):
        for hand in frame.hands:
            worst = max(worst, np.abs(model.pose(**hand.parameters) - hand.vertices).max())
            n += 1
    assert n >= 350
    assert worst <= 1e-4, f"worst vertex off by {worst * 1000:.4f} mm"


def test_posed_keypoints_are_the_truths_joints(model_files, synth_truth):
    """The synthetic truth's joints are the model's own keypoints (no bone factors)."""
    model = handmesh.HandModel.load(str(model_files["right"]))
    worst = 0.0
    for frame in handmesh.read(str(synth_truth)):
        for hand in frame.hands:
            _, joints = model.pose(**hand.parameters, keypoints=True)
            worst = max(worst, np.abs(joints - hand.joints3d).max())
    assert worst <= 1e-4, f"worst joint off by {worst * 1000:.4f} mm"


def test_a_runs_joints_are_its_meshs_keypoints(model_files, stereo_records):
    """A run's joints3d carry the track's bone factors, and so does its mesh: posed with them, the
    keypoints are the record's joints, and the fingertip keypoints are the mesh's tip vertices."""
    model = handmesh.HandModel.load(str(model_files["right"]))
    worst_joint = worst_tip = 0.0
    stretched = 0
    for frame in handmesh.read(str(stereo_records)):
        for hand in frame.hands:
            vertices, joints = model.pose(**hand.parameters, keypoints=True)
            worst_joint = max(worst_joint, np.abs(joints - hand.joints3d).max())
            tips = hand.vertices[list(model.tip_vertices)]
            worst_tip = max(worst_tip, np.abs(tips - hand.joints3d[[4, 8, 12, 16, 20]]).max())
            stretched += bool(np.any(np.abs(hand.bone_factors - 1) > 0.05))
    assert stretched > 100, "the clip's tracks should have settled on bone factors away from one"
    assert worst_joint <= 1e-4, f"worst joint off by {worst_joint * 1000:.4f} mm"
    assert worst_tip <= 1e-4, f"worst fingertip vertex off its joint by {worst_tip * 1000:.4f} mm"


def test_the_mirrored_right_hand_is_the_exported_left_hand(model_files):
    right = handmesh.HandModel.load(str(model_files["right"]))
    left = handmesh.HandModel.load(str(model_files["left"]))
    mirrored = right.mirrored()
    assert mirrored.side == "left"
    assert np.array_equal(np.sort(mirrored.faces, axis=1), np.sort(left.faces, axis=1))
    rng = np.random.default_rng(3)
    p = {"global_orient": rng.normal(0, 0.5, 3), "pose": rng.normal(0, 0.2, 45), "shape": rng.normal(0, 1, 10),
         "transl": rng.normal(0, 0.1, 3)}
    assert np.abs(mirrored.pose(**p) - left.pose(**p)).max() < 1e-9


def test_rest_pose_is_the_template():
    z = np.zeros(3)
    assert np.allclose(handmesh.rodrigues(z), np.eye(3))
    r = handmesh.rodrigues(np.array([0, 0, np.pi / 2]))
    assert np.allclose(r @ [1, 0, 0], [0, 1, 0])
