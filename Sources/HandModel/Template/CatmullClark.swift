/// One step of Catmull–Clark subdivision of a closed quad mesh. The template is modelled as a coarse
/// cage; one step quadruples its faces and gives V' = V + E + F vertices, which is how the template
/// lands on exactly MANO's 778 vertices from a 194-quad cage.
enum CatmullClark {
    static func subdivide(points: [SIMD3<Double>], quads: [SIMD4<Int32>]) -> (points: [SIMD3<Double>], quads: [SIMD4<Int32>]) {
        let v = points.count, f = quads.count
        var edgeIndex: [SIMD2<Int32>: Int] = [:]
        var edgeEnds: [SIMD2<Int32>] = []
        var edgeFaces: [[Int]] = []
        for (n, q) in quads.enumerated() {
            for c in 0..<4 {
                let a = q[c], b = q[(c + 1) % 4]
                let key = SIMD2(min(a, b), max(a, b))
                if let e = edgeIndex[key] { edgeFaces[e].append(n) } else {
                    edgeIndex[key] = edgeEnds.count
                    edgeEnds.append(key)
                    edgeFaces.append([n])
                }
            }
        }
        let facePoints = quads.map { q in (points[Int(q.x)] + points[Int(q.y)] + points[Int(q.z)] + points[Int(q.w)]) / 4 }
        var out = [SIMD3<Double>](repeating: .zero, count: v + edgeEnds.count + f)
        var faceSum = [SIMD3<Double>](repeating: .zero, count: v), edgeSum = faceSum
        var valence = [Double](repeating: 0, count: v)
        for (n, q) in quads.enumerated() {
            for c in 0..<4 { faceSum[Int(q[c])] += facePoints[n] }
        }
        for (e, ends) in edgeEnds.enumerated() {
            let a = Int(ends.x), b = Int(ends.y)
            let mid = (points[a] + points[b]) / 2
            edgeSum[a] += mid; edgeSum[b] += mid
            valence[a] += 1; valence[b] += 1
            let faces = edgeFaces[e]
            out[v + e] = (points[a] + points[b] + facePoints[faces[0]] + facePoints[faces[faces.count - 1]]) / 4
        }
        for i in 0..<v {
            let n = valence[i]
            out[i] = (faceSum[i] / n + 2 * edgeSum[i] / n + (n - 3) * points[i]) / n
        }
        for n in 0..<f { out[v + edgeEnds.count + n] = facePoints[n] }
        var newQuads: [SIMD4<Int32>] = []
        newQuads.reserveCapacity(4 * f)
        func edge(_ a: Int32, _ b: Int32) -> Int32 { Int32(v + edgeIndex[SIMD2(min(a, b), max(a, b))]!) }
        for (n, q) in quads.enumerated() {
            let center = Int32(v + edgeEnds.count + n)
            for c in 0..<4 {
                let a = q[c], next = q[(c + 1) % 4], prev = q[(c + 3) % 4]
                newQuads.append(SIMD4(a, edge(a, next), center, edge(prev, a)))
            }
        }
        return (out, newQuads)
    }
}
