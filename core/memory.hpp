// Refuse allocations that cannot fit before touching them (overcommit would OOM-kill instead).
#pragma once
#include <cstdint>

namespace sg {

// Bytes of memory available to this process: the least of MemAvailable, the room under a memory
// cgroup limit and the address space left under RLIMIT_AS (ulimit -v); INT64_MAX if all unknown.
int64_t available_memory_bytes();

// Raise ErrorKind::Memory naming `what` when `bytes` exceeds the available memory.
void ensure_memory(double bytes, const char* what);

}  // namespace sg
