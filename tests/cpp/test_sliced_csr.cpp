// The sliced CSR (graph/sliced_csr.hpp): it holds every edge once, and its row sums have
// row_sum's bits on graphs with hubs, sinks, self-loops, multi-edges, isolated nodes, empty
// and single-node graphs, weighted or not, narrow or wide offsets, in and out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "graph/graph.hpp"
#include "kernels/gather.hpp"

using namespace sg;

namespace {

struct Case {
  int64_t n, m;
  bool directed, weighted, wide;
  double hub;  // fraction of edges into node 0 (one row longer than a block's edge budget)
};

GraphPtr random_graph(const Case& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> src, dst;
  std::vector<double> w;
  std::uniform_int_distribution<int64_t> node(0, std::max<int64_t>(c.n - 1, 0));
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  for (int64_t i = 0; i < c.m && c.n > 0; ++i) {
    const int64_t a = node(rng) / 2;  // no out-edges from the upper half: sinks
    const bool to_hub = real(rng) * 0.5 + 0.5 < c.hub;
    src.push_back(a);
    dst.push_back(to_hub ? 0
                         : (i % 7 == 0 ? a : node(rng) % std::max<int64_t>(1, c.n - 3)));  // self-loops, isolated tail
    w.push_back(real(rng) * 1e3);
  }
  for (int64_t i = 0; i < c.m / 10 && !src.empty(); ++i) {  // multi-edges
    src.push_back(src[static_cast<size_t>(i)]);
    dst.push_back(dst[static_cast<size_t>(i)]);
    w.push_back(real(rng));
  }
  BuildOptions o;
  o.directed = c.directed;
  o.wide_offsets = c.wide;
  o.allow_negative_weights = true;
  return Graph::from_edges(src.data(), dst.data(), c.weighted ? w.data() : nullptr, static_cast<int64_t>(src.size()),
                           c.n, o);
}

// Each block's row sums, sliced and row by row, must agree in bits (and as int64, wrapping).
template <class T>
void check_sums(const Graph& g, bool incoming, const std::vector<T>& x) {
  const SlicedCsr& s = g.sliced(incoming);
  const Partition& part = g.partition();
  g.csr(incoming).visit([&](auto c) {
    int64_t slots = 0;
    for (int64_t b = 0; b < part.num_blocks(); ++b) {
      const int64_t lo = part.begin(b), hi = part.end(b);
      auto edge = [&](const int32_t* idx, const double* w, int64_t k) {
        if constexpr (std::is_integral_v<T>)
          return x[idx[k]];
        else
          return w ? x[idx[k]] * static_cast<T>(w[k]) : x[idx[k]];
      };
      std::vector<T> want(static_cast<size_t>(hi - lo)), got(want.size(), T(-7));
      for (int64_t v = lo; v < hi; ++v)
        want[v - lo] = row_sum<T>(c.begin(v), c.end(v), [&](int64_t k) { return edge(c.idx, c.w, k); });
      // Window by window through view(part, lo, hi), as the interpreter's strips ask.
      for (int64_t w0 = lo; w0 < hi; w0 += kSortWindow) {
        const int64_t w1 = std::min(hi, w0 + kSortWindow);
        const SlicedView sv = s.view(part, w0, w1);
        sliced_row_sums<T>(
            sv, [&](int64_t k) { return edge(sv.src, sv.w, k); }, got.data() + (w0 - lo));
        slots += sv.last - sv.first;
      }
      REQUIRE(std::memcmp(want.data(), got.data(), want.size() * sizeof(T)) == 0);
      const SlicedView whole = s.view(part, b);
      std::vector<T> again(want.size(), T(-7));
      sliced_row_sums<T>(
          whole, [&](int64_t k) { return edge(whole.src, whole.w, k); }, again.data());
      REQUIRE(std::memcmp(want.data(), again.data(), want.size() * sizeof(T)) == 0);
    }
    CHECK(slots == s.num_slices());
  });
}

}  // namespace

TEST_CASE("sliced row sums have row_sum's bits", "[sliced]") {
  const std::vector<Case> cases = {
      {0, 0, true, false, false, 0},        {1, 0, true, false, false, 0},
      {1, 3, true, true, false, 0},         {37, 200, true, false, false, 0},
      {37, 200, false, true, false, 0},     {5000, 60000, true, true, false, 0.02},
      {5000, 60000, false, false, true, 0}, {3000, 90000, true, false, false, 0.8},
  };
  uint64_t seed = 1;
  for (const Case& c : cases) {
    INFO("n=" << c.n << " m=" << c.m << " directed=" << c.directed << " weighted=" << c.weighted << " wide=" << c.wide);
    GraphPtr g = random_graph(c, seed++);
    std::vector<double> x(static_cast<size_t>(g->num_nodes()));
    std::vector<int64_t> xi(x.size());
    std::mt19937_64 rng(seed);
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = std::ldexp(static_cast<double>(rng() % 2000001) - 1e6, static_cast<int>(rng() % 40) - 20);
      xi[i] = static_cast<int64_t>(rng());  // sums wrap
    }
    if (!x.empty()) x[x.size() / 2] = -0.0;
    for (bool incoming : {true, false}) {
      check_sums(*g, incoming, x);
      check_sums(*g, incoming, xi);
    }
  }
}

TEST_CASE("the sliced CSR holds every edge once, rows by descending degree", "[sliced]") {
  GraphPtr g = random_graph({4000, 50000, true, true, false, 0.3}, 99);
  const SlicedCsr& s = g->sliced(true);
  CHECK(&s == &g->sliced(true));  // built once
  const Csr& in = g->in();
  std::vector<int64_t> seen(static_cast<size_t>(g->num_nodes()), 0);
  int64_t used = 0;
  const Partition& part = g->partition();
  for (int64_t b = 0; b < part.num_blocks(); ++b) {
    int64_t sl = s.block_slice[b];
    for (int64_t w0 = part.begin(b); w0 < part.end(b); w0 += kSortWindow) {
      const int64_t m = std::min(part.end(b) - w0, kSortWindow);  // the window's rows
      for (int64_t i = 0; i < m; i += kSliceRows, ++sl) {
        CHECK(s.slice_at[sl] % kSliceRows == 0);  // aligned steps
        const uint32_t* len = s.len.data() + sl * kSliceRows;
        int64_t total = 0, longer = INT64_MAX;
        for (int r = 0; r < kSliceRows; ++r) {
          const uint16_t place = s.row[sl * kSliceRows + r];
          int64_t d = 0;  // row r is in the parts where at least r + 1 rows are left
          for (int p = 0; p < kSliceRows - r; ++p) d += len[p];
          CHECK(d <= longer);  // descending degree
          longer = d;
          total += d;
          if (i + r >= m) {  // past the window's last row
            CHECK(place == kNoRow);
            CHECK(d == 0);
            continue;
          }
          REQUIRE(place < m);
          const int64_t v = w0 + place;
          CHECK(d == in.row_begin(v + 1) - in.row_begin(v));
          ++seen[static_cast<size_t>(v)];
        }
        CHECK(s.slice_at[sl + 1] - s.slice_at[sl] - total >= 0);
        CHECK(s.slice_at[sl + 1] - s.slice_at[sl] - total < kSliceRows);
        used += total;
      }
    }
    CHECK(sl == s.block_slice[b + 1]);
    CHECK(s.view(part, b).rows == part.end(b) - part.begin(b));
  }
  CHECK(used == in.nnz);
  for (int64_t c : seen) CHECK(c == 1);
  // A range that is not whole windows of one block is a bug in the caller.
  if (part.end(0) - part.begin(0) > kSortWindow) CHECK_THROWS_AS(s.view(part, 1, kSortWindow), std::logic_error);
}
