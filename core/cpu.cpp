// Optional instruction sets: read the CPU once, then honor SG_CPU_BASELINE.
#include "core/cpu.hpp"

#include <cstdlib>
#include <cstring>

namespace sg {
namespace {

bool baseline_forced() {
  const char* v = std::getenv("SG_CPU_BASELINE");
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

bool detect(CpuFeature feature) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (baseline_forced()) return false;
  switch (feature) {
    case CpuFeature::Avx2: return __builtin_cpu_supports("avx2");
    case CpuFeature::Fma: return __builtin_cpu_supports("fma");
  }
  return false;
#else
  (void)feature;
  return false;
#endif
}

}  // namespace

bool cpu_has(CpuFeature feature) {
  static const bool avx2 = detect(CpuFeature::Avx2);
  static const bool fma = detect(CpuFeature::Fma);
  return feature == CpuFeature::Avx2 ? avx2 : fma;
}

}  // namespace sg
