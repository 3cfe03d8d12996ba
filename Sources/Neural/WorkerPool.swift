import COpenBLAS
import Foundation

/// The extra threads of one interpreter: started at init, parked on a semaphore between jobs, so
/// spreading an operator over them allocates nothing (DispatchQueue.concurrentPerform wraps each
/// call's closure in a block) and wakes a known set of threads.
final class WorkerPool {
    /// What the caller and the workers share. The threads hold this, not the pool, so the pool's
    /// deinit can stop them.
    private final class Shared: @unchecked Sendable {
        let wake: [DispatchSemaphore]
        let finished = DispatchSemaphore(value: 0)
        let exited = DispatchSemaphore(value: 0)
        // Written by the caller only while every worker is parked, read by workers only between
        // their `wake` and `finished` signals: the semaphores order every access.
        var job: ((Int, Int) -> Void)?
        var tasks = 0
        var workers = 0
        var stopping = false

        init(workers: Int) { wake = (0..<workers).map { _ in DispatchSemaphore(value: 0) } }

        func work(_ worker: Int) {
            // Our own thread: set once, as for the caller in Interpreter.invoke.
            _ = handmesh_flush_denormals()
            while true {
                wake[worker - 1].wait()
                if stopping { break }
                do {
                    let body = job!
                    let start = worker * tasks / workers, end = (worker + 1) * tasks / workers
                    for task in start..<end { body(task, worker) }
                }
                finished.signal()
            }
            exited.signal()
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
        for semaphore in shared.wake { semaphore.signal() }
        for _ in 0..<extraThreads { shared.exited.wait() }
    }

    /// Runs `body(task, worker)` for every task, split into contiguous runs over up to
    /// `extraThreads + 1` workers; the caller is worker 0. Returns when all tasks are done.
    func run(_ count: Int, _ body: (Int, Int) -> Void) {
        let used = min(extraThreads + 1, count)
        if used <= 1 {
            for task in 0..<count { body(task, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            shared.job = body
            shared.tasks = count
            shared.workers = used
            for worker in 1..<used { shared.wake[worker - 1].signal() }
            for task in 0..<count / used { body(task, 0) }
            for _ in 1..<used { shared.finished.wait() }
            shared.job = nil
        }
    }
}
