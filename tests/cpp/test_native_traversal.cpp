// Native components, label propagation, BFS, SSSP and degree centrality on hand-checked graphs, and 1 vs 2 threads.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "graph/graph.hpp"
#include "native/native.hpp"

using namespace sg;

namespace sg::native::detail {
// Test hook defined in native/sssp.cpp (not in native.hpp): sssp with a given bucket width.
Array<double> sssp_with_delta(const Graph& g, int64_t source, double delta);
}  // namespace sg::native::detail

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

GraphPtr make(std::vector<int64_t> src, std::vector<int64_t> dst, int64_t n, bool directed = true,
              const std::vector<double>& w = {}, bool wide = false) {
  BuildOptions opts;
  opts.directed = directed;
  opts.wide_offsets = wide;
  opts.allow_negative_weights = true;
  return Graph::from_edges(src.data(), dst.data(), w.empty() ? nullptr : w.data(), static_cast<int64_t>(src.size()), n,
                           opts);
}

template <class T>
std::vector<T> vec(const Array<T>& a) {
  return std::vector<T>(a.begin(), a.end());
}

// Bitwise equality (so -0.0 vs 0.0 or a different NaN would count as a difference).
template <class T>
bool same_bits(const Array<T>& a, const Array<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// Textbook lazy Dijkstra over the edge list: dist[v] = min over settled u of dist[u] + w.
std::vector<double> dijkstra(const std::vector<int64_t>& src, const std::vector<int64_t>& dst,
                             const std::vector<double>& w, int64_t n, int64_t source) {
  std::vector<std::vector<std::pair<int64_t, double>>> adj(static_cast<size_t>(n));
  for (size_t i = 0; i < src.size(); ++i) adj[src[i]].emplace_back(dst[i], w[i]);
  std::vector<double> dist(static_cast<size_t>(n), kInf);
  using Item = std::pair<double, int64_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
  dist[source] = 0.0;
  heap.emplace(0.0, source);
  while (!heap.empty()) {
    const auto [d, u] = heap.top();
    heap.pop();
    if (d > dist[u]) continue;
    for (const auto& [v, wv] : adj[u]) {
      const double nd = d + wv;
      if (nd < dist[v]) {
        dist[v] = nd;
        heap.emplace(nd, v);
      }
    }
  }
  return dist;
}

struct ThreadLimit {
  explicit ThreadLimit(int n) { set_num_threads(n); }
  ~ThreadLimit() { set_num_threads(0); }
};

}  // namespace

TEST_CASE("connected components: weak, labelled by the smallest id", "[native]") {
  for (bool wide : {false, true}) {
    // 4 -> 1 <- 3, 0 -> 2, 5 alone, 6 <-> 7 with a self-loop on 7
    auto g = make({4, 3, 0, 6, 7, 7}, {1, 1, 2, 7, 6, 7}, 8, true, {}, wide);
    CHECK(vec(native::connected_components(*g)) == std::vector<int64_t>{0, 1, 0, 1, 1, 5, 6, 6});
    auto u = make({4, 3, 0, 6, 7, 7}, {1, 1, 2, 7, 6, 7}, 8, false, {}, wide);
    CHECK(vec(native::connected_components(*u)) == std::vector<int64_t>{0, 1, 0, 1, 1, 5, 6, 6});
  }
  // A chain given from its far end, so the roots must be re-hooked down to node 0.
  std::vector<int64_t> src, dst;
  for (int64_t v = 99; v > 0; --v) {
    src.push_back(v);
    dst.push_back(v - 1);
  }
  auto chain = make(src, dst, 100);
  CHECK(vec(native::connected_components(*chain)) == std::vector<int64_t>(100, 0));
  CHECK(native::connected_components(*make({}, {}, 0)).size() == 0);
}

TEST_CASE("bfs: hop levels along out-edges, -1 unreachable", "[native]") {
  // 0 -> 1 -> 2 -> 3, 0 -> 2, 4 -> 0
  auto g = make({0, 1, 2, 0, 4}, {1, 2, 3, 2, 0}, 5);
  CHECK(vec(native::bfs(*g, 0)) == std::vector<int64_t>{0, 1, 1, 2, -1});
  CHECK(vec(native::bfs(*g, 4)) == std::vector<int64_t>{1, 2, 2, 3, 0});
  CHECK(vec(native::bfs(*g, 3)) == std::vector<int64_t>{-1, -1, -1, 0, -1});
  auto u = make({0, 1, 2, 0, 4}, {1, 2, 3, 2, 0}, 6, false);
  CHECK(vec(native::bfs(*u, 3)) == std::vector<int64_t>{2, 2, 1, 0, 3, -1});
  // A star: the frontier after one step is the whole graph, so the bottom-up step runs.
  std::vector<int64_t> src, dst;
  for (int64_t v = 1; v < 1000; ++v) {
    src.push_back(0);
    dst.push_back(v);
    src.push_back(v);
    dst.push_back((v % 999) + 1);  // a ring among the leaves
  }
  auto star = make(src, dst, 1001);
  auto levels = native::bfs(*star, 5);
  CHECK(levels[5] == 0);
  CHECK(levels[6] == 1);
  CHECK(levels[0] == -1);
  CHECK(levels[1000] == -1);
  auto from_hub = native::bfs(*star, 0);
  for (int64_t v = 1; v < 1000; ++v) REQUIRE(from_hub[v] == 1);
  REQUIRE_THROWS_WITH(native::bfs(*g, 5), Catch::Contains("source 5 is out of range for a graph with 5 nodes"));
  REQUIRE_THROWS_WITH(native::bfs(*g, -1), Catch::Contains("source -1 is out of range"));
  REQUIRE_THROWS_AS(native::bfs(*make({}, {}, 0), 0), Error);
}

TEST_CASE("sssp: Dijkstra distances, lightest parallel edge, inf unreachable", "[native]") {
  // 0 -(1)-> 1 -(2)-> 2, 0 -(4)-> 2, a lighter parallel 1 -(0.5)-> 2, 2 -(0)-> 3, 4 -(1)-> 0
  auto g = make({0, 1, 0, 1, 2, 4}, {1, 2, 2, 2, 3, 0}, 6, true, {1.0, 2.0, 4.0, 0.5, 0.0, 1.0});
  CHECK(vec(native::sssp(*g, 0)) == std::vector<double>{0.0, 1.0, 1.5, 1.5, kInf, kInf});
  CHECK(vec(native::sssp(*g, 4)) == std::vector<double>{1.0, 2.0, 2.5, 2.5, 0.0, kInf});
  auto unweighted = make({0, 1, 0, 1, 2, 4}, {1, 2, 2, 2, 3, 0}, 6);
  CHECK(vec(native::sssp(*unweighted, 0)) == std::vector<double>{0.0, 1.0, 1.0, 2.0, kInf, kInf});
  // Rounding: 0.1 + 0.2 (two hops) is 0.30000000000000004 > 0.3 (one hop), left to right.
  auto r = make({0, 1, 0}, {1, 2, 2}, 3, true, {0.1, 0.2, 0.3});
  CHECK(native::sssp(*r, 0)[2] == 0.3);
  auto r2 = make({0, 1, 0}, {1, 2, 2}, 3, true, {0.1, 0.2, 0.31});
  CHECK(native::sssp(*r2, 0)[2] == 0.1 + 0.2);
  // A huge weight lands far past the bucket window.
  auto far = make({0, 0, 1, 2}, {1, 2, 3, 3}, 4, true, {1e300, 1.0, 1.0, 1e200});
  CHECK(vec(native::sssp(*far, 0)) == std::vector<double>{0.0, 1e300, 1.0, 1e200 + 1.0});
  auto neg = make({0, 1}, {1, 2}, 3, true, {1.0, -0.5});
  REQUIRE_THROWS_WITH(native::sssp(*neg, 0), Catch::Contains("non-negative edge weights"));
  REQUIRE_THROWS_WITH(native::sssp(*g, 6), Catch::Contains("source 6 is out of range for a graph with 6 nodes"));
}

TEST_CASE("sssp buckets: any width, far bins and the 2^62 clamp give Dijkstra's distances", "[native]") {
  std::mt19937_64 rng(7);
  const int64_t n = 3000, m = 24000;
  std::vector<int64_t> src(m), dst(m);
  std::vector<double> w(m);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int64_t i = 0; i < m; ++i) {
    src[i] = static_cast<int64_t>(rng() % n);
    dst[i] = static_cast<int64_t>(rng() % n);
    const double r = unit(rng);
    w[i] = r < 0.05 ? 0.0 : r < 0.07 ? std::pow(10.0, 3 + 290 * unit(rng)) : unit(rng) * 2.0;
  }
  auto g = make(src, dst, n, true, w);
  for (int64_t source : {int64_t{0}, int64_t{17}, n - 1}) {
    const auto expect = dijkstra(src, dst, w, n, source);
    for (double delta : {1e-300, 1e-9, 1e-3, 0.05, 1.0, 1e6, 1e300, 0.0}) {
      for (int threads : {1, 2}) {
        ThreadLimit limit(threads);
        const auto got = native::detail::sssp_with_delta(*g, source, delta);
        INFO("source " << source << " delta " << delta << " threads " << threads);
        REQUIRE(vec(got) == expect);
      }
    }
  }
  REQUIRE_THROWS_WITH(native::detail::sssp_with_delta(*g, 0, std::numeric_limits<double>::infinity()),
                      Catch::Contains("delta must be finite"));
}

TEST_CASE("label propagation: synchronous mode, ties to the smallest label", "[native]") {
  // Triangles 0-1-2 and 3-4-5 joined by 2-3, node 6 isolated; worked out by hand:
  // [1,0,0,2,3,3,6] -> [0,0,0,3,2,2,6] -> [0,0,0,2,2,2,6] -> no change.
  auto g = make({0, 1, 2, 3, 4, 5, 2}, {1, 2, 0, 4, 5, 3, 3}, 7, false);
  auto r = native::label_propagation(*g, 100);
  CHECK(vec(r.values) == std::vector<int64_t>{0, 0, 0, 2, 2, 2, 6});
  CHECK(r.iterations == 4);
  CHECK(r.converged);
  auto two = native::label_propagation(*g, 2);
  CHECK(vec(two.values) == std::vector<int64_t>{0, 0, 0, 3, 2, 2, 6});
  CHECK(two.iterations == 2);
  CHECK_FALSE(two.converged);
  auto zero = native::label_propagation(*g, 0);
  CHECK(vec(zero.values) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6});
  CHECK(zero.iterations == 0);
  CHECK_FALSE(zero.converged);

  // One undirected edge: the two ends swap labels forever.
  auto pair = make({0}, {1}, 2, false);
  auto osc = native::label_propagation(*pair, 5);
  CHECK(vec(osc.values) == std::vector<int64_t>{1, 0});
  CHECK(osc.iterations == 5);
  CHECK_FALSE(osc.converged);

  // Directed: 1 -> 0, 2 -> 0, 0 -> 3 and a directed self-loop on 3 (an in- and an out-edge).
  // Pass 1: 0 sees {1, 2, 3} -> 1; 1 sees {0} -> 0; 2 sees {0} -> 0; 3 sees {0, 3, 3} -> 3.
  // Pass 2: 0 sees {0, 0, 3} -> 0; 1, 2 see {1} -> 1; 3 sees {1, 3, 3} -> 3. Then they swap.
  auto d = make({1, 2, 0, 3}, {0, 0, 3, 3}, 4);
  CHECK(vec(native::label_propagation(*d, 1).values) == std::vector<int64_t>{1, 0, 0, 3});
  CHECK(vec(native::label_propagation(*d, 2).values) == std::vector<int64_t>{0, 1, 1, 3});
  // Parallel edges count once each: 0 has neighbors {1, 1, 2} (undirected) -> 1.
  auto multi = make({0, 0, 0}, {1, 1, 2}, 3, false);
  CHECK(native::label_propagation(*multi, 1).values[0] == 1);
  REQUIRE_THROWS_WITH(native::label_propagation(*g, -1), Catch::Contains("max_iter must be >= 0, got -1"));
}

TEST_CASE("degree centrality: (in + out) / (n - 1), undirected self-loop once", "[native]") {
  auto d = make({0, 1, 1}, {1, 1, 2}, 4);
  CHECK(vec(native::degree_centrality(*d)) == std::vector<double>{1.0 / 3, 4.0 / 3, 1.0 / 3, 0.0});
  auto u = make({0, 1, 1}, {1, 1, 2}, 3, false);
  CHECK(vec(native::degree_centrality(*u)) == std::vector<double>{0.5, 1.5, 0.5});
  CHECK(vec(native::degree_centrality(*make({}, {}, 1))) == std::vector<double>{1.0});
  CHECK(native::degree_centrality(*make({}, {}, 0)).size() == 0);
}

TEST_CASE("every traversal kernel gives the same bits on 1 and 2 threads", "[native][parallel]") {
  std::mt19937_64 rng(42);
  const int64_t n = 50000, m = 300000;
  std::vector<int64_t> src(m), dst(m);
  std::vector<double> w(m);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int64_t i = 0; i < m; ++i) {
    src[i] = static_cast<int64_t>(static_cast<double>(n) * std::pow(unit(rng), 3));  // hubs and sinks
    dst[i] = static_cast<int64_t>(static_cast<double>(n) * unit(rng));
    w[i] = unit(rng) * 3.0;
  }
  for (bool directed : {true, false}) {
    auto g = make(src, dst, n, directed, w);
    auto run = [&](int threads) {
      ThreadLimit limit(threads);
      struct Out {
        Array<int64_t> cc, lp, bfs0, bfs1;
        Array<double> sssp0, sssp1, dc;
        int64_t lp_iterations;
        bool lp_converged;
      } o;
      o.cc = native::connected_components(*g);
      auto lp = native::label_propagation(*g, 20);
      o.lp = std::move(lp.values);
      o.lp_iterations = lp.iterations;
      o.lp_converged = lp.converged;
      o.bfs0 = native::bfs(*g, 0);
      o.bfs1 = native::bfs(*g, n - 1);
      o.sssp0 = native::sssp(*g, 0);
      o.sssp1 = native::sssp(*g, n - 1);
      o.dc = native::degree_centrality(*g);
      return o;
    };
    auto one = run(1);
    auto two = run(2);
    CHECK(same_bits(one.cc, two.cc));
    CHECK(same_bits(one.lp, two.lp));
    CHECK(one.lp_iterations == two.lp_iterations);
    CHECK(one.lp_converged == two.lp_converged);
    CHECK(same_bits(one.bfs0, two.bfs0));
    CHECK(same_bits(one.bfs1, two.bfs1));
    CHECK(same_bits(one.sssp0, two.sssp0));
    CHECK(same_bits(one.sssp1, two.sssp1));
    CHECK(same_bits(one.dc, two.dc));
    // Consistency across kernels: reachable by BFS <=> finite distance <=> same component.
    for (int64_t v = 0; v < n; ++v) {
      REQUIRE((one.bfs0[v] >= 0) == std::isfinite(one.sssp0[v]));
      if (one.bfs0[v] >= 0) REQUIRE(one.cc[v] == one.cc[0]);
    }
  }
}
