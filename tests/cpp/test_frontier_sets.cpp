// Frontier bookkeeping (kernels/frontier_sets.cpp) against plain scalar references: the start
// bitmap, NaN count and first -0.0 (two values per compare for float64), and marking a listed
// frontier's bits.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "graph/graph.hpp"
#include "kernels/frontier.hpp"

using namespace sg;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

GraphPtr edgeless(int64_t n) {
  const std::vector<int64_t> none;
  return Graph::from_edges(none.data(), none.data(), nullptr, 0, n, BuildOptions{});
}

// Values drawn from finite numbers, the identity (inf), NaN, -inf and both zeros.
std::vector<double> mixed_values(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  const double pool[] = {kInf, kInf, kInf, std::nan(""), -kInf, 0.0, -0.0, 1.5, 3.0, -2.0};
  std::vector<double> x(static_cast<size_t>(n));
  for (double& v : x) v = pool[rng() % 10];
  return x;
}

}  // namespace

TEST_CASE("start_frontier marks every node that is neither the identity nor NaN, and counts the NaNs") {
  for (int64_t n : {1, 2, 63, 64, 65, 127, 128, 1000, 70001}) {
    for (bool is_min : {true, false}) {
      std::vector<double> x = mixed_values(n, static_cast<uint32_t>(n) * 2 + is_min);
      GraphPtr g = edgeless(n);
      kernels::FrontierKernel k;
      k.g = g.get();
      k.is_min = is_min;
      k.dtype = DType::F64;
      k.x = reinterpret_cast<unsigned char*>(x.data());
      kernels::Frontier f;
      f.allocate(n);
      int64_t nans = -1;
      const int64_t negative_zero = kernels::start_frontier(k, f, nans);
      const double identity = is_min ? kInf : -kInf;
      int64_t size = 0, expected_nans = 0, first_negative_zero = n;
      for (int64_t v = 0; v < n; ++v) {
        const bool in = !std::isnan(x[v]) && x[v] != identity;
        size += in;
        expected_nans += std::isnan(x[v]);
        if (x[v] == 0 && std::signbit(x[v]) && first_negative_zero == n) first_negative_zero = v;
        INFO("n " << n << " node " << v << " value " << x[v]);
        REQUIRE(((f.bits[v >> 6] >> (v & 63)) & 1) == static_cast<uint64_t>(in));
      }
      if (n % 64)  // bits past the last node stay clear
        REQUIRE((f.bits[n >> 6] >> (n & 63)) == 0);
      REQUIRE(f.size == size);
      REQUIRE(nans == expected_nans);
      REQUIRE(negative_zero == first_negative_zero);
      REQUIRE_FALSE(f.listed);
      REQUIRE_FALSE(f.uniform);
    }
  }
}

// start_frontier's first -0.0 over values of type T (the float64 path compares two at a time).
template <class T>
int64_t first_negative_zero(std::vector<T>& x, DType dtype) {
  const int64_t n = static_cast<int64_t>(x.size());
  GraphPtr g = edgeless(n);
  kernels::FrontierKernel k;
  k.g = g.get();
  k.is_min = true;
  k.dtype = dtype;
  k.x = reinterpret_cast<unsigned char*>(x.data());
  kernels::Frontier f;
  f.allocate(n);
  int64_t nans = 0;
  return kernels::start_frontier(k, f, nans);
}

TEMPLATE_TEST_CASE("start_frontier finds the first -0.0 at any position, and never a +0.0", "", double, float) {
  const DType dtype = std::is_same_v<TestType, double> ? DType::F64 : DType::F32;
  for (int64_t n : {1, 7, 8, 9, 64, 65, 257}) {
    std::vector<TestType> x(static_cast<size_t>(n), TestType(0));
    REQUIRE(first_negative_zero(x, dtype) == n);
    for (int64_t at = 0; at < n; ++at) {
      x[at] = TestType(-0.0);
      if (at + 3 < n) x[at + 3] = TestType(-0.0);  // a later one does not hide the first
      REQUIRE(first_negative_zero(x, dtype) == at);
      std::fill(x.begin(), x.end(), TestType(0));
    }
  }
  // Past the first parallel chunk (256 words): the smallest over the chunks wins.
  std::vector<TestType> big(100000, TestType(1));
  big[99999] = big[70000] = big[40000] = TestType(-0.0);
  REQUIRE(first_negative_zero(big, dtype) == 40000);
  const TestType inf = std::numeric_limits<TestType>::infinity();
  std::vector<TestType> specials = {std::numeric_limits<TestType>::quiet_NaN(),
                                    -std::numeric_limits<TestType>::quiet_NaN(), -inf, TestType(-1e-30),
                                    -std::numeric_limits<TestType>::denorm_min()};
  REQUIRE(first_negative_zero(specials, dtype) == static_cast<int64_t>(specials.size()));
}

TEST_CASE("mark_frontier sets exactly the listed nodes' bits") {
  for (int64_t n : {100, 20000}) {  // the serial and the parallel marking
    kernels::Frontier f;
    f.allocate(n);
    std::vector<char> in(static_cast<size_t>(n), 0);
    std::mt19937 rng(7);
    for (int64_t v = 0; v < n; ++v)
      if (rng() % 3 == 0) {
        f.list[f.size++] = static_cast<node_t>(v);
        in[v] = 1;
      }
    f.listed = true;
    f.has_bits = false;
    kernels::mark_frontier(f);
    REQUIRE(f.has_bits);
    REQUIRE_FALSE(f.clean);
    for (int64_t v = 0; v < n; ++v) REQUIRE(((f.bits[v >> 6] >> (v & 63)) & 1) == static_cast<uint64_t>(in[v]));
  }
}
