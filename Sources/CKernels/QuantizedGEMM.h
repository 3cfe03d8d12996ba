// What QuantizedGEMM.c shares with the other int8 kernels in this target (not part of CKernels' API).
// All of it requires handmesh_s8_supported().
#ifndef HANDMESH_QUANTIZED_GEMM_H
#define HANDMESH_QUANTIZED_GEMM_H

#include <stdint.h>

/// Rows of A quantized at once for depth `depth` (a multiple of 4): a block of at most 32 KiB of u8.
long handmesh_s8_block_rows(long depth);

/// The u8 grid over [low, high] (low <= 0 <= high): x ~ scale * (q - zero), zero = round(-low / scale).
void handmesh_s8_grid(float low, float high, float *scale, float *zero);

/// q[i] = clamp(round(x[i] / scale) + zero, 0, 255) for `count` floats, the rounding `handmesh_s8_gemm`
/// quantizes its rows with, so the same value gives the same byte on either path.
void handmesh_s8_quantize(const float *x, long count, uint8_t *q, float scale, float zero);

/// `handmesh_s8_gemm` on rows already quantized: `rows` rows of `depth` bytes at `q` (zeros past k),
/// each with its grid in rowScale[r] and rowZero[r]; row r of C is at c + r * ldc.
void handmesh_s8_multiply_quantized(const uint8_t *q, long rows, long depth, const float *rowScale, const float *rowZero,
                                    const int8_t *packed, const float *scale, const float *sum, const float *bias,
                                    long panelBegin, long panelEnd, long n, float *c, long ldc, float low, float high);

#endif
