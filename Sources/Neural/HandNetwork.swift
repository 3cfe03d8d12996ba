/// MediaPipe's four hand networks, as shipped in the `mediapipe==0.10.21` wheel (Apache-2.0).
public enum HandNetwork: String, CaseIterable, Sendable {
    case handLandmarkFull = "hand_landmark_full"
    case handLandmarkLite = "hand_landmark_lite"
    case palmDetectionFull = "palm_detection_full"
    case palmDetectionLite = "palm_detection_lite"

    /// The wheel that carries the files; pinned, since the hashes below are of its files.
    public static let wheelRequirement = "mediapipe==0.10.21"
    /// The one wheel fetched, named by platform and Python version so any Python's pip can download
    /// it (PyPI lists mediapipe-0.10.21-cp312-cp312-manylinux_2_28_x86_64.whl).
    public static let wheelPlatform = "manylinux_2_28_x86_64"
    public static let wheelPython = "3.12"

    public var fileName: String { rawValue + ".tflite" }

    /// Where the file sits inside the wheel.
    public var pathInWheel: String {
        switch self {
        case .handLandmarkFull, .handLandmarkLite: return "mediapipe/modules/hand_landmark/" + fileName
        case .palmDetectionFull, .palmDetectionLite: return "mediapipe/modules/palm_detection/" + fileName
        }
    }

    /// SHA-256 of the file in mediapipe 0.10.21 (issue 3 lists them as measured from the wheel).
    public var sha256: String {
        switch self {
        case .handLandmarkFull: return "11c272b891e1a99ab034208e23937a8008388cf11ed2a9d776ed3d01d0ba00e3"
        case .handLandmarkLite: return "048edd3645c9bf7397d19a9f6e3a42957d6e414c9bea6598030a2e9b624156e6"
        case .palmDetectionFull: return "1b14e9422c6ad006cde6581a46c8b90dd573c07ab7f3934b5589e7cea3f89a54"
        case .palmDetectionLite: return "e9a4aaddf90dda56a87235303cf00e4c2d3fb28725f68fd88772997dac905c18"
        }
    }

    /// Side of the square RGB input, in pixels: 224 for the landmark models, 192 for palm detection.
    public var inputSize: Int {
        switch self {
        case .handLandmarkFull, .handLandmarkLite: return 224
        case .palmDetectionFull, .palmDetectionLite: return 192
        }
    }
}
