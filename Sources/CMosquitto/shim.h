#ifndef HANDMESH_CMOSQUITTO_SHIM_H
#define HANDMESH_CMOSQUITTO_SHIM_H
#include <mosquitto.h>

// Macros do not import into Swift as the flag set the sink asks for; this carries it across.
// libmosquitto's own log lines worth passing on: warnings and errors, not its per-packet chatter.
static inline int hm_mosq_log_problems(void) { return MOSQ_LOG_WARNING | MOSQ_LOG_ERR; }
#endif
