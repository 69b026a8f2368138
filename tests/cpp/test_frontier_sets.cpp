// Frontier bookkeeping (kernels/frontier_sets.cpp) against plain scalar references: the start
// bitmap and NaN count (two values per compare for float64), the -0.0 search, and marking a
// listed frontier's bits.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
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
      kernels::start_frontier(k, f, nans);
      const double identity = is_min ? kInf : -kInf;
      int64_t size = 0, expected_nans = 0;
      for (int64_t v = 0; v < n; ++v) {
        const bool in = !std::isnan(x[v]) && x[v] != identity;
        size += in;
        expected_nans += std::isnan(x[v]);
        INFO("n " << n << " node " << v << " value " << x[v]);
        REQUIRE(((f.bits[v >> 6] >> (v & 63)) & 1) == static_cast<uint64_t>(in));
      }
      if (n % 64)  // bits past the last node stay clear
        REQUIRE((f.bits[n >> 6] >> (n & 63)) == 0);
      REQUIRE(f.size == size);
      REQUIRE(nans == expected_nans);
      REQUIRE_FALSE(f.listed);
      REQUIRE_FALSE(f.uniform);
    }
  }
}

TEST_CASE("first_negative_zero finds the first -0.0 at any position, and never a +0.0") {
  for (int64_t n : {0, 1, 7, 8, 9, 64, 257}) {
    std::vector<double> x(static_cast<size_t>(n), 0.0);
    REQUIRE(kernels::first_negative_zero(x.data(), 0, n) == n);
    for (int64_t at = 0; at < n; ++at) {
      x[at] = -0.0;
      if (at + 3 < n) x[at + 3] = -0.0;  // a later one does not hide the first
      REQUIRE(kernels::first_negative_zero(x.data(), 0, n) == at);
      REQUIRE(kernels::first_negative_zero(x.data(), at + 1, n) == (at + 3 < n ? at + 3 : n));
      std::fill(x.begin(), x.end(), 0.0);
    }
  }
  const std::vector<double> specials = {std::nan(""), -std::nan(""), -kInf, -1e-300, -5e-324};
  REQUIRE(kernels::first_negative_zero(specials.data(), 0, static_cast<int64_t>(specials.size())) ==
          static_cast<int64_t>(specials.size()));
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
