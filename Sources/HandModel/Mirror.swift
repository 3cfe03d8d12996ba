extension HandModelTensors {
    /// The mirror image (x → −x): a left hand from a right one, or back. See `Mirror`.
    public func mirrored() -> HandModelTensors { Mirror.mirrored(self) }

    /// The same hand with its rest template turned by `rotation` (a proper rotation, applied to
    /// every rest position and shape direction): the hand a model file in another frame would hold.
    public func rotated(_ rotation: (SIMD3<Double>) -> SIMD3<Double>) -> HandModelTensors {
        var t = self
        t.vTemplate = vTemplate.map(rotation)
        t.jointTemplate = jointTemplate.map(rotation)
        t.shapeDirs = shapeDirs.map(rotation)
        t.jointShapeDirs = jointShapeDirs.map(rotation)
        return t
    }

    /// The built-in right hand's arrays generated afresh (not the cached copy `HandModel.builtIn` uses).
    public static func generatedBuiltIn() -> HandModelTensors { TemplateBuilder.generateTensors() }
}

/// Left hands from right ones: mirror x → −x, as MANO_LEFT mirrors MANO_RIGHT.
enum Mirror {
    /// The mirror image of a model. Faces swap two corners so they still wind counter-clockwise seen
    /// from outside. A rotation R becomes M R M (M = diag(−1, 1, 1)), so each axis-angle becomes
    /// (ωx, −ωy, −ωz) and each entry (a, b) of R − I in MANO's pose feature changes sign by s_a s_b;
    /// pose-corrective offsets also flip their x component.
    static func mirrored(_ t: HandModelTensors) -> HandModelTensors {
        func flip(_ p: SIMD3<Double>) -> SIMD3<Double> { SIMD3(-p.x, p.y, p.z) }
        func flipPose(_ pose: [Double]) -> [Double] {
            pose.enumerated().map { $0.offset % 3 == 0 ? $0.element : -$0.element }
        }
        var m = t
        m.vTemplate = t.vTemplate.map(flip)
        m.jointTemplate = t.jointTemplate.map(flip)
        m.shapeDirs = t.shapeDirs.map(flip)
        m.jointShapeDirs = t.jointShapeDirs.map(flip)
        m.faces = t.faces.map { SIMD3($0.x, $0.z, $0.y) }
        m.handsMean = flipPose(t.handsMean)
        if let c = t.handsComponents {
            m.handsComponents = stride(from: 0, to: c.count, by: 45).flatMap { flipPose(Array(c[$0..<($0 + 45)])) }
        }
        if var pd = t.poseDirs {
            let sign: [Double] = [-1, 1, 1]
            for e in 0..<pd.count {
                let f = e % 135, axis = (e / 135) % 3
                let entry = f % 9
                pd[e] *= sign[axis] * sign[entry / 3] * sign[entry % 3]
            }
            m.poseDirs = pd
        }
        return m
    }
}
