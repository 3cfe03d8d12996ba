// CONV_2D at int8 with im2col in bytes, for the landmark network's first layer (3x3/2 on RGB).
//
// Why: the fp32 way gathers every output pixel's patch as floats and then quantizes each patch row,
// so each input value is copied and quantized once per patch that holds it (2.25 times at 3x3/2):
// 12544 rows of 27 values gathered tap row by tap row, then quantized 27 at a time, in a stem of
// 331 µs. Here the input rows a block of output pixels reads are quantized once, as one run, and the
// patches are gathered from them as bytes, a kernel row (9 bytes) in one vector move: 192 µs.
//
// Same bits: quantizing is elementwise on the tensor's one grid (the rounding of handmesh_s8_gemm),
// and a patch's padding, 0.0, quantizes to the zero point, which is what the padding gets here. So
// the u8 rows are the bytes the fp32 path quantized, and the int32 sums, exact in any order, and the
// epilogue after them are the same.

#include "CKernels.h"
#include "QuantizedGEMM.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define S8_TARGET __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")))
#define S8_INLINE static inline __attribute__((always_inline)) S8_TARGET

/// Input rows a block of `block` output pixels can read: it touches at most block / outWidth + 2
/// output rows, and output rows a stride apart read windows of kernelHeight rows.
static long window_rows(const handmesh_s8_conv *c, long block) {
    const long outWidth = c->outWidth > 0 ? c->outWidth : 1;  // an empty output reads nothing
    const long rows = (block / outWidth + 1) * c->strideHeight + c->kernelHeight;
    return rows < c->height ? rows : c->height;
}

/// The scratch: a block of u8 patch rows, each row's grid (the GEMM's layout), then the quantized window.
typedef struct {
    uint8_t *patches;
    float *rowScale, *rowZero;
    uint8_t *window;
} Scratch;

/// Bytes past the patches and past the window that whole-vector moves may touch (`gather_patch`).
enum { SLACK = 16 };

static Scratch carve(void *scratch, long block, long depth) {
    Scratch s;
    s.patches = (uint8_t *)scratch;
    s.rowScale = (float *)(((uintptr_t)(s.patches + block * depth + SLACK) + 63) & ~(uintptr_t)63);
    s.rowZero = s.rowScale + block;
    s.window = (uint8_t *)(s.rowZero + block);
    return s;
}

size_t handmesh_s8_conv_scratch_bytes(const handmesh_s8_conv *c) {
    const long depth = handmesh_s8_depth(c->kernelHeight * c->kernelWidth * c->inChannels);
    const long block = handmesh_s8_block_rows(depth);
    return (size_t)(block * depth + SLACK + 64 + 2 * block * (long)sizeof(float)
                    + window_rows(c, block) * c->width * c->inChannels + SLACK);
}

/// count bytes from `from` to `to`, 16 at a time and the rest with one masked move (which reads and
/// writes nothing past count).
S8_INLINE void copy_bytes(uint8_t *to, const uint8_t *from, long count) {
    for (; count >= 16; count -= 16, to += 16, from += 16) _mm_storeu_si128((__m128i *)to, _mm_loadu_si128((const __m128i *)from));
    if (count > 0) {
        const __mmask16 mask = (__mmask16)((1u << count) - 1);
        _mm_mask_storeu_epi8(to, mask, _mm_maskz_loadu_epi8(mask, from));
    }
}

S8_INLINE void fill_bytes(uint8_t *to, uint8_t value, long count) {
    const __m128i v = _mm_set1_epi8((char)value);
    for (; count >= 16; count -= 16, to += 16) _mm_storeu_si128((__m128i *)to, v);
    if (count > 0) _mm_mask_storeu_epi8(to, (__mmask16)((1u << count) - 1), v);
}

/// The patch of output pixel (oy, ox) into `p` (depth bytes): kernel rows ascending, each row's
/// kernelWidth * inChannels values as NHWC lays them, the zero point where the kernel overhangs,
/// zeros from k to depth. `window` holds the quantized input rows from `top`.
///
/// A patch wholly inside the input with kernel rows of at most 16 bytes (the stem's 9) moves each
/// row as one whole vector: 16 bytes read where 9 are needed and 16 written, the excess overwritten
/// by the next row, the zeros to depth and the next patch (patches are gathered in ascending order),
/// or landing in the slack. With masked moves of the exact lengths the stem took 258 µs, not 192.
S8_INLINE void gather_patch(const handmesh_s8_conv *c, const uint8_t *window, long top, long oy, long ox,
                            uint8_t zero, long k, long depth, uint8_t *p) {
    const long cin = c->inChannels, width = c->width, span = c->kernelWidth * cin;
    const long iy0 = oy * c->strideHeight - c->padTop, ix0 = ox * c->strideWidth - c->padLeft;
    const int inside = ix0 >= 0 && ix0 + c->kernelWidth <= width;
    if (inside && span <= 16 && iy0 >= 0 && iy0 + c->kernelHeight <= c->height) {
        const uint8_t *source = window + ((iy0 - top) * width + ix0) * cin;
        for (long ky = 0; ky < c->kernelHeight; ky++) {
            _mm_storeu_si128((__m128i *)(p + ky * span), _mm_loadu_si128((const __m128i *)(source + ky * width * cin)));
        }
        fill_bytes(p + k, 0, depth - k);
        return;
    }
    uint8_t *row = p;
    for (long ky = 0; ky < c->kernelHeight; ky++, row += span) {
        const long iy = iy0 + ky;
        if (iy < 0 || iy >= c->height) {
            fill_bytes(row, zero, span);
            continue;
        }
        const uint8_t *source = window + (iy - top) * width * cin;
        if (inside) {
            copy_bytes(row, source + ix0 * cin, span);
            continue;
        }
        for (long kx = 0; kx < c->kernelWidth; kx++) {
            const long ix = ix0 + kx;
            if (ix < 0 || ix >= width) fill_bytes(row + kx * cin, zero, cin);
            else copy_bytes(row + kx * cin, source + ix * cin, cin);
        }
    }
    fill_bytes(p + k, 0, depth - k);
}

S8_TARGET
void handmesh_s8_conv_rows(const handmesh_s8_conv *c, long rowBegin, long rowEnd, const float *range, void *scratch) {
    const long k = c->kernelHeight * c->kernelWidth * c->inChannels, depth = handmesh_s8_depth(k);
    const long block = handmesh_s8_block_rows(depth), pixels = c->outHeight * c->outWidth;
    const long rowFloats = c->width * c->inChannels;
    const Scratch s = carve(scratch, block, depth);
    float scale, zero;
    handmesh_s8_grid(range[0], range[1], &scale, &zero);
    for (long r = 0; r < block; r++) {
        s.rowScale[r] = scale;
        s.rowZero[r] = zero;
    }
    // 0.0 on the grid: zero is a whole number in [0, 255] (or 0 for an unusable range).
    const uint8_t zeroByte = (uint8_t)zero;
    for (long start = rowBegin; start < rowEnd;) {
        // A block never crosses into the next image, so its window is one run of one image's rows.
        const long image = start / pixels, imageEnd = (image + 1) * pixels;
        long end = start + block < rowEnd ? start + block : rowEnd;
        if (end > imageEnd) end = imageEnd;
        const long firstOy = (start - image * pixels) / c->outWidth, lastOy = (end - 1 - image * pixels) / c->outWidth;
        long top = firstOy * c->strideHeight - c->padTop, bottom = lastOy * c->strideHeight - c->padTop + c->kernelHeight;
        if (top < 0) top = 0;
        if (bottom > c->height) bottom = c->height;
        if (bottom > top) {
            handmesh_s8_quantize(c->input + (image * c->height + top) * rowFloats, (bottom - top) * rowFloats, s.window, scale, zero);
        }
        for (long row = start; row < end; row++) {
            const long pixel = row - image * pixels;
            gather_patch(c, s.window, top, pixel / c->outWidth, pixel % c->outWidth, zeroByte, k, depth,
                         s.patches + (row - start) * depth);
        }
        const long panels = (c->outChannels + HANDMESH_S8_PANEL - 1) / HANDMESH_S8_PANEL;
        handmesh_s8_multiply_quantized(s.patches, end - start, depth, s.rowScale, s.rowZero, c->packed, c->scale, c->sum,
                                       c->bias, 0, panels, c->outChannels, c->output + start * c->outChannels,
                                       c->outChannels, c->low, c->high);
        start = end;
    }
}

#else

size_t handmesh_s8_conv_scratch_bytes(const handmesh_s8_conv *c) { (void)c; return 64; }
void handmesh_s8_conv_rows(const handmesh_s8_conv *c, long rowBegin, long rowEnd, const float *range, void *scratch) {
    // Never called: handmesh_s8_supported() is 0 here, and the engine keeps fp32.
    (void)c; (void)rowBegin; (void)rowEnd; (void)range; (void)scratch;
}

#endif
