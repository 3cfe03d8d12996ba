/// Places every activation tensor in one arena, reusing space between tensors whose lifetimes do
/// not overlap. A tensor lives from the step that writes it to the last step that reads it; an
/// input and an output of the same step always overlap, so no kernel ever runs in place.
struct MemoryPlan {
    struct Interval {
        var size: Int
        var first: Int
        var last: Int
    }

    /// Offset of each interval in the arena, in floats (multiples of 16, so 64-byte aligned).
    let offsets: [Int]
    /// Arena size in floats.
    let size: Int

    static let alignment = 16

    /// Floats a tensor takes: its size rounded up to the alignment.
    static func footprint(_ size: Int) -> Int {
        (size + alignment - 1) / alignment * alignment
    }

    /// Greedy by size, largest first: each tensor takes the lowest offset where it fits between the
    /// tensors already placed that are alive at the same time.
    init(_ intervals: [Interval]) {
        var offsets = [Int](repeating: 0, count: intervals.count)
        var placed = [Int]()
        var size = 0
        let order = intervals.indices.sorted { intervals[$0].size != intervals[$1].size ? intervals[$0].size > intervals[$1].size : $0 < $1 }
        for i in order {
            let me = intervals[i]
            let need = Self.footprint(me.size)
            let conflicts = placed
                .filter { intervals[$0].first <= me.last && me.first <= intervals[$0].last }
                .sorted { offsets[$0] < offsets[$1] }
            var offset = 0
            for j in conflicts {
                if offset + need <= offsets[j] { break }
                let end = offsets[j] + Self.footprint(intervals[j].size)
                offset = max(offset, end)
            }
            offsets[i] = offset
            size = max(size, offset + need)
            placed.append(i)
        }
        self.offsets = offsets
        self.size = size
    }
}
