#!/usr/bin/env python3
"""MediaPipe's own hand tracker as the oracle for HandMesh's crop + evidence stages.

Runs the legacy `mediapipe.solutions.hands` graph (mediapipe==0.10.21,
model_complexity=1, static_image_mode=False unless --static-image-mode,
max_num_hands=2) on a video and writes its per-frame hands to a JSON file that
Tests/EvidenceTests reads. With --static-image-mode every frame is treated as an
unrelated photo, as MediaPipe's static_image_mode=True does.

Frames are decoded with the ffmpeg command-line tool to raw rgb24 (the same
libavcodec decoder and swscale conversion HandMesh's Video target uses), never
with OpenCV's decoder, so both sides see the same pixels. The file also records
per-channel pixel sums of a few frames so the Swift test can confirm that the
two decoders agree.

Besides the landmarks, the file carries MediaPipe's intermediate hand ROIs
(from palm detections and from landmarks) for diagnosing disagreements.

Run in the oracle environment, from the repository root:
    .venv-oracle/bin/python scripts/mediapipe_oracle.py \
        ../shared/data/stereo-hand/cam0_test.mp4 .cache/oracle/cam0_test.mediapipe.json
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

# Frames whose pixel sums are recorded for the decoder-agreement check.
CHECKSUM_FRAMES = (0, 100, 200)
# The frame whose pixels and OpenCV crops are saved for the crop test.
CROP_FRAME = 100


def probe_size(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height", "-of", "csv=p=0:s=x", path],
        check=True, capture_output=True, text=True).stdout.strip()
    width, height = out.split("\n")[0].split("x")
    return int(width), int(height)


def rgb_frames(path):
    """Yields (width, height, HxWx3 uint8 frame) decoded by the ffmpeg CLI."""
    width, height = probe_size(path)
    proc = subprocess.Popen(
        # Bilinear like Sources/Video/Scaler.swift (for a same-size yuv420p -> rgb24 conversion the
        # flags make no difference; the pixel sums in the output let the Swift test confirm that).
        ["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-sws_flags", "bilinear",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], stdout=subprocess.PIPE)
    frame_bytes = width * height * 3
    try:
        while True:
            buf = proc.stdout.read(frame_bytes)
            if len(buf) < frame_bytes:
                break
            yield width, height, np.frombuffer(buf, np.uint8).reshape(height, width, 3)
    finally:
        proc.stdout.close()
        proc.wait()


def make_hands(max_num_hands, static_image_mode):
    """The legacy Hands solution, also exposing its ROI streams for diagnostics."""
    import mediapipe as mp
    from mediapipe.python.solution_base import SolutionBase
    from mediapipe.python.solutions import hands as hands_module

    class HandsWithRois(SolutionBase):
        def __init__(self):
            super().__init__(
                binary_graph_path=hands_module._BINARYPB_FILE_PATH,
                side_inputs={
                    "model_complexity": 1,
                    "num_hands": max_num_hands,
                    "use_prev_landmarks": not static_image_mode,
                },
                # The solution's defaults: min_detection_confidence and
                # min_tracking_confidence 0.5 (mediapipe/python/solutions/hands.py).
                calculator_params={
                    "palmdetectioncpu__TensorsToDetectionsCalculator.min_score_thresh": 0.5,
                    "handlandmarkcpu__ThresholdingCalculator.threshold": 0.5,
                },
                outputs=["multi_hand_landmarks", "multi_hand_world_landmarks",
                         "multi_handedness", "hand_rects_from_landmarks",
                         "hand_rects_from_palm_detections"])

    del mp
    return HandsWithRois()


def opencv_crop(rgb, center, size, rotation, out_size, border):
    """A crop made exactly as MediaPipe's CPU ImageToTensorCalculator makes it
    (mediapipe/calculators/tensor/image_to_tensor_converter_opencv.cc): box corners of the rotated
    rectangle onto the tensor's corners, cv2.warpPerspective with INTER_LINEAR."""
    import cv2
    box = cv2.boxPoints(((center[0], center[1]), (size[0], size[1]), rotation * 180.0 / np.pi))
    w = h = float(out_size)
    dst = np.array([[0, h], [0, 0], [w, 0], [w, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(box.astype(np.float32), dst)
    mode = cv2.BORDER_CONSTANT if border == "zero" else cv2.BORDER_REPLICATE
    return cv2.warpPerspective(rgb, matrix, (out_size, out_size), flags=cv2.INTER_LINEAR,
                               borderMode=mode)


def write_crop_oracle(rgb, frame_record, prefix):
    """Saves the frame and OpenCV crops of it: the palm detector's letterbox, MediaPipe's own hand
    ROI for the frame, and a rotated ROI hanging off the frame's corner in both border modes."""
    height, width = rgb.shape[:2]
    long_side = float(max(width, height))
    rois = [("letterbox", [width / 2, height / 2], [long_side, long_side], 0.0, 192, "zero")]
    for r in frame_record["rois_from_landmarks"][:1]:
        rois.append(("tracked", r["center"], r["size"], r["rotation"], 224, "replicate"))
    rois.append(("corner-replicate", [width - 40.5, 30.25], [300.0, 300.0], 0.7, 224, "replicate"))
    rois.append(("corner-zero", [width - 40.5, 30.25], [300.0, 300.0], 0.7, 224, "zero"))
    crops = []
    rgb.tofile(prefix + ".frame.rgb")
    for name, center, size, rotation, out_size, border in rois:
        crop = opencv_crop(rgb, center, size, rotation, out_size, border)
        path = "%s.crop-%s.rgb" % (prefix, name)
        np.ascontiguousarray(crop).tofile(path)
        crops.append({"name": name, "center": center, "size": size, "rotation": rotation,
                      "output_size": out_size, "border": border, "file": os.path.basename(path)})
    return {"frame_index": frame_record["index"], "frame_file": os.path.basename(prefix + ".frame.rgb"),
            "width": width, "height": height, "crops": crops}


def rect_json(rect, width, height):
    return {"center": [rect.x_center * width, rect.y_center * height],
            "size": [rect.width * width, rect.height * height],
            "rotation": rect.rotation}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("video")
    parser.add_argument("output")
    parser.add_argument("--max-num-hands", type=int, default=2)
    parser.add_argument("--static-image-mode", action="store_true",
                        help="every frame an unrelated photo: palm detection on each, no tracking")
    args = parser.parse_args()

    hands = make_hands(args.max_num_hands, static_image_mode=args.static_image_mode)
    frames = []
    checksums = {}
    crop_oracle = None
    prefix = os.path.splitext(os.path.abspath(args.output))[0]
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    width = height = 0
    for index, (width, height, rgb) in enumerate(rgb_frames(args.video)):
        if index in CHECKSUM_FRAMES:
            checksums[str(index)] = rgb.reshape(-1, 3).sum(axis=0, dtype=np.int64).tolist()
        result = hands.process(rgb)
        record = {"index": index, "hands": []}
        landmark_lists = result.multi_hand_landmarks or []
        world_lists = result.multi_hand_world_landmarks or []
        handedness_lists = result.multi_handedness or []
        for h, landmarks in enumerate(landmark_lists):
            category = handedness_lists[h].classification[0]
            record["hands"].append({
                # Normalized x, y scaled to frame pixels; z as MediaPipe gives it
                # (normalized like x).
                "landmarks": [[p.x * width, p.y * height, p.z] for p in landmarks.landmark],
                "world_landmarks": [[p.x, p.y, p.z] for p in world_lists[h].landmark],
                "handedness": category.label,
                "handedness_score": category.score,
            })
        record["rois_from_landmarks"] = [
            rect_json(r, width, height) for r in (result.hand_rects_from_landmarks or [])]
        record["rois_from_palms"] = [
            rect_json(r, width, height) for r in (result.hand_rects_from_palm_detections or [])]
        frames.append(record)
        if index == CROP_FRAME:
            crop_oracle = write_crop_oracle(rgb, record, prefix)
    hands.close()

    import mediapipe as mp
    out = {
        "source": os.path.basename(args.video),
        "oracle": "mediapipe.solutions.hands %s model_complexity=1 static_image_mode=%s "
                  "max_num_hands=%d" % (mp.__version__, args.static_image_mode, args.max_num_hands),
        "decoder": "ffmpeg CLI -pix_fmt rgb24",
        "width": width,
        "height": height,
        "pixel_sums": checksums,
        "crop_oracle": crop_oracle,
        "frames": frames,
    }
    tmp = args.output + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f)
    os.replace(tmp, args.output)
    found = sum(1 for fr in frames if fr["hands"])
    print("%s: %d frames, a hand in %d" % (args.output, len(frames), found), file=sys.stderr)


if __name__ == "__main__":
    main()
