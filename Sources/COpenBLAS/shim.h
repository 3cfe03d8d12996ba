#ifndef HANDMESH_COPENBLAS_SHIM_H
#define HANDMESH_COPENBLAS_SHIM_H
// pkg-config openblas puts Debian's openblas-pthread include folder on the path.
#include <cblas.h>

// Flush-to-zero and denormals-are-zero for the calling thread, returning the previous state.
// Subnormal floats take a microcode assist on x86 (tens to hundreds of cycles per operation);
// XNNPACK, LiteRT's CPU path, runs its kernels the same way. Per-thread state, so the engine sets
// it around its own work and puts the old value back.
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
static inline unsigned long handmesh_flush_denormals(void) {
    unsigned int old = _mm_getcsr();
    _mm_setcsr(old | 0x8040u); // FTZ (bit 15) | DAZ (bit 6)
    return old;
}
static inline void handmesh_restore_float_state(unsigned long old) { _mm_setcsr((unsigned int)old); }
#elif defined(__aarch64__)
static inline unsigned long handmesh_flush_denormals(void) {
    unsigned long old;
    __asm__ volatile("mrs %0, fpcr" : "=r"(old));
    __asm__ volatile("msr fpcr, %0" : : "r"(old | (1ul << 24))); // FZ
    return old;
}
static inline void handmesh_restore_float_state(unsigned long old) { __asm__ volatile("msr fpcr, %0" : : "r"(old)); }
#else
static inline unsigned long handmesh_flush_denormals(void) { return 0; }
static inline void handmesh_restore_float_state(unsigned long old) { (void)old; }
#endif

// The best OpenBLAS kernel set (an OPENBLAS_CORETYPE name) for the CPU's instruction set, or NULL
// where there is nothing better than what OpenBLAS finds itself. Asked of the CPU (cpuid), not of
// its model name: Debian's OpenBLAS picks by model and falls back to Prescott (SSE3) on models it
// does not know, such as a virtual machine's "Intel Xeon Processor" with AVX-512.
static inline const char *handmesh_openblas_core_for_cpu(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd")) {
        return __builtin_cpu_supports("avx512bf16") ? "Cooperlake" : "SkylakeX";
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return 0;
}

// The CPU's hint that the thread is spinning on a flag (x86 PAUSE, ARM YIELD): it saves power and
// leaves the core's other hyperthread its share while a worker waits for the next operator.
static inline void handmesh_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}
#endif
