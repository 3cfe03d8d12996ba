import Foundation
import Video

/// A minimal PNG encoder (ISO/IEC 15948, RFC 2083) for snapshots and test pictures: 8-bit RGB or grey,
/// filter 0 on every row, and a zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4). Stored
/// blocks need no compressor, so the file is about as large as the raw pixels, and every PNG reader accepts it.
public enum PNGWriter {
    public enum Layout: Sendable {
        case rgb
        case grey
        var colourType: UInt8 { self == .rgb ? 2 : 0 }
        var channels: Int { self == .rgb ? 3 : 1 }
    }

    /// PNG bytes of an RGB picture.
    public static func encode(_ image: PixelBuffer) -> [UInt8] {
        image.withUnsafeBytes { raw in
            encode(width: image.width, height: image.height, layout: .rgb, rowBytes: image.rowBytes,
                   pixels: raw.bindMemory(to: UInt8.self))
        }
    }

    /// PNG bytes of a grey picture: `pixels` is `height` rows of `width` bytes.
    public static func encodeGrey(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(pixels.count >= width * height, "PNGWriter: \(pixels.count) grey bytes for \(width)x\(height)")
        return pixels.withUnsafeBufferPointer { encode(width: width, height: height, layout: .grey, rowBytes: width, pixels: $0) }
    }

    public static func write(_ image: PixelBuffer, to path: String) throws {
        try write(bytes: encode(image), to: path)
    }

    public static func writeGrey(width: Int, height: Int, pixels: [UInt8], to path: String) throws {
        try write(bytes: encodeGrey(width: width, height: height, pixels: pixels), to: path)
    }

    static func write(bytes: [UInt8], to path: String) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw RenderError("cannot write PNG \(path): \(error.localizedDescription)")
        }
    }

    static func encode(width: Int, height: Int, layout: Layout, rowBytes: Int, pixels: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        precondition(width > 0 && height > 0, "PNGWriter: size \(width)x\(height) must be positive")
        let line = width * layout.channels
        // The filtered image: a filter-type byte (0, none) before each row.
        var raw = [UInt8](repeating: 0, count: (line + 1) * height)
        for y in 0..<height {
            for i in 0..<line { raw[y * (line + 1) + 1 + i] = pixels[y * rowBytes + i] }
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, layout.colourType, 0, 0, 0]   // bit depth, colour type, deflate, filter set 0, no interlace
        appendChunk("IHDR", header, to: &out)
        appendChunk("IDAT", zlibStored(raw), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// A zlib stream holding `data` in stored (uncompressed) deflate blocks of at most 65,535 bytes.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var z: [UInt8] = [0x78, 0x01]   // deflate, 32 KiB window; 0x7801 is a multiple of 31 as RFC 1950 requires
        var offset = 0
        repeat {
            let n = min(65_535, data.count - offset)
            let final: UInt8 = offset + n == data.count ? 1 : 0
            z.append(final)                                    // BFINAL, BTYPE = 00 (stored)
            z += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            z += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        z.appendBigEndian(adler32(data))
        return z
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        out.appendBigEndian(UInt32(data.count))
        let body = Array(type.utf8) + data
        out += body
        out.appendBigEndian(crc32(body))
    }

    /// RFC 1950's checksum: two running sums modulo 65,521.
    public static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < data.count {
            // 5,552 bytes is the most that can be summed before b can overflow 32 bits (zlib's NMAX).
            let end = min(i + 5552, data.count)
            while i < end {
                a &+= UInt32(data[i])
                b &+= a
                i += 1
            }
            a %= 65_521
            b %= 65_521
        }
        return b << 16 | a
    }

    /// The CRC-32 of ISO 3309 / ITU-T V.42 (reflected polynomial 0xEDB88320) that PNG chunks carry.
    public static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data {
            c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8)
        }
        return c ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}

extension Array where Element == UInt8 {
    fileprivate mutating func appendBigEndian(_ v: UInt32) {
        append(UInt8(v >> 24))
        append(UInt8((v >> 16) & 0xFF))
        append(UInt8((v >> 8) & 0xFF))
        append(UInt8(v & 0xFF))
    }
}
