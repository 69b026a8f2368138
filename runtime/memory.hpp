// Refuse allocations that cannot fit before touching them (overcommit would OOM-kill instead).
#pragma once
#include <cstdint>

namespace sg {

// Bytes of memory the kernel reports available (MemAvailable), or INT64_MAX if unknown.
int64_t available_memory_bytes();

// Raise ErrorKind::Memory naming `what` when `bytes` exceeds the available memory.
void ensure_memory(double bytes, const char* what);

}  // namespace sg
