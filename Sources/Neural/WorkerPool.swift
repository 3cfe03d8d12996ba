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
///
/// The parts of an operator are claimed, not assigned. In `handmesh run` the pipeline's decoding
/// and fitting threads share the two cores with the networks, and the kernel often has the worker
/// off its core: with each thread's half fixed in advance, the caller finished its half and then
/// waited, spinning, for a worker that was not running. Now whichever thread is running takes the
/// next run of parts, in shrinking runs (half the remainder split between the threads), so a worker
/// that is away leaves the caller only the run it holds, and one that is there shares the work to
/// the end. Which thread computes a part never changes its values: each part writes its own
/// outputs, and scratch belongs to the thread.
final class WorkerPool {
    /// What the caller and the workers share. The threads hold this, not the pool, so the pool's
    /// deinit can stop them.
    private final class Shared: @unchecked Sendable {
        /// The job's generation (bits 32–62) and its next unclaimed part (bits 0–31), in one word so
        /// a claim is a compare-and-swap that fails when the job it was read for is over: a worker
        /// that wakes late can never run a part of the next job with the last job's values.
        let claim = Atomic<Int>(0)
        /// Parts of the current job finished.
        let finished = Atomic<Int>(0)
        /// Bit w - 1 set while worker w is parked (or about to park) on its semaphore.
        let parked = Atomic<Int>(0)
        /// The current job: its values, its function and its part count. Atomics rather than plain
        /// fields because a late worker may read them while the caller writes the next job's; the
        /// claim's compare-and-swap (all sequentially consistent) then throws what it read away.
        let job = Atomic<Int>(0)
        let task = Atomic<Int>(0)
        let tasks = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        let wake: [DispatchSemaphore]
        let exited = DispatchSemaphore(value: 0)
        /// Threads that take parts: the caller and the workers.
        let threads: Int

        init(workers: Int) {
            precondition(workers < Int.bitWidth, "WorkerPool: at most \(Int.bitWidth - 1) extra threads")
            wake = (0..<workers).map { _ in DispatchSemaphore(value: 0) }
            threads = workers + 1
        }

        static let partBits = 32
        static let partMask = (1 << partBits) - 1
        static let generationMask = (1 << 31) - 1

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
                while claim.load(ordering: .acquiring) >> Self.partBits == seen {
                    if spins < Self.spinsBeforeParking {
                        handmesh_cpu_relax()
                        spins += 1
                        continue
                    }
                    // Announce the park before the last look, so a caller that publishes after that
                    // look sees the flag and signals (a spare signal only costs one loop).
                    let bit = 1 << (worker - 1)
                    parked.bitwiseOr(bit, ordering: .sequentiallyConsistent)
                    if claim.load(ordering: .sequentiallyConsistent) >> Self.partBits == seen { wake[worker - 1].wait() }
                    parked.bitwiseAnd(~bit, ordering: .sequentiallyConsistent)
                    spins = 0
                }
                seen = claim.load(ordering: .sequentiallyConsistent) >> Self.partBits
                if stopping.load(ordering: .sequentiallyConsistent) { break }
                takeParts(generation: seen, worker: worker)
            }
            exited.signal()
        }

        /// Claims and runs runs of parts of job `generation` until none are left or the job is over.
        func takeParts(generation: Int, worker: Int) {
            let jobBits = job.load(ordering: .sequentiallyConsistent)
            let taskBits = task.load(ordering: .sequentiallyConsistent)
            let count = tasks.load(ordering: .sequentiallyConsistent)
            var current = claim.load(ordering: .sequentiallyConsistent)
            while current >> Self.partBits == generation {
                let next = current & Self.partMask
                guard next < count else { return }
                let run = max(1, (count - next) / (2 * threads))
                let (exchanged, original) = claim.compareExchange(expected: current, desired: current + run,
                                                                  ordering: .sequentiallyConsistent)
                guard exchanged else {
                    current = original
                    continue
                }
                // The claim succeeded on this generation, so the values read above are this job's.
                guard let job = UnsafeRawPointer(bitPattern: jobBits), let raw = UnsafeRawPointer(bitPattern: taskBits) else { return }
                let task = unsafeBitCast(raw, to: ParallelTask.self)
                for index in next..<next + run { task(job, index, worker) }
                finished.add(run, ordering: .releasing)
                current = claim.load(ordering: .sequentiallyConsistent)
            }
        }

        /// Hands out job `generation` to every worker and wakes the parked ones.
        func publish(generation: Int) {
            claim.store(generation << Self.partBits, ordering: .sequentiallyConsistent)
            let sleeping = parked.load(ordering: .sequentiallyConsistent)
            if sleeping != 0 {
                for index in wake.indices where sleeping & (1 << index) != 0 { wake[index].signal() }
            }
        }
    }

    /// Threads besides the caller's.
    let extraThreads: Int
    private let shared: Shared
    /// The last job's generation (the caller's own count; workers read it from `shared.claim`).
    private var generation = 0

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
        shared.stopping.store(true, ordering: .sequentiallyConsistent)
        shared.publish(generation: (generation + 1) & Shared.generationMask)
        for _ in 0..<extraThreads { shared.exited.wait() }
    }

    /// Runs `task(job, index, worker)` for every index in `0..<count` on the caller (worker 0) and
    /// whichever workers are running, each taking runs of indices as it comes. Returns when all are done.
    func run(_ count: Int, job: UnsafeRawPointer, _ task: ParallelTask) {
        if extraThreads == 0 || count <= 1 {
            for index in 0..<count { task(job, index, 0) }
            return
        }
        precondition(count <= Shared.partMask, "WorkerPool: too many parts")
        generation = (generation + 1) & Shared.generationMask
        shared.job.store(Int(bitPattern: job), ordering: .sequentiallyConsistent)
        shared.task.store(Int(bitPattern: unsafeBitCast(task, to: UnsafeRawPointer.self)), ordering: .sequentiallyConsistent)
        shared.tasks.store(count, ordering: .sequentiallyConsistent)
        shared.finished.store(0, ordering: .sequentiallyConsistent)
        shared.publish(generation: generation)
        shared.takeParts(generation: generation, worker: 0)
        // Every part is claimed; wait for the runs the workers still hold.
        var spins = 0
        while shared.finished.load(ordering: .acquiring) < count {
            spins += 1
            // A worker the kernel took off its core: give the core back rather than spin.
            if spins % 1024 == 0 { sched_yield() } else { handmesh_cpu_relax() }
        }
    }
}
