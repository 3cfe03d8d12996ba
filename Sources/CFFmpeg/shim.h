#ifndef HANDMESH_CFFMPEG_SHIM_H
#define HANDMESH_CFFMPEG_SHIM_H
#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
#include <libavutil/dict.h>
#include <libavutil/pixdesc.h>
#include <errno.h>

// Function-like and expression macros do not import into Swift; these shims carry them across.
static inline int hm_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int hm_averror_eof(void) { return AVERROR_EOF; }
static inline int hm_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int hm_averror_exit(void) { return AVERROR_EXIT; }
static inline int hm_averror_from_errno(int e) { return AVERROR(e); }
static inline int hm_errno_from_averror(int e) { return AVUNERROR(e); }
static inline int64_t hm_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational hm_av_time_base_q(void) { return AV_TIME_BASE_Q; }
static inline int hm_avseek_size(void) { return AVSEEK_SIZE; }
static inline int hm_pkt_flag_corrupt(void) { return AV_PKT_FLAG_CORRUPT; }
static inline int hm_frame_flag_corrupt(void) { return AV_FRAME_FLAG_CORRUPT; }
static inline int hm_fmt_flag_nonblock(void) { return AVFMT_FLAG_NONBLOCK; }
static inline int hm_fmt_globalheader(void) { return AVFMT_GLOBALHEADER; }
static inline int hm_fmt_nofile(void) { return AVFMT_NOFILE; }
static inline int hm_codec_flag_low_delay(void) { return AV_CODEC_FLAG_LOW_DELAY; }
static inline int hm_codec_flag_global_header(void) { return AV_CODEC_FLAG_GLOBAL_HEADER; }
static inline int hm_thread_frame(void) { return FF_THREAD_FRAME; }
static inline int hm_thread_slice(void) { return FF_THREAD_SLICE; }
static inline int hm_sws_bilinear(void) { return SWS_BILINEAR; }
static inline int hm_sws_area(void) { return SWS_AREA; }
static inline int hm_sws_cs_itu601(void) { return SWS_CS_ITU601; }
static inline int hm_avio_flag_write(void) { return AVIO_FLAG_WRITE; }

#endif
