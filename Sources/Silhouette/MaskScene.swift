import Fitting
import Foundation
import HandModel
import Render

/// A right hand placed before a camera, for training the mask regressor and measuring it: a
/// natural pose and shape (`PoseSampler`), a wide viewpoint, a distance of 0.25–1 m, a position
/// anywhere in the frame with the whole hand inside it, and a camera of 45–80° field of view.
public struct MaskScene: Sendable {
    public var parameters: HandParameters
    public var camera: PinholeCamera
    public var width: Int
    public var height: Int

    /// Frame sizes of webcams and phones, landscape and square.
    static let frameSizes = [(640, 480), (720, 720), (1280, 720)]

    /// Samples a scene; `model` is the built-in right hand, `vertices` receives its vertices
    /// (camera frame) and `keypoints` its 21 keypoints. Draws everything from `rng` but what
    /// `fit` gives.
    ///
    /// Half the viewpoints are uniformly random rotations (side views, fingers toward or away
    /// from the camera); the other half show the palm or the back of the hand to the camera,
    /// within about 20° per axis, at any in-plane angle: how hands are mostly held before a camera.
    public static func sample(model: HandModel, sampler: PoseSampler, rng: inout SeededRandom,
                              workspace: HandModelWorkspace,
                              vertices: UnsafeMutableBufferPointer<SIMD3<Double>>,
                              keypoints: UnsafeMutableBufferPointer<SIMD3<Double>>,
                              around fit: (pose: [Double], shape: [Double], rotation: Mat3)? = nil) -> MaskScene {
        // A fit's pose, shape and viewpoint (self-data augmentation) replace the sampled ones.
        let pose: [Double], shape: [Double]
        if let fit { (pose, shape) = (fit.pose, fit.shape) } else { (pose, shape) = (sampler.sample(&rng), PoseSampler.sampleShape(&rng)) }
        let (width, height) = frameSizes[Int(rng.uniform() * Double(frameSizes.count))]
        let camera = PinholeCamera.defaultCamera(width: width, height: height, fieldOfViewDegrees: rng.uniform(45, 80))
        var p = HandParameters(pose: pose, shape: shape)
        let rotation: Mat3
        if let fit {
            rotation = fit.rotation
        } else if rng.uniform() < 0.5 {
            rotation = AxisAngle.random(&rng)
        } else {
            // The built-in hand's palm faces +y: a quarter turn about x by -90° turns it to -z, toward
            // the camera; +90° shows the back.
            let facing = AxisAngle.matrix(SIMD3(rng.uniform() < 0.5 ? -.pi / 2 : .pi / 2, 0, 0))
            let tilt = AxisAngle.matrix(SIMD3(rng.gaussian(), rng.gaussian(), rng.gaussian()) * 0.35)
            let spin = AxisAngle.matrix(SIMD3(0, 0, rng.uniform(-.pi, .pi)))
            rotation = spin * tilt * facing
        }
        p.globalOrient = AxisAngle.vector(rotation)
        model.keypoints(p, into: keypoints, jacobian: nil, workspace: workspace)
        model.vertices(p, into: vertices, jacobian: nil, workspace: workspace)
        var centroid = SIMD3<Double>.zero
        for k in keypoints { centroid += k }
        centroid /= Double(keypoints.count)
        // The keypoints' centroid anywhere in the central 70% of the frame; every vertex inside the
        // frame (a mask cut by the frame's edge is not what the regressor learns), else another
        // place a little further away.
        var z = rng.uniform(0.25, 1.0)
        for attempt in 0..<50 {
            let u = rng.uniform(0.15, 0.85) * Double(width), v = rng.uniform(0.15, 0.85) * Double(height)
            p.transl = SIMD3((u - camera.cx) / camera.fx * z, (v - camera.cy) / camera.fy * z, z) - centroid
            let inside = vertices.allSatisfy { q in
                let c = q + p.transl
                guard c.z > 0.05 else { return false }
                let px = camera.project(c)
                return px.x >= 0 && px.y >= 0 && px.x < Double(width) && px.y < Double(height)
            }
            if inside || attempt == 49 { break }
            z *= 1.05
        }
        for i in 0..<vertices.count { vertices[i] += p.transl }
        for j in 0..<keypoints.count { keypoints[j] += p.transl }
        return MaskScene(parameters: p, camera: camera, width: width, height: height)
    }

    /// Draws camera-frame `vertices` with `faces` into `rasterizer` (cleared first) and writes the
    /// binary mask (255 hand, 0 elsewhere) of the whole frame into `mask`. `screen` is scratch.
    public static func renderMask(vertices: UnsafeBufferPointer<SIMD3<Double>>, faces: [SIMD3<Int32>], camera: RenderCamera,
                                  rasterizer: inout Rasterizer, screen: inout [SIMD3<Float>], mask: inout [UInt8]) {
        if screen.count != vertices.count { screen = [SIMD3<Float>](repeating: .zero, count: vertices.count) }
        for i in 0..<vertices.count {
            let p = SIMD3<Float>(vertices[i])
            let uv = p.z > 0 ? camera.project(p) : .zero
            screen[i] = SIMD3(uv.x, uv.y, p.z)
        }
        rasterizer.clear()
        // No culling: the hand mesh is open at the wrist, and a view into the opening must not
        // show the back faces' gap as a hole.
        rasterizer.draw(screen: screen, faces: faces, culling: .none)
        rasterizer.silhouette(into: &mask)
    }
}
