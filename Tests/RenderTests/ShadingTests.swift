import XCTest
import Render
import Video

final class ShadingTests: XCTestCase {
    private func renderSphere(flipWinding: Bool, lighting: Lighting, material: SkinMaterial) -> PixelBuffer {
        var s = TestMeshes.icosphere(subdivisions: 3)
        if flipWinding { s.faces = s.faces.map { SIMD3($0.x, $0.z, $0.y) } }
        let camera = RenderCamera(fx: 300, fy: 300, cx: 60, cy: 60)
        let v = s.vertices.map { $0 * 0.05 + SIMD3(0, 0, 0.5) }
        var normals: [SIMD3<Float>] = [], screen: [SIMD3<Float>] = []
        VertexNormals.compute(vertices: v, faces: s.faces, into: &normals)
        camera.projectToScreen(v, into: &screen)
        var r = Rasterizer(width: 120, height: 120)
        r.draw(screen: screen, faces: s.faces)
        let image = PixelBuffer(width: 120, height: 120)
        MeshCompositor.composite(r, faces: s.faces, normals: normals, camera: camera, lighting: lighting, material: material, into: image)
        return image
    }

    func testLambertPlusAmbientOnASphere() {
        let m = SkinMaterial(albedo: SIMD3(0.8, 0.6, 0.5), specular: 0, shininess: 1)
        let headlight = Lighting(keyDirection: SIMD3(0, 0, -1), keyIntensity: 0.7, wrap: 0,
                                 fillDirection: SIMD3(1, 0, 0), fillIntensity: 0, ambient: 0.2)
        let image = renderSphere(flipWinding: false, lighting: headlight, material: m)
        // Facing the light head-on the centre gets albedo × (ambient + key), up to the flat facets' normal error.
        let c = image.pixel(x: 60, y: 60)
        XCTAssertEqual(Double(c.r), 255 * 0.8 * 0.9, accuracy: 3)
        XCTAssertEqual(Double(c.g), 255 * 0.6 * 0.9, accuracy: 3)
        XCTAssertEqual(Double(c.b), 255 * 0.5 * 0.9, accuracy: 3)
        // Brightness falls toward the rim (n·l = cos of the angle from the view axis) but never below ambient.
        var previous = 256
        let rimDistance: Double = (0.5 * 0.5 - 0.05 * 0.05).squareRoot()
        let rimRadius = Int(300 * 0.05 / rimDistance)
        for dx in stride(from: 0, to: rimRadius - 1, by: 3) {
            let r = Int(image.pixel(x: 60 + dx, y: 60).r)
            XCTAssertLessThanOrEqual(r, previous + 1, "brightness at \(dx) px from the centre")
            XCTAssertGreaterThanOrEqual(Double(r), 255 * 0.8 * 0.2 - 2)
            previous = r
        }
        XCTAssertLessThan(previous, Int(c.r) - 60, "the rim should be much darker than the centre")
        // Outside the sphere the picture is untouched (black).
        XCTAssertEqual(image.pixel(x: 2, y: 2).r, 0)
    }

    func testShadingIsTwoSided() {
        let m = SkinMaterial.tones[2]
        let a = renderSphere(flipWinding: false, lighting: .studio, material: m)
        let b = renderSphere(flipWinding: true, lighting: .studio, material: m)
        var maxDiff = 0
        for y in 0..<120 {
            for x in 0..<120 {
                let p = a.pixel(x: x, y: y), q = b.pixel(x: x, y: y)
                maxDiff = max(maxDiff, abs(Int(p.r) - Int(q.r)), abs(Int(p.g) - Int(q.g)), abs(Int(p.b) - Int(q.b)))
            }
        }
        XCTAssertLessThanOrEqual(maxDiff, 1, "winding must not change the shading")
    }

    func testWrapLightingReachesPastTheTerminator() {
        // A normal at 100° from the key: plain Lambert gives only ambient, wrap lighting still some key.
        let plain = Lighting(keyDirection: SIMD3(0, 0, -1), keyIntensity: 1, wrap: 0, fillDirection: SIMD3(1, 0, 0), fillIntensity: 0, ambient: 0.1)
        var wrapped = plain
        wrapped.wrap = 0.5
        let angle = Float(100) * .pi / 180
        let n = SIMD3<Float>(sinf(angle), 0, -cosf(angle))
        let m = SkinMaterial(albedo: SIMD3(repeating: 1), specular: 0, shininess: 1)
        let eye = SIMD3<Float>(0.5, 0, -0.5) / Float(0.5).squareRoot()
        XCTAssertEqual(plain.shade(normal: n, toEye: eye, material: m).x, 0.1, accuracy: 1e-5)
        XCTAssertEqual(wrapped.shade(normal: n, toEye: eye, material: m).x, 0.1 + (cosf(angle) + 0.5) / 1.5, accuracy: 1e-5)
    }
}
