/// Wavefront OBJ text of a mesh (metres, 1-based indices), for looking at a posed hand in any viewer.
public enum OBJ {
    public static func text(vertices: [SIMD3<Double>], faces: [SIMD3<Int32>], comment: String? = nil) -> String {
        var s = ""
        s.reserveCapacity(vertices.count * 40 + faces.count * 20)
        if let comment { s += "# \(comment)\n" }
        for v in vertices { s += "v \(v.x) \(v.y) \(v.z)\n" }
        for f in faces { s += "f \(f.x + 1) \(f.y + 1) \(f.z + 1)\n" }
        return s
    }
}
