/// The built-in hand's 10 shape directions. Each is an anthropometric measurement varied by about
/// one standard deviation of adult hands per unit coefficient; the template is regenerated at ±half
/// a step (vertices following the skeleton, then snapping to the new skin) and differenced, so joints and surface move together exactly as the generator ties them.
/// Standard deviations: hand length ≈ 5% and hand breadth ≈ 4.5 mm (ANSUR 1988, Gordon et al.),
/// segment lengths ≈ 5% (Buchholz et al. 1992 report coefficients of variation of 4–7%), finger
/// breadth ≈ 7% and palm thickness ≈ 2.5 mm (Vergara et al. 2018).
public enum ShapeSpace {
    /// What each built-in shape coefficient changes, in order.
    public static let names = [
        "size", "palm_breadth", "palm_length", "thumb_length", "index_length",
        "middle_length", "ring_length", "pinky_length", "finger_thickness", "palm_thickness",
    ]

    static func perturbed(_ base: HandProportions, direction k: Int, by t: Double) -> HandProportions {
        var p = base
        switch k {
        case 0:
            let s = 1 + 0.05 * t
            p.handLength *= s; p.palmBreadth *= s; p.palmThickness *= s; p.digitThicknessScale *= s
        case 1: p.palmBreadth += 0.0045 * t
        case 2: p.palmLengthScale += 0.05 * t
        case 3...7: p.digitLengthScale[k - 3] += 0.05 * t
        case 8: p.digitThicknessScale += 0.07 * t
        default: p.palmThickness += 0.0025 * t
        }
        return p
    }

    /// Vertex and joint directions, point i direction k at i * 10 + k.
    static func directions(base: HandProportions, template: TemplateBuilder.Generated) -> (vertices: [SIMD3<Double>], joints: [SIMD3<Double>]) {
        let step = 0.5
        let count = HandParameters.shapeCount
        var vertices: [SIMD3<Double>] = []
        var joints: [SIMD3<Double>] = []
        for k in 0..<count {
            let plus = TemplateBuilder.generate(perturbed(base, direction: k, by: step), following: template)
            let minus = TemplateBuilder.generate(perturbed(base, direction: k, by: -step), following: template)
            if vertices.isEmpty {
                vertices = .init(repeating: .zero, count: plus.vertices.count * count)
                joints = .init(repeating: .zero, count: ManoJoint.count * count)
            }
            for i in 0..<plus.vertices.count { vertices[i * count + k] = (plus.vertices[i] - minus.vertices[i]) / (2 * step) }
            for j in 0..<ManoJoint.count { joints[j * count + k] = (plus.joints[j] - minus.joints[j]) / (2 * step) }
        }
        return (vertices, joints)
    }
}
