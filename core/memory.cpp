// Available-memory checks for big allocations (graph construction, states).
#include "core/memory.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

#include "core/error.hpp"

namespace sg {

namespace {

constexpr int64_t kUnknown = std::numeric_limits<int64_t>::max();

// The number in the first line of a small text file (/proc, /sys) that matches `format`, or -1.
int64_t read_number(const char* path, const char* format) {
  std::FILE* f = std::fopen(path, "r");
  if (!f) return -1;
  char line[256];
  long long v = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, format, &v) == 1) break;
  std::fclose(f);
  return v;
}

// Room left under the memory cgroup's limit (v2, else v1), or kUnknown when there is none.
// Usage counts page cache; its inactive part is reclaimable, so it counts as room (as for
// a container's "working set").
int64_t cgroup_room() {
  const char* dir = "/sys/fs/cgroup/";
  int64_t limit = read_number("/sys/fs/cgroup/memory.max", "%lld");  // "max" (no limit) does not parse
  int64_t usage = read_number("/sys/fs/cgroup/memory.current", "%lld");
  if (limit < 0) {
    dir = "/sys/fs/cgroup/memory/";
    limit = read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes", "%lld");
    usage = read_number("/sys/fs/cgroup/memory/memory.usage_in_bytes", "%lld");
  }
  if (limit <= 0 || usage < 0 || limit >= (int64_t{1} << 60)) return kUnknown;  // v1 "no limit" is ~2^63
  const int64_t cache = read_number((std::string(dir) + "memory.stat").c_str(), "inactive_file %lld");
  return std::max<int64_t>(0, limit - usage + std::max<int64_t>(0, cache));
}

// Address space left under RLIMIT_AS (ulimit -v), or kUnknown when unlimited.
int64_t address_space_room() {
  struct rlimit r {};
  if (getrlimit(RLIMIT_AS, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return kUnknown;
  const int64_t pages = read_number("/proc/self/statm", "%lld");  // total program size, in pages
  if (pages < 0) return kUnknown;
  const int64_t used = pages * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
  return std::max<int64_t>(0, static_cast<int64_t>(r.rlim_cur) - used);
}

}  // namespace

int64_t available_memory_bytes() {
  const int64_t kb = read_number("/proc/meminfo", "MemAvailable: %lld kB");
  const int64_t meminfo = kb < 0 ? kUnknown : kb * 1024;
  return std::min({meminfo, cgroup_room(), address_space_room()});
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
