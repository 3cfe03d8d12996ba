#ifndef HANDMESH_CFFMPEG_SHIM_H
#define HANDMESH_CFFMPEG_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
#include <libavutil/dict.h>

// Function-like and expression macros do not import into Swift; these shims carry them across.
static inline int hm_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int hm_averror_eof(void) { return AVERROR_EOF; }
static inline int hm_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int64_t hm_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational hm_av_time_base_q(void) { return AV_TIME_BASE_Q; }

#endif
