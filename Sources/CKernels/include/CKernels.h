#ifndef HANDMESH_CKERNELS_H
#define HANDMESH_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU (and the OS, which must save the AVX-512 registers) runs the int8 kernels:
/// AVX-512 F, BW, VL and VNNI. 0 elsewhere, including every non-x86 build; callers then keep fp32.
int handmesh_s8_supported(void);

/// Output channels per packed weight panel: one 512-bit vector of int32 accumulators.
#define HANDMESH_S8_PANEL 16

/// Depth `k` rounded up to whole groups of four: VPDPBUSD sums four u8 x s8 products per int32 lane.
static inline long handmesh_s8_depth(long k) { return (k + 3) & ~3L; }

/// Bytes of per-thread scratch `handmesh_s8_gemm` needs for depth `k` (its block of quantized rows).
size_t handmesh_s8_scratch_bytes(long k);

/// C[r, n] = clamp(sum_k A[r, k] W[n, k] + bias[n], low, high) for rows [rowBegin, rowEnd) and the
/// output channels of panels [panelBegin, panelEnd), with W quantized per output channel to s8 at
/// load and A quantized here to u8 with a zero point: on one grid for all rows when `range` gives
/// A's [min, max] (handmesh_s8_range), else on each row's own grid.
///
/// - a: fp32 rows of A with stride `lda` (the NHWC input of a 1x1 convolution, or im2col patches).
/// - packed: W as panels of 16 channels: byte (p * depth/4 + g) * 64 + 4 * j + t holds
///   W[16p + j, 4g + t] (zero past n and past k), depth = handmesh_s8_depth(k).
/// - scale, sum, bias: per output channel, padded to whole panels: W's scale (W ~ scale * q), the sum
///   of its quantized row (for the zero-point correction), and the bias (zeros in the padding).
/// - c: row 0 of C, stride `ldc`; only the n real channels are written.
/// - scratch: handmesh_s8_scratch_bytes(k) bytes owned by the calling thread.
/// Requires handmesh_s8_supported() and depth <= 65536 (so 255 * 127 * depth fits an int32).
void handmesh_s8_gemm(const float *a, long lda, long rowBegin, long rowEnd, long k,
                      const int8_t *packed, const float *scale, const float *sum, const float *bias,
                      long panelBegin, long panelEnd, long n, float *c, long ldc,
                      float low, float high, const float *range, void *scratch);

/// range[0] = min(0, min x), range[1] = max(0, max x) over `count` floats. Requires handmesh_s8_supported().
void handmesh_s8_range(const float *x, long count, float *range);
/// One CONV_2D at int8 whose patches are gathered as bytes (`Neural.Convolution.gathersQuantized`):
/// the NHWC fp32 input and geometry, and the weights as `handmesh_s8_gemm` takes them (k = kernelHeight
/// * kernelWidth * inChannels). Pads are the rows above and the columns left of the input.
typedef struct {
    const float *input;
    float *output;
    const int8_t *packed;
    const float *scale, *sum, *bias;
    long batch, height, width, inChannels;
    long outHeight, outWidth, outChannels;
    long kernelHeight, kernelWidth;
    long strideHeight, strideWidth;
    long padTop, padLeft;
    /// The fused activation as a clamp: output = min(max(acc, low), high).
    float low, high;
} handmesh_s8_conv;
/// Bytes of per-thread scratch `handmesh_s8_conv_rows` needs for `c`'s geometry (its pointers are not read).
size_t handmesh_s8_conv_scratch_bytes(const handmesh_s8_conv *c);
/// Output rows [rowBegin, rowEnd) of `c`, counting output pixels over the whole batch (row = (image *
/// outHeight + oy) * outWidth + ox), on the grid of `range` (the input's, handmesh_s8_range). The
/// bits of im2col at fp32 followed by handmesh_s8_gemm with the same range: the input rows the pixels
/// read are quantized, then their patches gathered, padding at the zero point. Allocates nothing.
/// Requires handmesh_s8_supported().
void handmesh_s8_conv_rows(const handmesh_s8_conv *c, long rowBegin, long rowEnd, const float *range, void *scratch);

/// The rotated crop of `Crop.AffineCrop.sample` (whose doc is the contract): output pixel (i, j) of
/// an NHWC RGB tensor `outWidth` wide samples RGB24 `src` bilinearly at
/// (m[0] i + m[1] j + m[2], m[3] i + m[4] j + m[5]), OpenCV's fixed-point way, scaled to [0, 1];
/// only rows [rowBegin, rowEnd) are written (`out` is row 0). Outside the image, taps read 0
/// (`zeroBorder`) or the nearest edge pixel. Any CPU; AVX2 when present.
void handmesh_affine_crop(const uint8_t *src, long width, long height, long rowBytes, const double *m,
                          int zeroBorder, long outWidth, long rowBegin, long rowEnd, float *out);

/// One DEPTHWISE_CONV_2D (depth multiplier 1, NHWC fp32): the tensors and the geometry, as
/// `Neural.DepthwiseConvolution` plans them. `weights` is the [1, kernelHeight, kernelWidth, channels]
/// filter, `bias` has `channels` floats; pads are the rows above and the columns left of the input.
typedef struct {
    const float *input;
    float *output;
    const float *weights;
    const float *bias;
    long batch, height, width, channels;
    long outHeight, outWidth;
    long kernelHeight, kernelWidth;
    long strideHeight, strideWidth;
    long padTop, padLeft;
    /// The fused activation as a clamp: output = min(max(acc, low), high), NaN kept.
    float low, high;
} handmesh_depthwise;

/// Output rows [rowBegin, rowEnd) of `d`, counting rows over the whole batch (row = image * outHeight
/// + oy). Each output is the bias, then fmaf(input, weight, acc) for every tap inside the input, kernel
/// rows ascending and columns ascending within a row, then the clamp: the same bits for any split of
/// the rows and on every path. Allocates nothing. x86-64 builds require AVX2 and FMA.
void handmesh_depthwise_rows(const handmesh_depthwise *d, long rowBegin, long rowEnd);

/// One CONV_2D with few input channels (NHWC fp32), as `Neural.Convolution`'s `.direct` backend
/// plans it. `weights` holds tap k = (ky * kernelWidth + kx) * inChannels + ci at
/// weights + k * handmesh_direct_conv_channels(outChannels): one row of output channels per tap, zeros
/// past outChannels; `bias` is as long, zeros past outChannels too. Pads are the rows above and the
/// columns left of the input.
typedef struct {
    const float *input;
    float *output;
    const float *weights;
    const float *bias;
    long batch, height, width, inChannels;
    long outHeight, outWidth, outChannels;
    long kernelHeight, kernelWidth;
    long strideHeight, strideWidth;
    long padTop, padLeft;
    /// The fused activation as a clamp: output = min(max(acc, low), high), NaN kept.
    float low, high;
} handmesh_direct_conv;

/// Floats in one tap's row of `handmesh_direct_conv` weights: `outChannels` rounded up to whole vectors of 8.
static inline long handmesh_direct_conv_channels(long outChannels) { return (outChannels + 7) & ~7L; }

/// Output rows [rowBegin, rowEnd) of `c`, counting rows over the whole batch (row = image * outHeight
/// + oy). Each output is the bias, then fmaf(x, weight, acc) for every tap in ascending k, x being +0
/// where the tap overhangs the input, then the clamp: the order `Neural.PackedGEMM` sums an im2col
/// row in, so the bits match it, on every path and for any split of the rows. Allocates nothing.
/// x86-64 builds require AVX2 and FMA.
void handmesh_direct_conv_rows(const handmesh_direct_conv *c, long rowBegin, long rowEnd);

#endif
