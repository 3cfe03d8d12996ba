#ifndef HANDMESH_ALLOCATION_COUNTER_H
#define HANDMESH_ALLOCATION_COUNTER_H

/// Counts heap allocations (malloc, calloc, realloc, aligned allocations) made by any thread of the
/// test process while counting is on. Linked into the test executable, whose definitions of the
/// allocator's entry points come before libc's for every library of the process.
void allocation_counter_start(void);
/// Stops counting and returns how many allocations were made since `allocation_counter_start`.
long allocation_counter_stop(void);

#endif
