// DEPTHWISE_CONV_2D with depth multiplier 1 over NHWC fp32, for `Neural.DepthwiseConvolution`.
//
// Why C, and why strips: the op was load-bound, not FMA-bound. A pixel-at-a-time loop loads an
// input and a weight vector for every FMA, and on the landmark network's 7x7 and 14x14 maps with
// 5x5 kernels nearly every pixel was a border pixel served that way; Zen 4 issues two FMAs but also
// only two 256-bit loads a cycle, so those ran at half the FMA rate. Here one pass computes a strip
// of S neighbouring output pixels of one row for eight channels: the S accumulators and the K
// weights of a kernel row stay in registers, and each input column the strip spans is loaded once
// and added into every accumulator it reaches (K + S + K - 1 loads for S * K FMAs at stride 1).
// Columns outside the image are skipped, which is the zero padding, so borders need no other path.
// K, S, the stride and the common border shapes are compile-time constants, so the taps unroll
// completely and the accumulators live in registers; always_inline C makes that dependable.
//
// The contract every path keeps, so that all of them, every strip width and every thread split give
// the same bits: an output is the bias, then one fused multiply-add per tap inside the image, kernel
// rows ascending and within a row the columns ascending, then the clamp as `Neural.Clamp.apply` does
// it on vectors (below low gives low, then above high gives high, NaN passes through).
//
// x86-64 builds assume AVX2 and FMA, as the Neural target's Swift code does (Package.swift compiles
// it for x86-64-v3); other builds take the scalar loop.

#include "CKernels.h"

#include <math.h>

/// Output pixels per strip: S accumulators + K weights + 1 input vector must fit the 16 ymm
/// registers with K = 5 (8 + 5 + 1 = 14), and 8 independent FMA chains cover the FMA latency
/// (4 cycles on Zen 4) times its two FMA pipes. 7 measured the same on the landmark shapes, 6 slower.
#define STRIP 8

/// The widest kernel the strips serve: 5x5, the largest in MediaPipe's hand networks.
#define WIDEST_KERNEL 5

#if defined(__x86_64__)
#include <immintrin.h>

#define DW_TARGET __attribute__((target("avx2,fma")))
#define DW_INLINE static inline __attribute__((always_inline)) DW_TARGET

DW_INLINE __m256 clampVector(__m256 x, __m256 low, __m256 high) {
    // Operand order matters: MAXPS/MINPS return the second operand on NaN and on equal zeros,
    // which is what Clamp.apply's compare-and-blend does with x.
    return _mm256_min_ps(high, _mm256_max_ps(low, x));
}

/// What a row's strips share, read once out of the op's struct: the stores into the output could
/// alias its float fields as far as the compiler knows, which would reload them for every strip.
typedef struct {
    const float *weights, *bias;
    long width, channels, padLeft;
    __m256 low, high;
} Row;

/// One strip: output pixels ox .. ox + S - 1 of one row, channels ch .. ch + 7; kernel rows
/// ky0 ..< ky1 land inside the image, starting from input row iy0 + ky0. Of the columns the strip
/// spans, the first L and the last R lie outside the image (compile-time counts, so the unrolled taps
/// carry no tests), or with EDGE set any of them may, and each is tested.
DW_INLINE void strip(const Row *r, const float *plane, long iy0, long ky0, long ky1, float *out, long ox, long ch,
                     const int K, const int S, const int STRIDE, const int EDGE, const int L, const int R) {
    const long c = r->channels, width = r->width;
    const long ix0 = ox * STRIDE - r->padLeft;
    // Sized for the largest S and K and used up to S and K: arrays sized by the parameters would be
    // VLAs to the compiler, kept in memory even once inlining makes S and K constants.
    __m256 acc[STRIP];
#pragma clang loop unroll(full)
    for (int j = 0; j < S; j++) acc[j] = _mm256_loadu_ps(r->bias + ch);
    const float *xrow = plane + ((iy0 + ky0) * width + ix0) * c + ch;
    const float *wrow = r->weights + ky0 * K * c + ch;
    // Bit t: column t of the strip's span lies inside the image (EDGE strips only).
    unsigned inside = 0;
    if (EDGE) {
        for (int t = 0; t < STRIDE * (S - 1) + K; t++) inside |= (unsigned)(ix0 + t >= 0 && ix0 + t < width) << t;
    }
    for (long ky = ky0; ky < ky1; ky++, xrow += width * c, wrow += K * c) {
        // Keeps each column's test a test-and-branch on one register: the compiler would otherwise
        // hoist the (loop-invariant) tests out of the row loop as a dozen flags spilled to the stack,
        // a load each, which is what this kernel is saving.
        if (EDGE) __asm__("" : "+r"(inside));
        __m256 weight[WIDEST_KERNEL];
#pragma clang loop unroll(full)
        for (int kx = 0; kx < K; kx++) weight[kx] = _mm256_loadu_ps(wrow + kx * c);
        // Column t of the strip's span feeds pixel j through tap t - STRIDE * j; ascending t is
        // ascending kx for every pixel, the order the contract fixes.
#pragma clang loop unroll(full)
        for (int t = 0; t < STRIDE * (S - 1) + K; t++) {
            if (t < L || t >= STRIDE * (S - 1) + K - R || (EDGE && !(inside & (1u << t)))) continue;
            const __m256 x = _mm256_loadu_ps(xrow + t * c);
#pragma clang loop unroll(full)
            for (int j = 0; j < S; j++) {
                const int kx = t - STRIDE * j;
                if (kx >= 0 && kx < K) acc[j] = _mm256_fmadd_ps(x, weight[kx], acc[j]);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int j = 0; j < S; j++) _mm256_storeu_ps(out + (ox + j) * c + ch, clampVector(acc[j], r->low, r->high));
}

/// All channel blocks of one strip of S pixels. The borders of SAME padding get their own unrolled
/// copies: padLeft columns off the left end, and off the right end what SAME leaves there for an
/// image as wide as the stride's multiple (K / 2 at stride 1; (K - 2) / 2 and the rest of K - 2 at
/// stride 2, e.g. 56 -> 28 at 5x5). Those are every border strip of the landmark networks, where the
/// 7x7 and 14x14 maps are all border; the tested path serves the rest, and strips under 4 pixels
/// (maps under 4 wide), to keep the code small.
DW_INLINE void stripBlocks(const Row *r, const float *plane, long iy0, long ky0, long ky1, float *out, long ox,
                           long blocks, const int K, const int S, const int STRIDE) {
    const int T = STRIDE * (S - 1) + K;
    const long ix0 = ox * STRIDE - r->padLeft;
    const long lo = ix0 < 0 ? -ix0 : 0, rs = ix0 + T > r->width ? ix0 + T - r->width : 0;
    // Columns off the left and the right end on the borders of SAME padding (see above).
    const int PL = STRIDE == 1 ? (K - 1) / 2 : (K - 2) / 2, PR = STRIDE == 1 ? K - 1 - PL : K - 2 - PL;
#define BLOCKS(E, LL, RR) for (long b = 0; b < blocks; b++) strip(r, plane, iy0, ky0, ky1, out, ox, b * 8, K, S, STRIDE, E, LL, RR)
    if (lo == 0 && rs == 0) BLOCKS(0, 0, 0);
    else if (S >= 4 && lo == PL && rs == 0) BLOCKS(0, PL, 0);
    else if (S >= 4 && lo == 0 && rs == PR) BLOCKS(0, 0, PR);
    else if (S >= 4 && lo == PL && rs == PR && PL + PR < T) BLOCKS(0, PL, PR);
    else BLOCKS(1, 0, 0);
#undef BLOCKS
}

/// One output row, channels [0, blocks * 8), for kernel width K and column stride STRIDE. The row is
/// cut into strips as even as possible (widths W / n rounded up or down, n = ceil(W / STRIP)), so
/// that a row of 14 runs as 7 + 7 rather than 8 + 6: fewer accumulators than 7 leave the FMA pipes
/// waiting on latency.
DW_INLINE void rowStrips(const handmesh_depthwise *d, const float *plane, long iy0, long ky0, long ky1,
                         float *out, long blocks, const int K, const int STRIDE) {
    const Row r = {d->weights, d->bias, d->width, d->channels, d->padLeft, _mm256_set1_ps(d->low), _mm256_set1_ps(d->high)};
    const long outWidth = d->outWidth, strips = (outWidth + STRIP - 1) / STRIP;
    long ox = 0;
    for (long s = 1; s <= strips; s++) {
        const long next = s * outWidth / strips;
        switch (next - ox) {
        case 8: stripBlocks(&r, plane, iy0, ky0, ky1, out, ox, blocks, K, 8, STRIDE); break;
        case 7: stripBlocks(&r, plane, iy0, ky0, ky1, out, ox, blocks, K, 7, STRIDE); break;
        case 6: stripBlocks(&r, plane, iy0, ky0, ky1, out, ox, blocks, K, 6, STRIDE); break;
        case 5: stripBlocks(&r, plane, iy0, ky0, ky1, out, ox, blocks, K, 5, STRIDE); break;
        case 4: stripBlocks(&r, plane, iy0, ky0, ky1, out, ox, blocks, K, 4, STRIDE); break;
        case 3: stripBlocks(&r, plane, iy0, ky0, ky1, out, ox, blocks, K, 3, STRIDE); break;
        case 2: stripBlocks(&r, plane, iy0, ky0, ky1, out, ox, blocks, K, 2, STRIDE); break;
        default: stripBlocks(&r, plane, iy0, ky0, ky1, out, ox, blocks, K, 1, STRIDE); break;
        }
        ox = next;
    }
}

#define ROW_STRIPS(NAME, K, STRIDE)                                                                     \
    static DW_TARGET __attribute__((noinline)) void NAME(const handmesh_depthwise *d, const float *plane,  \
                                                         long iy0, long ky0, long ky1, float *out, long blocks) { \
        rowStrips(d, plane, iy0, ky0, ky1, out, blocks, K, STRIDE);                                     \
    }
ROW_STRIPS(rowStrips3x1, 3, 1)
ROW_STRIPS(rowStrips3x2, 3, 2)
ROW_STRIPS(rowStrips5x1, 5, 1)
ROW_STRIPS(rowStrips5x2, 5, 2)

/// Any kernel width and stride, eight channels at a time (the last block masked when the channels
/// are not a multiple of 8): one pixel at a time, only its taps inside the image.
static DW_TARGET void pixelsVector(const handmesh_depthwise *d, const float *plane, long iy0, long ky0, long ky1,
                                   float *out, long ch0) {
    const long c = d->channels, kw = d->kernelWidth, width = d->width;
    const __m256 low = _mm256_set1_ps(d->low), high = _mm256_set1_ps(d->high);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (long ox = 0; ox < d->outWidth; ox++) {
        const long ix0 = ox * d->strideWidth - d->padLeft;
        const long kx0 = ix0 < 0 ? -ix0 : 0, kx1 = kw < width - ix0 ? kw : width - ix0;
        for (long ch = ch0; ch < c; ch += 8) {
            // Lanes past the last channel are neither read nor written (VMASKMOV does not fault there).
            const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(c - ch)), lanes);
            __m256 acc = _mm256_maskload_ps(d->bias + ch, mask);
            for (long ky = ky0; ky < ky1; ky++) {
                const float *xrow = plane + ((iy0 + ky) * width + ix0) * c + ch;
                const float *wrow = d->weights + ky * kw * c + ch;
                for (long kx = kx0; kx < kx1; kx++) {
                    acc = _mm256_fmadd_ps(_mm256_maskload_ps(xrow + kx * c, mask), _mm256_maskload_ps(wrow + kx * c, mask), acc);
                }
            }
            _mm256_maskstore_ps(out + ox * c + ch, mask, clampVector(acc, low, high));
        }
    }
}
#else
/// Clamp.apply's vector semantics on one float: below low gives low, then above high gives high; NaN stays.
static inline float clampScalar(float x, float low, float high) {
    float raised = x < low ? low : x;
    return raised > high ? high : raised;
}

/// Every shape, one output pixel and one channel at a time (non-x86 builds).
static void pixelsScalar(const handmesh_depthwise *d, const float *plane, long iy0, long ky0, long ky1,
                         float *out, long ox0, long ox1, long ch0) {
    const long c = d->channels, kw = d->kernelWidth;
    for (long ox = ox0; ox < ox1; ox++) {
        const long ix0 = ox * d->strideWidth - d->padLeft;
        const long kx0 = ix0 < 0 ? -ix0 : 0, kx1 = kw < d->width - ix0 ? kw : d->width - ix0;
        for (long ch = ch0; ch < c; ch++) {
            float acc = d->bias[ch];
            for (long ky = ky0; ky < ky1; ky++) {
                for (long kx = kx0; kx < kx1; kx++) {
                    acc = fmaf(plane[((iy0 + ky) * d->width + ix0 + kx) * c + ch], d->weights[(ky * kw + kx) * c + ch], acc);
                }
            }
            out[ox * c + ch] = clampScalar(acc, d->low, d->high);
        }
    }
}
#endif

void handmesh_depthwise_rows(const handmesh_depthwise *d, long rowBegin, long rowEnd) {
    const long c = d->channels;
    for (long row = rowBegin; row < rowEnd; row++) {
        const long image = row / d->outHeight, oy = row % d->outHeight;
        const long iy0 = oy * d->strideHeight - d->padTop;
        // Kernel rows inside the image: [ky0, ky1).
        const long ky0 = iy0 < 0 ? -iy0 : 0;
        long ky1 = d->kernelHeight < d->height - iy0 ? d->kernelHeight : d->height - iy0;
        if (ky1 < ky0) ky1 = ky0;
        const float *plane = d->input + image * d->height * d->width * c;
        float *out = d->output + row * d->outWidth * c;
#if defined(__x86_64__)
        const long blocks = c / 8;
        void (*strips)(const handmesh_depthwise *, const float *, long, long, long, float *, long) = 0;
        if (d->kernelWidth == 3 && d->strideWidth == 1) strips = rowStrips3x1;
        else if (d->kernelWidth == 3 && d->strideWidth == 2) strips = rowStrips3x2;
        else if (d->kernelWidth == 5 && d->strideWidth == 1) strips = rowStrips5x1;
        else if (d->kernelWidth == 5 && d->strideWidth == 2) strips = rowStrips5x2;
        if (strips && blocks > 0) {
            strips(d, plane, iy0, ky0, ky1, out, blocks);
            if (blocks * 8 < c) pixelsVector(d, plane, iy0, ky0, ky1, out, blocks * 8);
        } else {
            pixelsVector(d, plane, iy0, ky0, ky1, out, 0);
        }
#else
        pixelsScalar(d, plane, iy0, ky0, ky1, out, 0, d->outWidth, 0);
#endif
    }
}
