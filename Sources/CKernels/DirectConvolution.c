// CONV_2D over NHWC fp32 with few input channels (the networks' first layer, on RGB), for
// `Neural.Convolution`'s `.direct` backend.
//
// Why not im2col + GEMM: with 3 input channels a patch is only 27 (3x3) or 75 (5x5) floats, so
// gathering it costs about as much as multiplying it by 24 or 32 output channels, and the GEMM
// then streams the patches back through memory. Here the taps are read straight from the input: a
// strip of P neighbouring output pixels of one row and V vectors of 8 output channels keeps its
// P x V accumulators in registers, and each tap is V weight loads, P broadcasts of input values and
// P x V FMAs, FMA-bound like the GEMM's tile, with no patch ever written. On Zen 4, one thread:
// the landmark stem (224x224x3 to 24, 3x3/2) runs in 175 us against 450 for im2col + PackedGEMM and
// 335 for im2col + the int8 GEMM (its 1.0M FMAs need 140 us at two 8-wide FMAs a cycle, 3.65 GHz);
// palm detection's (192x192x3 to 32, 5x5/2) in 445 us against 635 and 410.
//
// The contract, which is the order `Neural.PackedGEMM` sums an im2col row in, so that swapping this
// kernel in leaves fp32 outputs bit-identical: an output is the bias, then fmaf(x, w, acc) for every
// tap k = (ky * kernelWidth + kx) * inChannels + ci in ascending order, x being the input there or
// +0 where the tap overhangs it (im2col's padding zeros: still an FMA, which matters only for -0,
// infinities and NaN), then the clamp as `Neural.Clamp.apply` does it on vectors (below low gives
// low, then above high gives high, NaN passes through).
//
// x86-64 builds assume AVX2 and FMA, as the Neural target's Swift code does (Package.swift compiles
// it for x86-64-v3); other builds take the scalar loop.

#include "CKernels.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define DC_TARGET __attribute__((target("avx2,fma")))
#define DC_INLINE static inline __attribute__((always_inline)) DC_TARGET

/// Output-channel vectors per pass at most, and output pixels per strip for each count: P x V
/// accumulators + V weights + 1 broadcast fit the 16 ymm registers (8 + 1 + 1, 12 + 2 + 1,
/// 12 + 3 + 1). Four vectors (32 channels, palm detection) run as two passes of two.
#define MOST_VECTORS 3
#define MOST_PIXELS 8

DC_INLINE __m256 clampVector(__m256 x, __m256 low, __m256 high) {
    // Operand order matters: MAXPS/MINPS return the second operand on NaN and on equal zeros,
    // which is what Clamp.apply's compare-and-blend does with x.
    return _mm256_min_ps(high, _mm256_max_ps(low, x));
}

/// What a pass over one row's pixels for one run of output-channel vectors reads, out of the op's
/// struct once: stores into the output could alias its fields as far as the compiler knows.
typedef struct {
    /// At the pass's first channel: weights of tap k at weights + k * ldw, the bias, the output.
    const float *weights, *bias;
    float *out;
    long ldw, outChannels;
    long height, width, inChannels, kernelHeight, kernelWidth, strideWidth, padLeft;
    __m256 low, high;
    /// Lanes of the pass's last vector that are real channels, when it is a partial one.
    __m256i mask;
    int masked;
} Pass;

DC_INLINE void store(const Pass *p, float *out, __m256 acc, int v, const int V) {
    const __m256 y = clampVector(acc, p->low, p->high);
    if (v == V - 1 && p->masked) _mm256_maskstore_ps(out + 8 * v, p->mask, y);
    else _mm256_storeu_ps(out + 8 * v, y);
}

/// What a tap outside the input reads: im2col's padding value.
static const float zeroTap = 0;

/// Output pixels ox ..< ox + P of the row whose kernel starts at input row iy0, all of whose taps
/// lie inside the input's columns. Kernel rows above or below the input are FMAs with +0.
DC_INLINE void strip(const Pass *p, const float *plane, long iy0, long ox, const int V, const int P) {
    const long span = p->kernelWidth * p->inChannels, step = p->strideWidth * p->inChannels, ldw = p->ldw;
    // Sized for the largest P and V and used up to P and V: arrays sized by the parameters would be
    // VLAs to the compiler, kept in memory even once inlining makes them constants.
    __m256 acc[MOST_PIXELS][MOST_VECTORS];
#pragma clang loop unroll(full)
    for (int j = 0; j < P; j++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++) acc[j][v] = _mm256_loadu_ps(p->bias + 8 * v);
    }
    const float *w = p->weights;
    for (long ky = 0; ky < p->kernelHeight; ky++) {
        const long iy = iy0 + ky;
        // A kernel row's KW x Cin taps are contiguous in NHWC, in the contract's order. A row above or
        // below the input reads +0 for every tap and pixel: the same loop with both steps 0. A zero
        // register instead leaves the loop one register short, spilling accumulators; the empty asm
        // hides where x points, so that the compiler cannot split the loop and fold the zero back in.
        const int outside = iy < 0 || iy >= p->height;
        const float *x = outside ? &zeroTap : plane + (iy * p->width + ox * p->strideWidth - p->padLeft) * p->inChannels;
        long tapStep = outside ? 0 : 1, pixelStep = outside ? 0 : step;
        __asm__("" : "+r"(x), "+r"(tapStep), "+r"(pixelStep));
        for (long t = 0; t < span; t++, x += tapStep, w += ldw) {
            __m256 weight[MOST_VECTORS];
#pragma clang loop unroll(full)
            for (int v = 0; v < V; v++) weight[v] = _mm256_loadu_ps(w + 8 * v);
#pragma clang loop unroll(full)
            for (int j = 0; j < P; j++) {
                const __m256 value = _mm256_broadcast_ss(x + j * pixelStep);
#pragma clang loop unroll(full)
                for (int v = 0; v < V; v++) acc[j][v] = _mm256_fmadd_ps(value, weight[v], acc[j][v]);
                // At 12 accumulators and 3 weights one register is left for the broadcast, and LLVM
                // hoisted the next pixel's broadcast above these FMAs, spilling an accumulator in the
                // loop. The asm reads this pixel's sums and clobbers memory, so the next load waits
                // for them. (Strips of 3 pixels do not spill either, but ran the landmark stem in 190 us.)
                if (V == 3) __asm__("" : "+x"(acc[j][0]), "+x"(acc[j][1]), "+x"(acc[j][2]) :: "memory");
            }
        }
    }
#pragma clang loop unroll(full)
    for (int j = 0; j < P; j++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++) store(p, p->out + (ox + j) * p->outChannels, acc[j][v], v, V);
    }
}

/// One output pixel whose taps may overhang the input on any side: each tap tested, +0 outside.
DC_INLINE void pixel(const Pass *p, const float *plane, long iy0, long ox, const int V) {
    const long cin = p->inChannels, ldw = p->ldw, ix0 = ox * p->strideWidth - p->padLeft;
    __m256 acc[MOST_VECTORS];
#pragma clang loop unroll(full)
    for (int v = 0; v < V; v++) acc[v] = _mm256_loadu_ps(p->bias + 8 * v);
    const float *w = p->weights;
    for (long ky = 0; ky < p->kernelHeight; ky++) {
        const long iy = iy0 + ky;
        for (long kx = 0; kx < p->kernelWidth; kx++) {
            const long ix = ix0 + kx;
            const int inside = iy >= 0 && iy < p->height && ix >= 0 && ix < p->width;
            for (long ci = 0; ci < cin; ci++, w += ldw) {
                const __m256 value = _mm256_broadcast_ss(inside ? plane + (iy * p->width + ix) * cin + ci : &zeroTap);
#pragma clang loop unroll(full)
                for (int v = 0; v < V; v++) acc[v] = _mm256_fmadd_ps(value, _mm256_loadu_ps(w + 8 * v), acc[v]);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int v = 0; v < V; v++) store(p, p->out + ox * p->outChannels, acc[v], v, V);
}

/// One pass over a row: the columns whose taps all lie inside the input in strips of P (the last
/// strip moved left to end on the last of them, redoing a few pixels: the same arithmetic gives the
/// same bits), the columns where the kernel overhangs the left or right edge pixel by pixel.
DC_INLINE void pass(const Pass *p, const float *plane, long iy0, long outWidth, const int V, const int P) {
    const long stride = p->strideWidth;
    // Columns [first, last) have ix0 >= 0 and ix0 + KW <= W.
    long first = (p->padLeft + stride - 1) / stride, last = 0;
    if (p->width - p->kernelWidth + p->padLeft >= 0) last = (p->width - p->kernelWidth + p->padLeft) / stride + 1;
    if (first > outWidth) first = outWidth;
    if (last > outWidth) last = outWidth;
    if (last < first) last = first;
    long ox = 0;
    for (; ox < first; ox++) pixel(p, plane, iy0, ox, V);
    if (last - first >= P) {
        for (; ox + P <= last; ox += P) strip(p, plane, iy0, ox, V, P);
        if (ox < last) strip(p, plane, iy0, last - P, V, P);
        ox = last;
    }
    for (; ox < outWidth; ox++) pixel(p, plane, iy0, ox, V);
}

#define PASS(NAME, V, P)                                                                                 \
    static DC_TARGET __attribute__((noinline)) void NAME(const Pass *p, const float *plane, long iy0, long outWidth) { \
        pass(p, plane, iy0, outWidth, V, P);                                                             \
    }
PASS(pass1, 1, 8)
PASS(pass2, 2, 6)
PASS(pass3, 3, 4)

DC_TARGET void handmesh_direct_conv_rows(const handmesh_direct_conv *c, long rowBegin, long rowEnd) {
    const long n = c->outChannels, vectors = (n + 7) / 8, passes = (vectors + MOST_VECTORS - 1) / MOST_VECTORS;
    const long ldw = handmesh_direct_conv_channels(n);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (long row = rowBegin; row < rowEnd; row++) {
        const long image = row / c->outHeight, oy = row % c->outHeight;
        const float *plane = c->input + image * c->height * c->width * c->inChannels;
        for (long k = 0; k < passes; k++) {
            // Vectors split as evenly as possible: 4 as 2 + 2, not 3 + 1.
            const long v0 = k * vectors / passes, v1 = (k + 1) * vectors / passes;
            const Pass p = {
                c->weights + 8 * v0, c->bias + 8 * v0, c->output + row * c->outWidth * n + 8 * v0, ldw, n,
                c->height, c->width, c->inChannels, c->kernelHeight, c->kernelWidth, c->strideWidth, c->padLeft,
                _mm256_set1_ps(c->low), _mm256_set1_ps(c->high),
                _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - 8 * (v1 - 1))), lanes), v1 == vectors && n % 8 != 0,
            };
            const long iy0 = oy * c->strideHeight - c->padTop;
            switch (v1 - v0) {
            case 1: pass1(&p, plane, iy0, c->outWidth); break;
            case 2: pass2(&p, plane, iy0, c->outWidth); break;
            default: pass3(&p, plane, iy0, c->outWidth); break;
            }
        }
    }
}
#else
/// Clamp.apply's vector semantics on one float: below low gives low, then above high gives high; NaN stays.
static inline float clampScalar(float x, float low, float high) {
    float raised = x < low ? low : x;
    return raised > high ? high : raised;
}

void handmesh_direct_conv_rows(const handmesh_direct_conv *c, long rowBegin, long rowEnd) {
    const long n = c->outChannels, ldw = handmesh_direct_conv_channels(n), cin = c->inChannels;
    for (long row = rowBegin; row < rowEnd; row++) {
        const long image = row / c->outHeight, oy = row % c->outHeight, iy0 = oy * c->strideHeight - c->padTop;
        const float *plane = c->input + image * c->height * c->width * cin;
        for (long ox = 0; ox < c->outWidth; ox++) {
            const long ix0 = ox * c->strideWidth - c->padLeft;
            for (long ch = 0; ch < n; ch++) {
                float acc = c->bias[ch];
                const float *w = c->weights + ch;
                for (long ky = 0; ky < c->kernelHeight; ky++) {
                    const long iy = iy0 + ky;
                    for (long kx = 0; kx < c->kernelWidth; kx++) {
                        const long ix = ix0 + kx;
                        const int inside = iy >= 0 && iy < c->height && ix >= 0 && ix < c->width;
                        for (long ci = 0; ci < cin; ci++, w += ldw) {
                            acc = fmaf(inside ? plane[(iy * c->width + ix) * cin + ci] : 0.0f, *w, acc);
                        }
                    }
                }
                c->output[(row * c->outWidth + ox) * n + ch] = clampScalar(acc, c->low, c->high);
            }
        }
    }
}
#endif
