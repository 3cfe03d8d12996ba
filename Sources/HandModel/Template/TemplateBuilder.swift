import Foundation

/// Generates the built-in hand from anthropometric proportions, deterministically: skeleton, cage,
/// one Catmull–Clark step, projection onto the implicit skin, a little tangential relaxation so the
/// vertices spread evenly, then skinning weights and the shape space.
enum TemplateBuilder {
    struct Generated {
        var vertices: [SIMD3<Double>]
        var joints: [SIMD3<Double>]
        var quads: [SIMD4<Int32>]
        var skeleton: Skeleton
        var subdivided: [SIMD3<Double>]
    }

    /// A generated mesh and the subdivided cage it was projected from.
    static func generate(_ p: HandProportions) -> Generated {
        let skeleton = Skeleton(p)
        let surface = HandSurface(skeleton: skeleton, proportions: p)
        let cage = Cage.build(skeleton: skeleton, surface: surface)
        let (subdivided, quads) = CatmullClark.subdivide(points: cage.points, quads: cage.quads)
        var points = subdivided.map { surface.project($0, steps: 6) }
        let neighbours = neighbourLists(count: points.count, quads: quads)
        // Umbrella smoothing with the normal component removed, then back onto the surface: evens the
        // spacing that projection leaves without shrinking the fingers.
        for _ in 0..<4 {
            var moved = points
            for i in 0..<points.count {
                var mean = SIMD3<Double>.zero
                for n in neighbours[i] { mean += points[n] }
                mean /= Double(neighbours[i].count)
                let g = surface.gradient(points[i])
                let normal = g / max(dot(g, g).squareRoot(), 1e-12)
                let step = 0.5 * (mean - points[i])
                moved[i] = surface.project(points[i] + step - dot(step, normal) * normal, steps: 2)
            }
            points = moved
        }
        return Generated(vertices: points, joints: skeleton.joints, quads: quads, skeleton: skeleton, subdivided: subdivided)
    }

    /// The mesh for other proportions, with the same vertex layout as `base`: each vertex moves as the
    /// subdivided cage moves (the cage is built on the skeleton, so this follows the bones), then
    /// snaps to the new skin. Cheap, and smooth in the proportions, which the shape space's finite
    /// differences need.
    static func generate(_ p: HandProportions, following base: Generated) -> Generated {
        let skeleton = Skeleton(p)
        let surface = HandSurface(skeleton: skeleton, proportions: p)
        let cage = Cage.build(skeleton: skeleton, surface: surface)
        let (subdivided, quads) = CatmullClark.subdivide(points: cage.points, quads: cage.quads)
        var points = base.vertices
        for i in points.indices { points[i] = surface.project(points[i] + subdivided[i] - base.subdivided[i], steps: 2) }
        return Generated(vertices: points, joints: skeleton.joints, quads: quads, skeleton: skeleton, subdivided: subdivided)
    }

    static func neighbourLists(count: Int, quads: [SIMD4<Int32>]) -> [[Int]] {
        var sets = [Set<Int>](repeating: [], count: count)
        for q in quads {
            for c in 0..<4 {
                let a = Int(q[c]), b = Int(q[(c + 1) % 4])
                sets[a].insert(b)
                sets[b].insert(a)
            }
        }
        return sets.map { $0.sorted() }
    }

    /// The built-in right hand's arrays, generated once per process.
    static func builtInTensors() -> HandModelTensors { rightTensors }

    private static let rightTensors = generateTensors()

    static func generateTensors() -> HandModelTensors {
        let base = generate(HandProportions())
        // Split each quad along the diagonal that gives the better worst angle in the rest template.
        func smallestAngle(_ a: SIMD3<Double>, _ b: SIMD3<Double>, _ c: SIMD3<Double>) -> Double {
            func angle(_ p: SIMD3<Double>, _ q: SIMD3<Double>, _ r: SIMD3<Double>) -> Double {
                let u = q - p, w = r - p
                return Foundation.acos(max(-1, min(1, dot(u, w) / (dot(u, u) * dot(w, w)).squareRoot())))
            }
            return min(angle(a, b, c), angle(b, c, a), angle(c, a, b))
        }
        var faces: [SIMD3<Int32>] = []
        for q in base.quads {
            let v = (0..<4).map { base.vertices[Int(q[$0])] }
            let first = min(smallestAngle(v[0], v[1], v[2]), smallestAngle(v[0], v[2], v[3]))
            let second = min(smallestAngle(v[0], v[1], v[3]), smallestAngle(v[1], v[2], v[3]))
            faces += first >= second ? [SIMD3(q.x, q.y, q.z), SIMD3(q.x, q.z, q.w)] : [SIMD3(q.x, q.y, q.w), SIMD3(q.y, q.z, q.w)]
        }
        let tips = base.skeleton.tips.map { tip in
            base.vertices.indices.min { dot(base.vertices[$0] - tip, base.vertices[$0] - tip) < dot(base.vertices[$1] - tip, base.vertices[$1] - tip) }!
        }
        let weights = SkinningWeights.compute(vertices: base.vertices, skeleton: base.skeleton,
                                              neighbours: neighbourLists(count: base.vertices.count, quads: base.quads))
        let shape = ShapeSpace.directions(base: HandProportions(), template: base)
        return HandModelTensors(vTemplate: base.vertices, faces: faces, weights: weights, jointTemplate: base.joints,
                                jointShapeDirs: shape.joints, shapeDirs: shape.vertices, poseDirs: nil,
                                handsMean: relaxedPose, handsComponents: nil, tipVertices: tips)
    }

    /// A relaxed hand (the pose prior's centre): fingers gently curled, more toward the pinky, as in a
    /// resting hand; thumb slightly flexed. Flexion of the fingers is +z in this frame.
    static let relaxedPose: [Double] = {
        var pose = [Double](repeating: 0, count: 45)
        let curl: [(joint: Int, z: Double)] = [
            (1, 0.15), (2, 0.25), (3, 0.12), (4, 0.20), (5, 0.30), (6, 0.15),
            (7, 0.35), (8, 0.40), (9, 0.20), (10, 0.28), (11, 0.35), (12, 0.18),
        ]
        for c in curl { pose[3 * (c.joint - 1) + 2] = c.z }
        // Thumb IP flexes about (bone × palm normal) ≈ (−0.56, 0, 0.77) for the rest thumb.
        pose[3 * 14] = -0.56 * 0.2
        pose[3 * 14 + 2] = 0.77 * 0.2
        return pose
    }()
}
