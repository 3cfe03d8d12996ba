/// One hand in one frame, as the estimator stages build it and as it is written.
///
/// `track`, `handedness` and `score` are always present; everything else is filled by the stage
/// that produces it and left `nil` (and out of the JSON) until then. Arrays are flat, row-major
/// `Float`s so stages can fill them in place: `landmarks` is 21 × [x, y], `joints3d` 21 × [x, y, z],
/// and so on, in `HandJoint` order.
public struct HandRecord: Sendable, Equatable {
    /// Identifies the hand across frames; stable while tracking holds.
    public var track: Int
    /// The person's hand (anatomical), decided per track from the hand's 3D shape (see the fitting
    /// stage); the header's `mirrored` says whether the image shows it mirrored.
    public var handedness: Handedness
    /// Probability that `handedness` is right (below 0.5 while a track's votes lean to the other side
    /// but have not yet turned it).
    public var handednessScore: Float
    /// Confidence that this is a hand, 0...1.
    public var score: Float

    /// 21 × [x, y], pixels in the (possibly downscaled) frame the pipeline saw.
    public var landmarks: [Float]?
    /// 21 × [x, y, z], metres, hand-centred (MediaPipe's world landmarks).
    public var worldLandmarks: [Float]?
    /// The rotated square region the landmarks were read from.
    public var roi: HandROI?

    /// Axis-angle of the wrist, radians (3).
    public var globalOrient: [Float]?
    /// Axis-angle per finger joint, radians, MANO's 15 joints (45).
    public var pose: [Float]?
    /// Shape coefficients (10).
    public var shape: [Float]?
    /// The track's bone-length factors (20, bone b ending at keypoint b + 1), which `joints3d` and
    /// `vertices` carry beyond the shape.
    public var boneFactors: [Float]?
    /// Translation of the wrist in camera space, metres (3).
    public var transl: [Float]?
    /// 21 × [x, y, z], camera space, metres.
    public var joints3d: [Float]?
    /// 21 × [x, y], the fitted joints projected into the frame, pixels.
    public var joints2d: [Float]?
    /// V × [x, y, z], camera space, metres; only when asked for, since it is large.
    public var vertices: [Float]?
    /// How the fit went.
    public var fit: FitSummary?
    /// Only in `handmesh synth`'s truth: the gesture the hand is posed in.
    public var gesture: GestureLabel?

    public init(track: Int, handedness: Handedness, handednessScore: Float = 0.5, score: Float) {
        self.track = track
        self.handedness = handedness
        self.handednessScore = handednessScore
        self.score = score
    }
}

public enum Handedness: String, Sendable, Equatable {
    case left
    case right
}

/// A rotated square in frame pixels: centre, side length and rotation (radians, counter-clockwise).
public struct HandROI: Sendable, Equatable {
    public var cx: Float
    public var cy: Float
    public var size: Float
    public var rotation: Float

    public init(cx: Float, cy: Float, size: Float, rotation: Float) {
        self.cx = cx
        self.cy = cy
        self.size = size
        self.rotation = rotation
    }
}

/// A gesture by name, and how much of the hand's pose it makes (1 while held, from 0.5 in a blend of two).
public struct GestureLabel: Sendable, Equatable {
    public var name: String
    public var weight: Float

    public init(name: String, weight: Float) {
        self.name = name
        self.weight = weight
    }
}

public struct FitSummary: Sendable, Equatable {
    public var iterations: Int
    /// Root-mean-square distance between fitted and observed 2D joints, pixels.
    public var reprojectionPixels: Float
    public var milliseconds: Double
    /// Whether the fit started from the previous frame's result for this track.
    public var warm: Bool
    /// With a mask: intersection over union of the reported mesh's silhouette and the mask, over the
    /// whole frame (what `handmesh eval mask` computes).
    public var maskIoU: Float?
    /// With a mask whose forearm was cut away: the line across the wrist, beyond which (toward the
    /// arm) the mask did not count, in `maskIoU` or in the fit.
    public var forearmCut: ForearmCut?

    public init(iterations: Int, reprojectionPixels: Float, milliseconds: Double, warm: Bool, maskIoU: Float? = nil,
                forearmCut: ForearmCut? = nil) {
        self.iterations = iterations
        self.reprojectionPixels = reprojectionPixels
        self.milliseconds = milliseconds
        self.warm = warm
        self.maskIoU = maskIoU
        self.forearmCut = forearmCut
    }
}

/// `fit.forearm_cut`: a point on the line across the wrist and the unit direction toward the arm,
/// pixels; mask pixels whose centres lie beyond the line were arm.
public struct ForearmCut: Sendable, Equatable {
    public var point: SIMD2<Float>
    public var towardArm: SIMD2<Float>

    public init(point: SIMD2<Float>, towardArm: SIMD2<Float>) {
        self.point = point
        self.towardArm = towardArm
    }
}

extension HandRecord {
    public func encode(into json: inout JSONWriter) {
        json.beginObject()
        json.key("track"); json.int(track)
        json.key("handedness"); json.string(handedness.rawValue)
        json.key("handedness_score"); json.number(handednessScore, decimals: 4)
        json.key("score"); json.number(score, decimals: 4)
        if let landmarks {
            json.key("landmarks"); json.rows(landmarks, stride: 2, decimals: 2)
        }
        if let worldLandmarks {
            json.key("world_landmarks"); json.rows(worldLandmarks, stride: 3, decimals: 5)
        }
        if let roi {
            json.key("roi")
            json.beginObject()
            json.key("cx"); json.number(roi.cx, decimals: 2)
            json.key("cy"); json.number(roi.cy, decimals: 2)
            json.key("size"); json.number(roi.size, decimals: 2)
            json.key("rotation"); json.number(roi.rotation, decimals: 5)
            json.endObject()
        }
        if let globalOrient {
            json.key("global_orient"); json.numbers(globalOrient, decimals: 5)
        }
        if let pose {
            json.key("pose"); json.numbers(pose, decimals: 5)
        }
        if let shape {
            json.key("shape"); json.numbers(shape, decimals: 5)
        }
        if let boneFactors {
            json.key("bone_factors"); json.numbers(boneFactors, decimals: 4)
        }
        if let transl {
            json.key("transl"); json.numbers(transl, decimals: 5)
        }
        if let joints3d {
            json.key("joints3d"); json.rows(joints3d, stride: 3, decimals: 5)
        }
        if let joints2d {
            json.key("joints2d"); json.rows(joints2d, stride: 2, decimals: 2)
        }
        if let vertices {
            json.key("vertices"); json.rows(vertices, stride: 3, decimals: 5)
        }
        if let fit {
            json.key("fit")
            json.beginObject()
            json.key("iterations"); json.int(fit.iterations)
            json.key("reprojection_px"); json.number(fit.reprojectionPixels, decimals: 3)
            json.key("ms"); json.number(fit.milliseconds, decimals: 3)
            json.key("warm"); json.bool(fit.warm)
            if let iou = fit.maskIoU { json.key("mask_iou"); json.number(iou, decimals: 4) }
            if let cut = fit.forearmCut {
                // Decimals enough that a reader's line cuts the same pixels (`eval mask`).
                json.key("forearm_cut")
                json.beginObject()
                json.key("point"); json.numbers([cut.point.x, cut.point.y], decimals: 3)
                json.key("toward_arm"); json.numbers([cut.towardArm.x, cut.towardArm.y], decimals: 6)
                json.endObject()
            }
            json.endObject()
        }
        if let gesture {
            json.key("gesture")
            json.beginObject()
            json.key("name"); json.string(gesture.name)
            json.key("weight"); json.number(gesture.weight, decimals: 4)
            json.endObject()
        }
        json.endObject()
    }
}
