// The AVX2 double -> int64 cast gives convert()'s bits on every kind of value, at every offset.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "core/cpu.hpp"
#include "kernels/cast_avx2.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
TEST_CASE("cast_f64_i64_avx2 equals convert on specials, edges and random values", "[cast]") {
  if (!sg::cpu_has(sg::CpuFeature::Avx2)) {
    WARN("no AVX2 on this CPU (or SG_CPU_BASELINE set): the AVX2 cast is not run");
    return;
  }
  const double inf = std::numeric_limits<double>::infinity();
  const double p51 = std::ldexp(1.0, 51), p52 = std::ldexp(1.0, 52), p63 = std::ldexp(1.0, 63);
  std::vector<double> x = {0.0,
                           -0.0,
                           0.5,
                           -0.5,
                           0.9999999999999999,
                           -1.5,
                           2.5,
                           7.0,
                           -7.0,
                           inf,
                           -inf,
                           std::nan(""),
                           -std::nan(""),
                           p51 - 0.5,
                           -(p51 - 0.5),
                           p51,
                           -p51,
                           p51 + 0.5,
                           p52,
                           -p52,
                           p63,
                           -p63,
                           std::nextafter(p63, 0.0),
                           -std::nextafter(p63, 0.0),
                           1e300,
                           -1e300,
                           5e-324,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::lowest()};
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-4.0, 66.0);
  std::uniform_int_distribution<int> coin(0, 1);
  for (int i = 0; i < 4000; ++i) x.push_back((coin(rng) ? 1.0 : -1.0) * std::exp2(exponent(rng)));
  for (int i = 0; i < 200; ++i) x.push_back(i % 3 ? inf : static_cast<double>(i));  // mostly-inf groups
  // Every start offset and length, so each value meets each lane and the scalar tail.
  for (size_t start = 0; start < 4; ++start) {
    const size_t len = x.size() - start;
    std::vector<int64_t> got(len), want(len);
    sg::kernels::cast_f64_i64_avx2(x.data() + start, got.data(), static_cast<int64_t>(len));
    for (size_t i = 0; i < len; ++i) want[i] = sg::kernels::convert<double, int64_t>(x[start + i]);
    for (size_t i = 0; i < len; ++i) {
      INFO("x = " << x[start + i] << " at " << i << " from offset " << start);
      REQUIRE(got[i] == want[i]);
    }
  }
}
#endif
