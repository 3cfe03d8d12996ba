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
        image.withUnsafeMutableBytes { raw in
            let px = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            r.faceID.withUnsafeBufferPointer { fid in
                r.barycentric.withUnsafeBufferPointer { bc in
                    normals.withUnsafeBufferPointer { nv in
                        faces.withUnsafeBufferPointer { fv in
                            for y in region.minY..<region.maxY {
                                let rayY = (Float(y) + 0.5 - camera.cy) * ify
                                for x in region.minX..<region.maxX {
                                    let k = y * w + x
                                    let id = Int(fid[k])
                                    if id < 0 || id >= fv.count { continue }
                                    let f = fv[id], l = bc[k]
                                    var n = (1 - l.x - l.y) * nv[Int(f.x)] + l.x * nv[Int(f.y)] + l.y * nv[Int(f.z)]
                                    n /= max((n * n).sum().squareRoot(), 1e-12)
                                    var eye = -SIMD3<Float>((Float(x) + 0.5 - camera.cx) * ifx, rayY, 1)
                                    eye /= (eye * eye).sum().squareRoot()
                                    let ao = occlusion?[k] ?? 1
                                    let c = lighting.shade(normal: n, toEye: eye, material: material, occlusion: ao)
                                    let p = px + y * rowBytes + 3 * x
                                    let dst = SIMD3<Float>(Float(p[0]), Float(p[1]), Float(p[2]))
                                    let out = dst + alpha * (pointwiseMin(c, SIMD3(repeating: 1)) * 255 - dst)
                                    p[0] = UInt8(out.x + 0.5)
                                    p[1] = UInt8(out.y + 0.5)
                                    p[2] = UInt8(out.z + 0.5)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
