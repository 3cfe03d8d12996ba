import Video

/// Shades what a `Rasterizer` drew and blends it over an RGB picture: per pixel, the face's vertex
/// normals interpolated with the stored perspective-correct barycentrics, lit by a `Lighting`.
/// Only the rasterizer's written rectangle is visited.
public enum MeshCompositor {
    /// - Parameters:
    ///   - faces: the faces drawn, indexed by the rasterizer's face ids (draw with `firstFaceID: 0`).
    ///   - normals: unit vertex normals for those faces (`VertexNormals.compute`).
    ///   - occlusion: optional per-pixel ambient-occlusion factors (rasterizer size, 1 = open).
    ///   - opacity: 1 paints the mesh; less lets the video show through.
    public static func composite(_ r: Rasterizer, faces: [SIMD3<Int32>], normals: [SIMD3<Float>], camera: RenderCamera,
                                 lighting: Lighting, material: SkinMaterial, occlusion: [Float]? = nil, opacity: Float = 1,
                                 into image: PixelBuffer) {
        precondition(image.width == r.width && image.height == r.height,
                     "MeshCompositor: image \(image.width)x\(image.height) differs from the rasterizer's \(r.width)x\(r.height)")
        let region = r.written.intersection(r.bounds)
        if region.isEmpty { return }
        let w = r.width, rowBytes = image.rowBytes
        let alpha = min(max(opacity, 0), 1)
        let ifx = 1 / camera.fx, ify = 1 / camera.fy
        let shiny = material.specular > 0
        let noOcclusion: [Float] = []
        let occ = occlusion ?? noOcclusion
        let hasOcclusion = occlusion != nil && occ.count >= w * r.height
        image.withUnsafeMutableBytes { raw in
            let px = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            r.faceID.withUnsafeBufferPointer { fid in
                r.barycentric.withUnsafeBufferPointer { bc in
                    normals.withUnsafeBufferPointer { nv in
                        faces.withUnsafeBufferPointer { fv in
                            occ.withUnsafeBufferPointer { ao in
                                for y in region.minY..<region.maxY {
                                    let rayY = (Float(y) + 0.5 - camera.cy) * ify
                                    let row = px + y * rowBytes
                                    for x in region.minX..<region.maxX {
                                        let k = y &* w &+ x
                                        let id = Int(fid[k])
                                        if id < 0 || id >= fv.count { continue }
                                        let f = fv[id], l = bc[k]
                                        var n = (1 - l.x - l.y) * nv[Int(f.x)] + l.x * nv[Int(f.y)] + l.y * nv[Int(f.z)]
                                        n *= 1 / max((n * n).sum().squareRoot(), 1e-12)
                                        var eye = -SIMD3<Float>((Float(x) + 0.5 - camera.cx) * ifx, rayY, 1)
                                        // Without a highlight only the eye direction's side matters (two-sided shading).
                                        if shiny { eye *= 1 / (eye * eye).sum().squareRoot() }
                                        let c = lighting.shade(normal: n, toEye: eye, material: material,
                                                               occlusion: hasOcclusion ? ao[k] : 1)
                                        let p = row + 3 &* x
                                        let dst = SIMD3<Float>(Float(p[0]), Float(p[1]), Float(p[2]))
                                        // Clamped to 0…255 first, so the conversions below cannot trap.
                                        let src = pointwiseMax(pointwiseMin(c, SIMD3(repeating: 1)), .zero) * 255
                                        let out = dst + alpha * (src - dst) + 0.5
                                        p[0] = UInt8(truncatingIfNeeded: Int32(out.x))
                                        p[1] = UInt8(truncatingIfNeeded: Int32(out.y))
                                        p[2] = UInt8(truncatingIfNeeded: Int32(out.z))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Gouraud variant for overlays: lights each vertex once (camera-space `vertices`, unit `normals`), then
    /// interpolates the colours across faces. On a hand mesh's small triangles it looks the same as per-pixel
    /// lighting at a third of the cost per pixel, which is what keeps a 720p overlay within its budget.
    /// `colors` is scratch space, resized only when the vertex count changes.
    public static func compositeGouraud(_ r: Rasterizer, faces: [SIMD3<Int32>], vertices: [SIMD3<Float>], normals: [SIMD3<Float>],
                                        lighting: Lighting, material: SkinMaterial, opacity: Float = 1,
                                        colors: inout [SIMD3<Float>], into image: PixelBuffer) {
        precondition(image.width == r.width && image.height == r.height,
                     "MeshCompositor: image \(image.width)x\(image.height) differs from the rasterizer's \(r.width)x\(r.height)")
        precondition(vertices.count == normals.count, "MeshCompositor: \(vertices.count) vertices but \(normals.count) normals")
        let region = r.written.intersection(r.bounds)
        if region.isEmpty { return }
        if colors.count != vertices.count { colors = [SIMD3<Float>](repeating: .zero, count: vertices.count) }
        for i in 0..<vertices.count {
            let p = vertices[i]
            let l = (p * p).sum().squareRoot()
            let eye = l > 0 ? -p / l : SIMD3<Float>(0, 0, -1)
            colors[i] = pointwiseMax(pointwiseMin(lighting.shade(normal: normals[i], toEye: eye, material: material),
                                                  SIMD3(repeating: 1)), .zero) * 255
        }
        let w = r.width, rowBytes = image.rowBytes
        let alpha = min(max(opacity, 0), 1)
        image.withUnsafeMutableBytes { raw in
            let px = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            r.faceID.withUnsafeBufferPointer { fid in
                r.barycentric.withUnsafeBufferPointer { bc in
                    colors.withUnsafeBufferPointer { cv in
                        faces.withUnsafeBufferPointer { fv in
                            for y in region.minY..<region.maxY {
                                let row = px + y * rowBytes
                                for x in region.minX..<region.maxX {
                                    let k = y &* w &+ x
                                    let id = Int(fid[k])
                                    if id < 0 || id >= fv.count { continue }
                                    let f = fv[id], l = bc[k]
                                    let c = (1 - l.x - l.y) * cv[Int(f.x)] + l.x * cv[Int(f.y)] + l.y * cv[Int(f.z)]
                                    let p = row + 3 &* x
                                    let dst = SIMD3<Float>(Float(p[0]), Float(p[1]), Float(p[2]))
                                    let out = pointwiseMin(pointwiseMax(dst + alpha * (c - dst) + 0.5, .zero), SIMD3(repeating: 255))
                                    p[0] = UInt8(truncatingIfNeeded: Int32(out.x))
                                    p[1] = UInt8(truncatingIfNeeded: Int32(out.y))
                                    p[2] = UInt8(truncatingIfNeeded: Int32(out.z))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
