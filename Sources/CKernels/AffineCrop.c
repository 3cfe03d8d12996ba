// The rotated-crop sampler of `Crop.AffineCrop` (its doc says what it reproduces: OpenCV's
// warpPerspective as MediaPipe's ImageToTensorCalculator runs it), eight pixels at a time on AVX2.
//
// Why C: the crop of every tracked frame is 224 x 224 bilinear samples, and the scalar loop cost
// about 0.9 ms a frame, as much as a tenth of the tracking budget. The vector path computes exactly
// what the scalar one does, operation for operation (products rounded, no fused multiply-adds: the
// pragma below), so the two agree bit for bit and either may take any pixel.

#include "CKernels.h"

#include <math.h>

#pragma STDC FP_CONTRACT OFF

/// OpenCV's INTER_BITS: warpPerspective quantizes source coordinates to 1/32 pixel.
#define SUBPIXEL_STEPS 32.0
/// Adding and subtracting 1.5 * 2^52 rounds a double to the nearest integer, ties to even (cvRound).
#define ROUNDING_MAGIC 6755399441055744.0
/// Far off the frame: keeps the integer conversion in range.
#define COORDINATE_LIMIT 1e9

static const float TO_UNIT = 1.0f / 255.0f;

typedef struct {
    const uint8_t *src;
    long maxX, maxY, rowBytes;
    int zeroBorder;
} Image;

static inline void tap(const Image *image, long x, long y, float weight, float *r, float *g, float *b) {
    if (image->zeroBorder) {
        if (x < 0 || y < 0 || x > image->maxX || y > image->maxY) return;
    } else {
        x = x < 0 ? 0 : (x > image->maxX ? image->maxX : x);
        y = y < 0 ? 0 : (y > image->maxY ? image->maxY : y);
    }
    const uint8_t *p = image->src + y * image->rowBytes + x * 3;
    *r += weight * (float)p[0];
    *g += weight * (float)p[1];
    *b += weight * (float)p[2];
}

static inline double clampCoordinate(double v) {
    return v < -COORDINATE_LIMIT ? -COORDINATE_LIMIT : (v > COORDINATE_LIMIT ? COORDINATE_LIMIT : v);
}

/// One output pixel sampling the source at (sx, sy).
static inline void pixel(const Image *image, double sx, double sy, float *out) {
    sx = clampCoordinate(sx * SUBPIXEL_STEPS);
    sy = clampCoordinate(sy * SUBPIXEL_STEPS);
    long xq = (long)((sx + ROUNDING_MAGIC) - ROUNDING_MAGIC), yq = (long)((sy + ROUNDING_MAGIC) - ROUNDING_MAGIC);
    long x0 = xq >> 5, y0 = yq >> 5;
    float ax = (float)(xq & 31) * (1.0f / 32), ay = (float)(yq & 31) * (1.0f / 32);
    float w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay;
    float r = 0, g = 0, b = 0;
    if (x0 >= 0 && y0 >= 0 && x0 < image->maxX && y0 < image->maxY) {
        const uint8_t *p = image->src + y0 * image->rowBytes + x0 * 3, *p2 = p + image->rowBytes;
        r = w00 * (float)p[0] + w01 * (float)p[3] + w10 * (float)p2[0] + w11 * (float)p2[3];
        g = w00 * (float)p[1] + w01 * (float)p[4] + w10 * (float)p2[1] + w11 * (float)p2[4];
        b = w00 * (float)p[2] + w01 * (float)p[5] + w10 * (float)p2[2] + w11 * (float)p2[5];
    } else {
        // Edge pixels: each tap is clamped or zeroed on its own, as cv::remap does.
        tap(image, x0, y0, w00, &r, &g, &b);
        tap(image, x0 + 1, y0, w01, &r, &g, &b);
        tap(image, x0, y0 + 1, w10, &r, &g, &b);
        tap(image, x0 + 1, y0 + 1, w11, &r, &g, &b);
    }
    // 8-bit result as OpenCV's fixed-point remap rounds it (half up; values are >= 0, so truncating
    // v + 0.5 does it), then to [0, 1] as convertTo scales: times 1/255.
    out[0] = (float)(int32_t)(r + 0.5f) * TO_UNIT;
    out[1] = (float)(int32_t)(g + 0.5f) * TO_UNIT;
    out[2] = (float)(int32_t)(b + 0.5f) * TO_UNIT;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define CROP_TARGET __attribute__((target("avx2")))

/// Eight pixels i .. i + 7 of one output row, when all their taps are inside the image and one byte
/// more (each tap is read as a 32-bit word holding R, G, B and the next byte). Returns 0, having
/// written nothing, when any pixel is not.
CROP_TARGET static int eightPixels(const Image *image, double m00, double m10, double rowX, double rowY, long i, float *out) {
    const __m256d steps = _mm256_set1_pd(SUBPIXEL_STEPS), magic = _mm256_set1_pd(ROUNDING_MAGIC);
    const __m256d low = _mm256_set1_pd(-COORDINATE_LIMIT), high = _mm256_set1_pd(COORDINATE_LIMIT);
    const __m256d id0 = _mm256_setr_pd((double)i, (double)(i + 1), (double)(i + 2), (double)(i + 3));
    const __m256d id1 = _mm256_add_pd(id0, _mm256_set1_pd(4));
#define QUANTIZED(M, ROW, ID) \
    _mm256_cvttpd_epi32(_mm256_sub_pd(_mm256_add_pd(_mm256_min_pd(_mm256_max_pd(_mm256_mul_pd(_mm256_add_pd( \
        _mm256_mul_pd(_mm256_set1_pd(M), ID), _mm256_set1_pd(ROW)), steps), low), high), magic), magic))
    const __m256i xq = _mm256_set_m128i(QUANTIZED(m00, rowX, id1), QUANTIZED(m00, rowX, id0));
    const __m256i yq = _mm256_set_m128i(QUANTIZED(m10, rowY, id1), QUANTIZED(m10, rowY, id0));
#undef QUANTIZED
    const __m256i x0 = _mm256_srai_epi32(xq, 5), y0 = _mm256_srai_epi32(yq, 5);
    // Inside: 0 <= x0 < maxX - 1 (so the word read at x0 + 1 stays in the row) and 0 <= y0 < maxY.
    const __m256i minusOne = _mm256_set1_epi32(-1);
    __m256i inside = _mm256_and_si256(_mm256_cmpgt_epi32(x0, minusOne), _mm256_cmpgt_epi32(y0, minusOne));
    inside = _mm256_and_si256(inside, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(image->maxX - 1)), x0));
    inside = _mm256_and_si256(inside, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)image->maxY), y0));
    if (_mm256_movemask_ps(_mm256_castsi256_ps(inside)) != 0xFF) return 0;

    const __m256i fraction = _mm256_set1_epi32(31);
    const __m256 thirtySecond = _mm256_set1_ps(1.0f / 32), one = _mm256_set1_ps(1);
    const __m256 ax = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(xq, fraction)), thirtySecond);
    const __m256 ay = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(yq, fraction)), thirtySecond);
    const __m256 bx = _mm256_sub_ps(one, ax), by = _mm256_sub_ps(one, ay);
    const __m256 w00 = _mm256_mul_ps(bx, by), w01 = _mm256_mul_ps(ax, by);
    const __m256 w10 = _mm256_mul_ps(bx, ay), w11 = _mm256_mul_ps(ax, ay);

    const __m256i offset = _mm256_add_epi32(_mm256_mullo_epi32(y0, _mm256_set1_epi32((int)image->rowBytes)),
                                            _mm256_mullo_epi32(x0, _mm256_set1_epi32(3)));
    const int *top = (const int *)image->src, *bottom = (const int *)(image->src + image->rowBytes);
    const __m256i a = _mm256_i32gather_epi32(top, offset, 1);
    const __m256i b = _mm256_i32gather_epi32((const int *)((const uint8_t *)top + 3), offset, 1);
    const __m256i c = _mm256_i32gather_epi32(bottom, offset, 1);
    const __m256i d = _mm256_i32gather_epi32((const int *)((const uint8_t *)bottom + 3), offset, 1);

    const __m256i byte = _mm256_set1_epi32(255);
    const __m256 half = _mm256_set1_ps(0.5f), toUnit = _mm256_set1_ps(TO_UNIT);
    float channels[3][8];
    for (int ch = 0; ch < 3; ch++) {
        const __m128i shift = _mm_cvtsi32_si128(8 * ch);
#define LEVEL(V) _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srl_epi32(V, shift), byte))
        __m256 v = _mm256_mul_ps(w00, LEVEL(a));
        v = _mm256_add_ps(v, _mm256_mul_ps(w01, LEVEL(b)));
        v = _mm256_add_ps(v, _mm256_mul_ps(w10, LEVEL(c)));
        v = _mm256_add_ps(v, _mm256_mul_ps(w11, LEVEL(d)));
#undef LEVEL
        v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvttps_epi32(_mm256_add_ps(v, half))), toUnit);
        _mm256_storeu_ps(channels[ch], v);
    }
    for (int k = 0; k < 8; k++) {
        out[3 * k] = channels[0][k];
        out[3 * k + 1] = channels[1][k];
        out[3 * k + 2] = channels[2][k];
    }
    return 1;
}

static int hasAVX2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
#endif

/// Output rows ahead whose source pixels are requested before they are sampled. The frame comes
/// fresh from the decoder's thread, mostly outside this core's caches, and each gather waited on
/// memory: in `handmesh run` the sampler took 0.57 ms a frame against 0.22 on frames already cached.
#define PREFETCH_ROWS 4

/// Asks for the cache lines under output row `j`: both source rows of every 8th pixel's taps.
static inline void prefetchRow(const Image *image, const double *m, long j, long outWidth) {
    const double jd = (double)j;
    const double rowX = m[1] * jd + m[2], rowY = m[4] * jd + m[5];
    for (long i = 0; i < outWidth; i += 8) {
        const double id = (double)i;
        const double x = m[0] * id + rowX, y = m[3] * id + rowY;
        if (!(x >= 0 && y >= 0 && x < (double)image->maxX && y < (double)image->maxY)) continue;
        const uint8_t *p = image->src + (long)y * image->rowBytes + (long)x * 3;
        __builtin_prefetch(p);
        __builtin_prefetch(p + image->rowBytes);
    }
}

void handmesh_affine_crop(const uint8_t *src, long width, long height, long rowBytes, const double *m,
                          int zeroBorder, long outWidth, long rowBegin, long rowEnd, float *out) {
    const Image image = { src, width - 1, height - 1, rowBytes, zeroBorder };
#if defined(__x86_64__)
    const int vector = hasAVX2() && height * rowBytes < 0x7fffffffL;  // 32-bit gather offsets
#endif
    out += 3 * outWidth * rowBegin;
    for (long j = rowBegin; j < rowEnd; j++) {
        const double jd = (double)j;
        const double rowX = m[1] * jd + m[2], rowY = m[4] * jd + m[5];
        prefetchRow(&image, m, j + PREFETCH_ROWS, outWidth);
        long i = 0;
#if defined(__x86_64__)
        if (vector) {
            for (; i + 8 <= outWidth; i += 8) {
                if (eightPixels(&image, m[0], m[3], rowX, rowY, i, out + 3 * i)) continue;
                for (long k = i; k < i + 8; k++) {
                    const double id = (double)k;
                    pixel(&image, m[0] * id + rowX, m[3] * id + rowY, out + 3 * k);
                }
            }
        }
#endif
        for (; i < outWidth; i++) {
            const double id = (double)i;
            pixel(&image, m[0] * id + rowX, m[3] * id + rowY, out + 3 * i);
        }
        out += 3 * outWidth;
    }
}
