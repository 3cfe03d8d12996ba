/// Consecutive frames dropped at the entrance, reported as one `dropped` record when the run ends.
struct DropRun {
    var first: Int
    var last: Int
    var count: Int

    init(index: Int) {
        first = index
        last = index
        count = 1
    }

    mutating func extend(_ index: Int) {
        last = index
        count += 1
    }
}
