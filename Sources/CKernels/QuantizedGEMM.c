// An int8 GEMM for convolutions on AVX-512 VNNI: u8 activations x s8 weights, int32 sums, fp32 out.
//
// Why: on Zen 4 an fp32 FMA GEMM peaks at 16 multiply-adds a cycle (two 256-bit FMAs; AVX-512 is
// double-pumped, so 512-bit FMAs add nothing), and the engine's 1x1 convolutions already run there.
// VPDPBUSD does 64 u8 x s8 multiply-adds a cycle (one 512-bit instruction, or two 256-bit), so the
// same product costs a quarter of the cycles, plus quantizing A and dequantizing C.
//
// The functions carry target attributes instead of the whole file being compiled with -mavx512*:
// the CPU check must run on any x86-64, and nothing here may run unless it said yes.

#include "CKernels.h"
#include "QuantizedGEMM.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define S8_TARGET __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")))
#define S8_INLINE static inline __attribute__((always_inline)) S8_TARGET

int handmesh_s8_supported(void) {
    __builtin_cpu_init();
    // compiler-rt's check also requires the OS to save the ZMM state (XCR0), so a yes is usable.
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

/// A tile is up to 8 rows x 3 panels (48 channels): 24 accumulators, 3 weight vectors and one
/// broadcast fit AVX-512's 32 registers, and 3 weight loads + 8 broadcasts per 24 VPDPBUSD keep
/// the loads well under Zen 4's two a cycle.
enum { TILE_ROWS = 8, TILE_PANELS = 3 };

/// Rows quantized at once: their u8 copy (at most 32 KiB, so it stays in L1/L2) is reused by every
/// panel before the next block is quantized.
long handmesh_s8_block_rows(long depth) {
    long rows = (32 * 1024 / depth) / TILE_ROWS * TILE_ROWS;
    if (rows < TILE_ROWS) rows = TILE_ROWS;
    if (rows > 512) rows = 512;
    return rows;
}

size_t handmesh_s8_scratch_bytes(long k) {
    long depth = handmesh_s8_depth(k), rows = handmesh_s8_block_rows(depth);
    // The u8 rows, then each row's scale and zero point as floats, then room to align.
    return (size_t)(rows * depth + 2 * rows * (long)sizeof(float) + 64);
}

S8_TARGET
void handmesh_s8_range(const float *x, long count, float *range) {
    // Starting from 0 widens the range to hold 0, so that 0 (padding, ReLU's floor) quantizes exactly.
    __m512 low = _mm512_setzero_ps(), high = _mm512_setzero_ps();
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        low = _mm512_min_ps(low, v);
        high = _mm512_max_ps(high, v);
    }
    if (i < count) {
        __mmask16 mask = (__mmask16)((1u << (count - i)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(mask, x + i);  // zeros elsewhere: inside the range already
        low = _mm512_min_ps(low, v);
        high = _mm512_max_ps(high, v);
    }
    range[0] = _mm512_reduce_min_ps(low);
    range[1] = _mm512_reduce_max_ps(high);
}

/// An empty range (all zeros) or a non-finite one (whose products are meaningless anyway) gets scale 1, zero 0.
void handmesh_s8_grid(float low, float high, float *scale, float *zero) {
    float range = high - low;
    int usable = range > 0 && range < INFINITY;
    *scale = usable ? range / 255.0f : 1.0f;
    *zero = usable ? nearbyintf(-low * (255.0f / range)) : 0.0f;
}

/// The bytes between k and depth are zeroed (they meet zero weights, but must not be garbage).
S8_INLINE void quantize_row(const float *x, long k, long depth, uint8_t *q, float scale, float zero) {
    long i;
    const __m512 inv = _mm512_set1_ps(1.0f / scale), zp = _mm512_set1_ps(zero);
    const __m512i floor = _mm512_setzero_si512(), ceiling = _mm512_set1_epi32(255);
    for (i = 0; i + 16 <= k; i += 16) {
        __m512i v = _mm512_cvtps_epi32(_mm512_fmadd_ps(_mm512_loadu_ps(x + i), inv, zp));
        v = _mm512_min_epi32(_mm512_max_epi32(v, floor), ceiling);
        _mm_storeu_si128((__m128i *)(q + i), _mm512_cvtepi32_epi8(v));
    }
    if (i < k) {
        __mmask16 mask = (__mmask16)((1u << (k - i)) - 1);
        __m512i v = _mm512_cvtps_epi32(_mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, x + i), inv, zp));
        v = _mm512_min_epi32(_mm512_max_epi32(v, floor), ceiling);
        _mm512_mask_cvtepi32_storeu_epi8(q + i, mask, v);
    }
    // At most three bytes; a masked store, because the compiler turns a loop here into a call to
    // memset per row, which was 3% of `handmesh run`'s CPU (the stem's 12544 rows of k = 27).
    if (depth > k) _mm_mask_storeu_epi8(q + k, (__mmask16)((1u << (depth - k)) - 1), _mm_setzero_si128());
}

/// Adds group `g` (four columns of A, four rows of the panels) into a tile's accumulators, or
/// starts them with it (`first`).
S8_INLINE void group(const int rows, const int panels, __m512i acc[TILE_ROWS][TILE_PANELS], const uint8_t *a,
                     long depth, const int8_t *w, long panelBytes, long g, const int first) {
    __m512i weights[TILE_PANELS];
    for (int p = 0; p < panels; p++) weights[p] = _mm512_loadu_si512((const void *)(w + p * panelBytes + g * 64));
    for (int r = 0; r < rows; r++) {
        int32_t four;
        memcpy(&four, a + r * depth + 4 * g, 4);
        const __m512i x = _mm512_set1_epi32(four);
        for (int p = 0; p < panels; p++)
            acc[r][p] = _mm512_dpbusd_epi32(first ? _mm512_setzero_si512() : acc[r][p], x, weights[p]);
    }
}

/// One tile: `rows` rows of the quantized block x `panels` panels. `rows` and `panels` are constants
/// at every call site, so the loops unroll and the accumulators live in registers. The epilogue
/// undoes both quantizations, C = s_row * s_col * (sum - z_row * colsum) + bias, and clamps.
S8_INLINE void tile(const int rows, const int panels, const uint8_t *a, long depth, const int8_t *w,
                    long panelBytes, const float *rowScale, const float *rowZero, const float *scale,
                    const float *sum, const float *bias, float *c, long ldc, int lastColumns,
                    __m512 low, __m512 high) {
    __m512i acc[TILE_ROWS][TILE_PANELS];
    // The first group of four starts the sums from zero. Zeroing the accumulators in a loop of
    // their own let the compiler see a memset: it zeroed the array on the stack and reloaded it on
    // every tile, 3% of `handmesh run`'s CPU on the landmark network's shallow layers.
    group(rows, panels, acc, a, depth, w, panelBytes, 0, 1);
    const long groups = depth / 4;
    for (long g = 1; g < groups; g++) group(rows, panels, acc, a, depth, w, panelBytes, g, 0);
    for (int p = 0; p < panels; p++) {
        const __m512 s = _mm512_loadu_ps(scale + 16 * p), total = _mm512_loadu_ps(sum + 16 * p);
        const __m512 b = _mm512_loadu_ps(bias + 16 * p);
        const __mmask16 mask = p == panels - 1 ? (__mmask16)((1u << lastColumns) - 1) : (__mmask16)0xFFFF;
        for (int r = 0; r < rows; r++) {
            __m512 f = _mm512_cvtepi32_ps(acc[r][p]);
            f = _mm512_fnmadd_ps(_mm512_set1_ps(rowZero[r]), total, f);
            f = _mm512_fmadd_ps(_mm512_mul_ps(f, s), _mm512_set1_ps(rowScale[r]), b);
            f = _mm512_min_ps(_mm512_max_ps(f, low), high);
            _mm512_mask_storeu_ps(c + r * ldc + 16 * p, mask, f);
        }
    }
}

#define TILE_CASE(R, P) \
    case (R) * 4 + (P): \
        tile(R, P, a, depth, w, panelBytes, rowScale, rowZero, scale, sum, bias, c, ldc, lastColumns, low, high); \
        break;
#define TILE_ROW_CASES(R) TILE_CASE(R, 1) TILE_CASE(R, 2) TILE_CASE(R, 3)

/// A tile of any size up to 8 x 3, each size its own unrolled copy.
__attribute__((noinline)) S8_TARGET
static void any_tile(int rows, int panels, const uint8_t *a, long depth, const int8_t *w, long panelBytes,
                     const float *rowScale, const float *rowZero, const float *scale, const float *sum,
                     const float *bias, float *c, long ldc, int lastColumns, __m512 low, __m512 high) {
    switch (rows * 4 + panels) {
        TILE_ROW_CASES(1) TILE_ROW_CASES(2) TILE_ROW_CASES(3) TILE_ROW_CASES(4)
        TILE_ROW_CASES(5) TILE_ROW_CASES(6) TILE_ROW_CASES(7) TILE_ROW_CASES(8)
        default: break;
    }
}

S8_TARGET
void handmesh_s8_quantize(const float *x, long count, uint8_t *q, float scale, float zero) {
    quantize_row(x, count, count, q, scale, zero);
}

S8_TARGET
void handmesh_s8_multiply_quantized(const uint8_t *q, long rows, long depth, const float *rowScale, const float *rowZero,
                                    const int8_t *packed, const float *scale, const float *sum, const float *bias,
                                    long panelBegin, long panelEnd, long n, float *c, long ldc, float low, float high) {
    const long panelBytes = depth * HANDMESH_S8_PANEL;
    const __m512 lowVector = _mm512_set1_ps(low), highVector = _mm512_set1_ps(high);
    for (long p = panelBegin; p < panelEnd; p += TILE_PANELS) {
        const int panels = panelEnd - p < TILE_PANELS ? (int)(panelEnd - p) : TILE_PANELS;
        long lastStart = (p + panels - 1) * HANDMESH_S8_PANEL;
        const int lastColumns = n - lastStart < HANDMESH_S8_PANEL ? (int)(n - lastStart) : HANDMESH_S8_PANEL;
        for (long r = 0; r < rows; r += TILE_ROWS) {
            const int tileRows = rows - r < TILE_ROWS ? (int)(rows - r) : TILE_ROWS;
            any_tile(tileRows, panels, q + r * depth, depth, packed + p * panelBytes, panelBytes,
                     rowScale + r, rowZero + r, scale + p * HANDMESH_S8_PANEL, sum + p * HANDMESH_S8_PANEL,
                     bias + p * HANDMESH_S8_PANEL, c + r * ldc + p * HANDMESH_S8_PANEL, ldc,
                     lastColumns, lowVector, highVector);
        }
    }
}

S8_TARGET
void handmesh_s8_gemm(const float *a, long lda, long rowBegin, long rowEnd, long k,
                      const int8_t *packed, const float *scale, const float *sum, const float *bias,
                      long panelBegin, long panelEnd, long n, float *c, long ldc,
                      float low, float high, const float *range, void *scratch) {
    const long depth = handmesh_s8_depth(k), block = handmesh_s8_block_rows(depth);
    uint8_t *q = (uint8_t *)scratch;
    float *rowScale = (float *)(((uintptr_t)(q + block * depth) + 63) & ~(uintptr_t)63);
    float *rowZero = rowScale + block;
    float tensorScale = 1, tensorZero = 0;
    if (range) handmesh_s8_grid(range[0], range[1], &tensorScale, &tensorZero);
    for (long start = rowBegin; start < rowEnd; start += block) {
        const long rows = rowEnd - start < block ? rowEnd - start : block;
        for (long r = 0; r < rows; r++) {
            if (!range) {
                float bounds[2];
                handmesh_s8_range(a + (start + r) * lda, k, bounds);
                handmesh_s8_grid(bounds[0], bounds[1], rowScale + r, rowZero + r);
            } else {
                rowScale[r] = tensorScale;
                rowZero[r] = tensorZero;
            }
            quantize_row(a + (start + r) * lda, k, depth, q + r * depth, rowScale[r], rowZero[r]);
        }
        handmesh_s8_multiply_quantized(q, rows, depth, rowScale, rowZero, packed, scale, sum, bias,
                                       panelBegin, panelEnd, n, c + start * ldc, ldc, low, high);
    }
}

#else

int handmesh_s8_supported(void) { return 0; }
size_t handmesh_s8_scratch_bytes(long k) { (void)k; return 64; }
void handmesh_s8_gemm(const float *a, long lda, long rowBegin, long rowEnd, long k,
                      const int8_t *packed, const float *scale, const float *sum, const float *bias,
                      long panelBegin, long panelEnd, long n, float *c, long ldc,
                      float low, float high, const float *range, void *scratch) {
    // Never called: handmesh_s8_supported() is 0 here, and the engine keeps fp32.
    (void)a; (void)lda; (void)rowBegin; (void)rowEnd; (void)k; (void)packed; (void)scale; (void)sum;
    (void)bias; (void)panelBegin; (void)panelEnd; (void)n; (void)c; (void)ldc; (void)low; (void)high; (void)range; (void)scratch;
}
void handmesh_s8_range(const float *x, long count, float *range) {
    (void)x; (void)count; range[0] = 0; range[1] = 0;
}

#endif
