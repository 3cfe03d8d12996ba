import Foundation

/// A skin's colour and shine. Albedos are sRGB fractions of measured-looking skin tones (light to dark),
/// chosen by eye; the synthetic-hand notes found MediaPipe detects every one of several tones (93–99%).
public struct SkinMaterial: Sendable, Equatable {
    public var albedo: SIMD3<Float>
    /// Strength of the Blinn–Phong highlight and its exponent.
    public var specular: Float
    public var shininess: Float

    public init(albedo: SIMD3<Float>, specular: Float = 0.08, shininess: Float = 24) {
        self.albedo = albedo
        self.specular = specular
        self.shininess = shininess
    }

    public static let tones: [SkinMaterial] = [
        SkinMaterial(albedo: SIMD3(0.93, 0.76, 0.66)),   // light
        SkinMaterial(albedo: SIMD3(0.84, 0.64, 0.51)),   // medium light
        SkinMaterial(albedo: SIMD3(0.72, 0.52, 0.38)),   // medium
        SkinMaterial(albedo: SIMD3(0.52, 0.36, 0.26)),   // tan / brown
        SkinMaterial(albedo: SIMD3(0.36, 0.24, 0.18)),   // dark
    ]
    /// The overlay's tone: a light skin that reads well over video.
    public static let overlay = SkinMaterial(albedo: SIMD3(0.92, 0.72, 0.60), specular: 0, shininess: 1)
}

/// Lights in camera space (x right, y down, z forward); directions point from the surface toward the light.
///
/// The synthetic-hand notes measured what MediaPipe needs to see a rendered hand: a wrap-around diffuse
/// key, a fill from the other side and a little specular beat plain Lambert (95.8% vs 89.9% detected).
/// Wrap lighting, `(n·l + w) / (1 + w)`, lets the key reach past the terminator as skin's subsurface
/// scattering does, so the hand is never cut in half by a hard shadow line.
public struct Lighting: Sendable, Equatable {
    public var keyDirection: SIMD3<Float>
    public var keyIntensity: Float
    /// 0 is plain Lambert; 0.5 wraps the key halfway around the dark side.
    public var wrap: Float
    public var fillDirection: SIMD3<Float>
    public var fillIntensity: Float
    public var ambient: Float

    public init(keyDirection: SIMD3<Float>, keyIntensity: Float, wrap: Float,
                fillDirection: SIMD3<Float>, fillIntensity: Float, ambient: Float) {
        func unit(_ v: SIMD3<Float>) -> SIMD3<Float> { v / max((v * v).sum().squareRoot(), 1e-12) }
        self.keyDirection = unit(keyDirection)
        self.keyIntensity = keyIntensity
        self.wrap = wrap
        self.fillDirection = unit(fillDirection)
        self.fillIntensity = fillIntensity
        self.ambient = ambient
    }

    /// Synthetic clips: key from the upper left in front, fill from the right, soft ambient.
    public static let studio = Lighting(keyDirection: SIMD3(-0.45, -0.6, -0.65), keyIntensity: 0.8, wrap: 0.5,
                                        fillDirection: SIMD3(0.7, 0.2, -0.6), fillIntensity: 0.3, ambient: 0.22)
    /// Overlays: Lambert plus ambient from a light near the camera, so every visible part reads.
    public static let overlay = Lighting(keyDirection: SIMD3(-0.2, -0.3, -1), keyIntensity: 0.75, wrap: 0,
                                         fillDirection: SIMD3(0, 0, -1), fillIntensity: 0, ambient: 0.3)

    /// Linear colour (0…1 per channel, may exceed 1 at highlights) of a surface with unit normal `n`
    /// seen along unit direction `toEye`, times `occlusion` for the diffuse and ambient parts.
    @inlinable
    public func shade(normal n0: SIMD3<Float>, toEye v: SIMD3<Float>, material m: SkinMaterial, occlusion: Float = 1) -> SIMD3<Float> {
        // Two-sided: a face seen from behind (an open wrist, a mirrored mesh's winding) shades as its front.
        let n = (n0 * v).sum() < 0 ? -n0 : n0
        let key = max(0, ((n * keyDirection).sum() + wrap) / (1 + wrap))
        let fill = max(0, (n * fillDirection).sum())
        let diffuse = (ambient + keyIntensity * key + fillIntensity * fill) * occlusion
        var c = m.albedo * diffuse
        if m.specular > 0 {
            let h = keyDirection + v
            let hl = (h * h).sum().squareRoot()
            let nh = hl > 0 ? max(0, (n * h).sum() / hl) : 0
            c += m.specular * keyIntensity * powf(nh, m.shininess) * occlusion
        }
        return c
    }
}
