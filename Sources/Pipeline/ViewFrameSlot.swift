import Foundation
import HandModel
import Records
import Render
import Video

/// The latest frame for a live view, and its fitted hands: the pipeline puts each frame in, a reader
/// takes the newest out when it is ready for one. The pipeline never waits for the reader: while the
/// reader copies a frame out, frames that arrive are skipped, and a frame the reader never took is
/// replaced by the next one. Buffers are kept from frame to frame (a new size reallocates them once).
public final class ViewFrameSlot: @unchecked Sendable {
    /// A fitted hand as the view draws it.
    public struct Hand: Sendable {
        public var side: HandSide = .right
        public var parameters = HandParameters()
        /// The track's bone lengths, which the record's joints and mesh carry (`BoneLengths`).
        public var boneFactors = [Double](repeating: 1, count: BoneLengths.count)
    }

    /// What a reader takes out: reuse one across calls so nothing is allocated while sizes hold.
    public final class Contents: @unchecked Sendable {
        public internal(set) var sequence = 0
        public internal(set) var index = 0
        public internal(set) var captureTime = 0.0
        public internal(set) var camera = RenderCamera(width: 2, height: 2)
        public internal(set) var pixels = PixelBuffer(width: 2, height: 2)
        public internal(set) var hands: [Hand] = []
        public internal(set) var handCount = 0
        public internal(set) var stream = ""

        public init() {}

        /// Copies `other` into this one; only a new picture size or more hands than before allocate.
        func copy(from other: Contents) {
            sequence = other.sequence
            index = other.index
            captureTime = other.captureTime
            camera = other.camera
            stream = other.stream
            if pixels.width != other.pixels.width || pixels.height != other.pixels.height {
                pixels = PixelBuffer(width: other.pixels.width, height: other.pixels.height)
            }
            other.pixels.withUnsafeBytes { from in
                pixels.withUnsafeMutableBytes { to in to.copyMemory(from: from) }
            }
            while hands.count < other.handCount { hands.append(Hand()) }
            // Value by value: assigning the structs would share their arrays, and the slot's next
            // write would then copy them.
            for i in 0..<other.handCount {
                let from = other.hands[i].parameters
                hands[i].side = other.hands[i].side
                hands[i].parameters.globalOrient = from.globalOrient
                hands[i].parameters.transl = from.transl
                for k in 0..<45 { hands[i].parameters.pose[k] = from.pose[k] }
                for k in 0..<10 { hands[i].parameters.shape[k] = from.shape[k] }
                for k in 0..<BoneLengths.count { hands[i].boneFactors[k] = other.hands[i].boneFactors[k] }
            }
            handCount = other.handCount
        }
    }

    private let lock = NSLock()
    private let latest = Contents()
    private let ready = DispatchSemaphore(value: 0)

    public init() {}

    /// The pipeline's side: the frame's picture and hands, unless the reader holds the slot (then
    /// this frame is skipped rather than waited for).
    func put(_ work: FrameWork, camera: RenderCamera) {
        guard lock.try() else { return }
        let frame = work.frame
        if latest.pixels.width != frame.width || latest.pixels.height != frame.height {
            latest.pixels = PixelBuffer(width: frame.width, height: frame.height)
        }
        frame.pixels.withUnsafeBytes { from in
            latest.pixels.withUnsafeMutableBytes { to in to.copyMemory(from: from) }
        }
        latest.sequence += 1
        latest.index = frame.index
        latest.captureTime = frame.captureTime
        latest.camera = camera
        if latest.stream != work.context.stream { latest.stream = work.context.stream }
        var n = 0
        for hand in work.hands {
            guard let f = hand.fit else { continue }
            if n == latest.hands.count { latest.hands.append(Hand()) }
            latest.hands[n].side = f.handedness == .left ? .left : .right
            latest.hands[n].parameters.globalOrient = SIMD3<Double>(f.globalOrient)
            for i in 0..<45 { latest.hands[n].parameters.pose[i] = Double(f.pose[i]) }
            for i in 0..<10 { latest.hands[n].parameters.shape[i] = Double(f.shape[i]) }
            latest.hands[n].parameters.transl = SIMD3<Double>(f.transl)
            for k in 0..<BoneLengths.count { latest.hands[n].boneFactors[k] = Double(f.boneFactors[k]) }
            n += 1
        }
        latest.handCount = n
        lock.unlock()
        ready.signal()
    }

    /// The reader's side: waits up to `timeout` seconds for a frame newer than `into`'s and copies
    /// it there; false when none came.
    public func take(into contents: Contents, timeout: Double) -> Bool {
        let deadline = DispatchTime.now() + timeout
        while true {
            lock.lock()
            if latest.sequence != contents.sequence {
                contents.copy(from: latest)
                lock.unlock()
                return true
            }
            lock.unlock()
            if ready.wait(timeout: deadline) == .timedOut { return false }
        }
    }
}
