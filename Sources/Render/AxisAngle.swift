import Foundation
import HandModel

/// Axis-angle ↔ rotation matrix for the synthetic animation, which composes wrist turns as matrices and
/// hands the hand model axis-angle vectors.
public enum AxisAngle {
    /// Rodrigues' formula: R = I + sin θ K + (1 − cos θ) K², K the cross-product matrix of the unit axis.
    public static func matrix(_ w: SIMD3<Double>) -> Mat3 {
        let theta = (w * w).sum().squareRoot()
        if theta < 1e-12 { return .identity }
        let k = Mat3.skew(w / theta)
        let k2 = k * k
        return Mat3.identity + sin(theta) * k + (1 - cos(theta)) * k2
    }

    /// The axis-angle vector of a rotation matrix, angle in [0, π].
    public static func vector(_ r: Mat3) -> SIMD3<Double> {
        let trace = r.at(0, 0) + r.at(1, 1) + r.at(2, 2)
        let cosTheta = min(max((trace - 1) / 2, -1), 1)
        let theta = acos(cosTheta)
        let axisTimesSin = SIMD3(r.at(2, 1) - r.at(1, 2), r.at(0, 2) - r.at(2, 0), r.at(1, 0) - r.at(0, 1)) / 2
        if theta < 1e-9 { return axisTimesSin }
        if theta < .pi - 1e-4 { return axisTimesSin * (theta / sin(theta)) }
        // Near π the antisymmetric part vanishes; take the axis from the symmetric part's largest diagonal.
        let d = SIMD3(r.at(0, 0), r.at(1, 1), r.at(2, 2))
        let i = d.x >= d.y && d.x >= d.z ? 0 : (d.y >= d.z ? 1 : 2)
        var axis = SIMD3<Double>.zero
        axis[i] = ((d[i] - cosTheta) / (1 - cosTheta)).squareRoot()
        for j in 0..<3 where j != i { axis[j] = (r.at(i, j) + r.at(j, i)) / (2 * (1 - cosTheta) * axis[i]) }
        if (axis * axisTimesSin).sum() < 0 { axis = -axis }
        return axis * theta
    }
}
