import COpenBLAS
import Foundation
import Synchronization

/// The extra threads of one interpreter: started at init, so spreading an operator over them
/// allocates nothing (DispatchQueue.concurrentPerform wraps each call's closure in a block) and
/// wakes a known set of threads.
///
/// A network is a chain of about a hundred operators, each split over the threads and joined
/// before the next. Parking a worker on a semaphore between operators cost a wake-up of tens of
/// microseconds each time, so two threads ran landmark-full int8 slower than one (4.53 against
/// 4.19 ms). Workers now spin on a generation counter for a while after each job, where the next
/// operator finds them at once, and park on their semaphore only when none comes (between frames):
/// 2.53 ms on two threads.
final class WorkerPool {
    /// What the caller and the workers share. The threads hold this, not the pool, so the pool's
    /// deinit can stop them.
    private final class Shared: @unchecked Sendable {
        /// Bumped by the caller to hand out a job; workers run each generation once.
        let generation = Atomic<Int>(0)
        /// Workers done with the current generation.
        let finished = Atomic<Int>(0)
        /// Bit w - 1 set while worker w is parked (or about to park) on its semaphore.
        let parked = Atomic<Int>(0)
        let wake: [DispatchSemaphore]
        let exited = DispatchSemaphore(value: 0)
        // Written by the caller before it bumps `generation` (releasing) and read by workers after
        // they see the bump (acquiring); the caller waits for `finished` before writing again.
        var job: UnsafeRawPointer?
        var task: ParallelTask?
        var tasks = 0
        var workers = 0
        var stopping = false

        init(workers: Int) {
            precondition(workers < Int.bitWidth, "WorkerPool: at most \(Int.bitWidth - 1) extra threads")
            wake = (0..<workers).map { _ in DispatchSemaphore(value: 0) }
        }

        /// Rounds of the CPU's pause hint a worker spins before it parks: enough to bridge the gap
        /// between two operators, short enough to leave the core to the pipeline's other threads
        /// between frames. landmark-full int8 on 2 threads: 2.53 ms at 512, 2.88 at 64; the real
        /// clip at max_hands 1 with `threads = 2` ran 6.9 s at 512 and 8.7 s at 4096 (more spinning,
        /// less core for decoding and fitting).
        static let spinsBeforeParking = 512

        func work(_ worker: Int) {
            // Our own thread: set once, as for the caller in Interpreter.invoke.
            _ = handmesh_flush_denormals()
            var seen = 0
            while true {
                var spins = 0
                while generation.load(ordering: .acquiring) == seen {
                    if spins < Self.spinsBeforeParking {
                        handmesh_cpu_relax()
                        spins += 1
                        continue
                    }
                    // Announce the park before the last look, so a caller that bumps the generation
                    // after that look sees the flag and signals (a spare signal only costs one loop).
                    let bit = 1 << (worker - 1)
                    parked.bitwiseOr(bit, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen { wake[worker - 1].wait() }
                    parked.bitwiseAnd(~bit, ordering: .sequentiallyConsistent)
                    spins = 0
                }
                seen = generation.load(ordering: .acquiring)
                if stopping { break }
                if worker < workers, let job, let task {
                    let start = worker * tasks / workers, end = (worker + 1) * tasks / workers
                    for index in start..<end { task(job, index, worker) }
                }
                finished.add(1, ordering: .releasing)
            }
            exited.signal()
        }

        /// Hands the current job to every worker and wakes the parked ones.
        func publish() {
            generation.add(1, ordering: .sequentiallyConsistent)
            let sleeping = parked.load(ordering: .sequentiallyConsistent)
            if sleeping != 0 {
                for index in wake.indices where sleeping & (1 << index) != 0 { wake[index].signal() }
            }
        }
    }

    /// Threads besides the caller's.
    let extraThreads: Int
    private let shared: Shared

    init(threads: Int) {
        extraThreads = max(0, threads - 1)
        shared = Shared(workers: extraThreads)
        for index in 0..<extraThreads {
            let shared = shared
            let thread = Thread { shared.work(index + 1) }
            thread.name = "handmesh.neural.\(index + 1)"
            thread.start()
        }
    }

    deinit {
        shared.stopping = true
        shared.publish()
        for _ in 0..<extraThreads { shared.exited.wait() }
    }

    /// Runs `task(job, index, worker)` for every index in `0..<count`, split into contiguous runs
    /// over up to `extraThreads + 1` workers; the caller is worker 0. Returns when all are done.
    func run(_ count: Int, job: UnsafeRawPointer, _ task: ParallelTask) {
        let used = min(extraThreads + 1, count)
        if used <= 1 {
            for index in 0..<count { task(job, index, 0) }
            return
        }
        shared.job = job
        shared.task = task
        shared.tasks = count
        shared.workers = used
        shared.finished.store(0, ordering: .relaxed)
        // Every worker sees each generation (those beyond `used` only report back), so the
        // generation count stays the same for all of them.
        shared.publish()
        for index in 0..<count / used { task(job, index, 0) }
        var spins = 0
        while shared.finished.load(ordering: .acquiring) < extraThreads {
            spins += 1
            // A worker the kernel took off its core: give the core back rather than spin.
            if spins % 1024 == 0 { sched_yield() } else { handmesh_cpu_relax() }
        }
        shared.job = nil
        shared.task = nil
    }
}
