import Crop
import Foundation

/// The palm detector on a thread of its own, so that on a frame where the tracker both follows
/// hands and looks for new ones, the search runs beside the landmark network (on the other core)
/// instead of before it. The frame's result is the same as running the two in turn: association
/// needs the palms only after the tracked hands' landmarks, which do not depend on them.
///
/// The thread is started at init and parked on a semaphore between frames, so a search allocates
/// nothing (a Dispatch block per frame would).
final class PalmSearchThread {
    /// What the caller and the thread share. The thread holds this, not the owner, so the owner's
    /// deinit can stop it.
    private final class Shared: @unchecked Sendable {
        // Written by the caller only while the thread is parked, read and written by the thread
        // only between `wake` and `finished`: the semaphores order every access.
        let detector: PalmDetector
        var image: RGBImageView?
        var maxCount = 0
        var rois: [HandROI] = []
        var stopping = false
        let wake = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let exited = DispatchSemaphore(value: 0)

        init(detector: PalmDetector, capacity: Int) {
            self.detector = detector
            rois.reserveCapacity(capacity)
        }

        func loop() {
            while true {
                wake.wait()
                if stopping { break }
                detector.detect(image!, maxCount: maxCount, into: &rois)
                image = nil
                finished.signal()
            }
            exited.signal()
        }
    }

    private let shared: Shared
    private var running = false

    init(detector: PalmDetector, maxCount: Int) {
        shared = Shared(detector: detector, capacity: maxCount)
        let shared = shared
        let thread = Thread { shared.loop() }
        thread.name = "handmesh.palm-search"
        thread.start()
    }

    deinit {
        if running { shared.finished.wait() }
        shared.stopping = true
        shared.wake.signal()
        shared.exited.wait()
    }

    /// Starts a search of `image`, which must stay valid until `finish(into:)` returns.
    func start(_ image: RGBImageView, maxCount: Int) {
        precondition(!running, "PalmSearchThread: start while a search runs")
        shared.image = image
        shared.maxCount = maxCount
        running = true
        shared.wake.signal()
    }

    /// Waits for the search and copies its ROIs, best palm first, into `rois`.
    func finish(into rois: inout [HandROI]) {
        precondition(running, "PalmSearchThread: finish without a search")
        shared.finished.wait()
        running = false
        rois.removeAll(keepingCapacity: true)
        rois.append(contentsOf: shared.rois)
    }
}
