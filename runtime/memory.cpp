// Available-memory checks for big allocations (graph construction, states).
#include "runtime/memory.hpp"

#include <cstdio>
#include <cstring>
#include <limits>

#include "runtime/error.hpp"

namespace sg {

int64_t available_memory_bytes() {
  std::FILE* f = std::fopen("/proc/meminfo", "r");
  if (!f) return std::numeric_limits<int64_t>::max();
  char line[256];
  int64_t kb = -1;
  while (std::fgets(line, sizeof line, f)) {
    long long v = 0;
    if (std::sscanf(line, "MemAvailable: %lld kB", &v) == 1) {
      kb = v;
      break;
    }
  }
  std::fclose(f);
  return kb < 0 ? std::numeric_limits<int64_t>::max() : kb * 1024;
}

void ensure_memory(double bytes, const char* what) {
  constexpr double kSmall = 64.0 * 1024 * 1024;  // below this, a momentary low reading is no reason to refuse
  if (bytes < kSmall) return;
  const double available = static_cast<double>(available_memory_bytes());
  if (bytes > available) {
    constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
    fail(ErrorKind::Memory, "{} needs {:.1f} GiB but only {:.1f} GiB of memory is available", what, bytes / kGiB,
         available / kGiB);
  }
}

}  // namespace sg
