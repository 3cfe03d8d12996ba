import Render

/// Small meshes built in the tests: independent of the hand model, with known geometry.
enum TestMeshes {
    /// A unit-radius icosphere centred at the origin, `subdivisions` times split, outward winding.
    static func icosphere(subdivisions: Int) -> (vertices: [SIMD3<Float>], faces: [SIMD3<Int32>]) {
        let t = (1 + Float(5).squareRoot()) / 2
        var v: [SIMD3<Float>] = [
            [-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0], [0, -1, t], [0, 1, t],
            [0, -1, -t], [0, 1, -t], [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1],
        ].map { normalize($0) }
        var f: [SIMD3<Int32>] = [
            [0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2],
            [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5],
            [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1],
        ]
        for _ in 0..<subdivisions {
            var mid: [Int64: Int32] = [:]
            func m(_ a: Int32, _ b: Int32) -> Int32 {
                let key = Int64(min(a, b)) << 32 | Int64(max(a, b))
                if let i = mid[key] { return i }
                v.append(normalize((v[Int(a)] + v[Int(b)]) / 2))
                mid[key] = Int32(v.count - 1)
                return Int32(v.count - 1)
            }
            var nf: [SIMD3<Int32>] = []
            for tri in f {
                let a = m(tri.x, tri.y), b = m(tri.y, tri.z), c = m(tri.z, tri.x)
                nf += [[tri.x, a, c], [tri.y, b, a], [tri.z, c, b], [a, b, c]]
            }
            f = nf
        }
        return (v, f)
    }

    /// An axis-aligned cube of half-size `h` centred at the origin (12 triangles).
    static func cube(halfSize h: Float) -> (vertices: [SIMD3<Float>], faces: [SIMD3<Int32>]) {
        var v: [SIMD3<Float>] = []
        for i in 0..<8 { v.append(SIMD3(i & 1 == 0 ? -h : h, i & 2 == 0 ? -h : h, i & 4 == 0 ? -h : h)) }
        let f: [SIMD3<Int32>] = [
            [0, 2, 1], [1, 2, 3], [4, 5, 6], [5, 7, 6], [0, 1, 4], [1, 5, 4],
            [2, 6, 3], [3, 6, 7], [0, 4, 2], [2, 4, 6], [1, 3, 5], [3, 7, 5],
        ]
        return (v, f)
    }

    static func normalize(_ p: SIMD3<Float>) -> SIMD3<Float> { p / (p * p).sum().squareRoot() }

    /// A rotation matrix's action: rotate by angles about x, then y, then z.
    static func rotate(_ p: SIMD3<Float>, _ a: SIMD3<Float>) -> SIMD3<Float> {
        var q = p
        q = SIMD3(q.x, cosf(a.x) * q.y - sinf(a.x) * q.z, sinf(a.x) * q.y + cosf(a.x) * q.z)
        q = SIMD3(cosf(a.y) * q.x + sinf(a.y) * q.z, q.y, -sinf(a.y) * q.x + cosf(a.y) * q.z)
        q = SIMD3(cosf(a.z) * q.x - sinf(a.z) * q.y, sinf(a.z) * q.x + cosf(a.z) * q.y, q.z)
        return q
    }
}

/// A deterministic generator for test inputs (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
