/// Area-weighted vertex normals of a triangle mesh: each face adds its unnormalized cross product to its
/// three vertices, so large faces count more and the result is smooth across the mesh (what Lambert
/// shading needs to hide the facets).
public enum VertexNormals {
    /// Writes unit normals into `normals` (resized only when its count differs). Winding sets the
    /// direction; shading is two-sided, so an inward-wound mesh still shades correctly.
    public static func compute(vertices: [SIMD3<Float>], faces: [SIMD3<Int32>], into normals: inout [SIMD3<Float>]) {
        if normals.count != vertices.count { normals = Array(repeating: .zero, count: vertices.count) }
        normals.withUnsafeMutableBufferPointer { n in
            for i in 0..<n.count { n[i] = .zero }
            vertices.withUnsafeBufferPointer { v in
                for f in faces {
                    let a = Int(f.x), b = Int(f.y), c = Int(f.z)
                    guard a >= 0, b >= 0, c >= 0, a < v.count, b < v.count, c < v.count else { continue }
                    let e1 = v[b] - v[a], e2 = v[c] - v[a]
                    let cr = SIMD3(e1.y * e2.z - e1.z * e2.y, e1.z * e2.x - e1.x * e2.z, e1.x * e2.y - e1.y * e2.x)
                    n[a] += cr
                    n[b] += cr
                    n[c] += cr
                }
            }
            for i in 0..<n.count {
                let l2 = (n[i] * n[i]).sum()
                n[i] = l2 > 0 ? n[i] / l2.squareRoot() : SIMD3(0, 0, -1)
            }
        }
    }
}
