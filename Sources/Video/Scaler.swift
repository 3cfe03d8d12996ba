import CFFmpeg

/// Converts decoded pictures of any pixel format to packed RGB24, downscaling to the size cap, straight into a
/// pooled `PixelBuffer`. The SwsContext is kept and reused until the input's size or format changes.
final class Scaler {
    private var context: OpaquePointer?
    private var source = (width: Int32(0), height: Int32(0), format: Int32(-1), fullRange: false)
    private var target = (width: 0, height: 0)

    deinit {
        sws_freeContext(context)
    }

    /// The output size for a `width`×`height` input under `maxDimension`, aspect kept, at least 1 pixel a side.
    static func outputSize(width: Int, height: Int, maxDimension: Int) -> (width: Int, height: Int) {
        let longest = max(width, height)
        guard maxDimension > 0, longest > maxDimension else { return (width, height) }
        let scale = Double(maxDimension) / Double(longest)
        return (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
    }

    /// Writes `frame` into `buffer`, which must have the size `outputSize` gave. Returns false when swscale refuses
    /// the picture (an unsupported pixel format).
    func convert(_ frame: UnsafeMutablePointer<AVFrame>, into buffer: PixelBuffer) -> Bool {
        let width = frame.pointee.width, height = frame.pointee.height, format = frame.pointee.format
        let fullRange = frame.pointee.color_range == AVCOL_RANGE_JPEG || Scaler.isFullRangeFormat(format)
        if context == nil || source != (width, height, format, fullRange) || target != (buffer.width, buffer.height) {
            // Area averaging when shrinking avoids aliasing at no cost that matters; bilinear otherwise is cheapest.
            let shrinking = buffer.width < Int(width) || buffer.height < Int(height)
            context = sws_getCachedContext(context, width, height, AVPixelFormat(rawValue: format),
                                           Int32(buffer.width), Int32(buffer.height), AV_PIX_FMT_RGB24,
                                           shrinking ? hm_sws_area() : hm_sws_bilinear(), nil, nil, nil)
            guard context != nil else { return false }
            // swscale assumes limited-range YUV unless told; JPEG-range cameras would come out washed out.
            let coefficients = sws_getCoefficients(hm_sws_cs_itu601())
            sws_setColorspaceDetails(context, coefficients, fullRange ? 1 : 0, coefficients, 1, 0, 1 << 16, 1 << 16)
            source = (width, height, format, fullRange)
            target = (buffer.width, buffer.height)
        }
        var destination: (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?) =
            (buffer.mutableBaseAddress, nil, nil, nil)
        var strides: (Int32, Int32, Int32, Int32) = (Int32(buffer.rowBytes), 0, 0, 0)
        let rows = withUnsafePointer(to: &frame.pointee.data) { planes in
            planes.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { planes in
                withUnsafePointer(to: &frame.pointee.linesize) { lines in
                    lines.withMemoryRebound(to: Int32.self, capacity: 8) { lines in
                        withUnsafePointer(to: &destination) { destination in
                            destination.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 4) { destination in
                                withUnsafePointer(to: &strides) { strides in
                                    strides.withMemoryRebound(to: Int32.self, capacity: 4) { strides in
                                        sws_scale(context, planes, lines, 0, height, destination, strides)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return rows > 0
    }

    private static func isFullRangeFormat(_ format: Int32) -> Bool {
        let value = AVPixelFormat(rawValue: format)
        return value == AV_PIX_FMT_YUVJ420P || value == AV_PIX_FMT_YUVJ422P || value == AV_PIX_FMT_YUVJ444P || value == AV_PIX_FMT_YUVJ440P
    }
}
