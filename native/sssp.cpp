// Single-source shortest paths by delta-stepping (Meyer & Sanders 2003, GAP sssp.cc) over the out-CSR.
//
// A label-correcting algorithm: dist only ever decreases (an atomic min by CAS), and every node
// whose dist decreased is relaxed again, so it stops at the fixed point
// dist[v] = min over in-edges (u, v) of fl(dist[u] + w). With non-negative weights rounding is
// monotone, so that fixed point is the minimum over paths of the left-to-right rounded path
// sums - exactly what Dijkstra (scipy, NetworkX) computes, whatever the order or thread count.
//
// Buckets: each thread keeps its own bins, a ring of kWindow bins ahead of the current one
// plus a "far" list for bins beyond it (so a few huge weights cannot allocate billions of
// bins). Small current bins are drained locally without a global round (bucket fusion, as in
// GAP), and small rounds run on the calling thread alone: on high-diameter graphs (grids,
// roads) most rounds are a few hundred nodes, cheaper than waking the other threads.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "kernels/frontier.hpp"
#include "native/native.hpp"

namespace sg::native {

namespace {

constexpr uint64_t kWindow = 1 << 12;      // bins each thread keeps in its ring
constexpr size_t kLocalDrainLimit = 1000;  // drain the current bin locally while it is this small
constexpr size_t kSerialRound = 256;       // a round of at most this many nodes and
constexpr int64_t kSerialEdges = 4096;     // edges runs on the calling thread alone
constexpr uint64_t kNoBin = std::numeric_limits<uint64_t>::max();
constexpr double kLastBin = 4611686018427387904.0;  // 2^62: every larger bin index is clamped here

struct ThreadBins {
  std::vector<std::vector<node_t>> ring = std::vector<std::vector<node_t>>(kWindow);
  size_t in_ring = 0;  // entries in the ring: an empty ring is not scanned
  std::vector<std::pair<uint64_t, node_t>> far;
  uint64_t far_min = kNoBin;
  std::vector<node_t> scratch;

  // bin >= current always holds: a relaxation never lowers a distance below its source's.
  void push(uint64_t bin, node_t v, uint64_t current) {
    if (bin - current < kWindow) {
      ring[bin % kWindow].push_back(v);
      ++in_ring;
    } else {
      far.emplace_back(bin, v);
      far_min = std::min(far_min, bin);
    }
  }
  // Empty bin b (of the ring) into `to` (swapped: no copy).
  void take(uint64_t b, std::vector<node_t>& to) {
    auto& bin = ring[b % kWindow];
    in_ring -= bin.size();
    to.clear();
    to.swap(bin);
  }
  // The smallest non-empty bin >= current.
  uint64_t first_bin(uint64_t current) const {
    if (in_ring)
      for (uint64_t b = current; b < current + kWindow; ++b)
        if (!ring[b % kWindow].empty()) return b;
    return far_min;
  }
  // Move the far entries that now fall inside the ring [current, current + kWindow).
  void refill(uint64_t current) {
    if (far_min >= current + kWindow) return;
    uint64_t new_min = kNoBin;
    size_t kept = 0;
    for (const auto& [bin, v] : far) {
      if (bin - current < kWindow) {
        ring[bin % kWindow].push_back(v);
        ++in_ring;
      } else {
        far[kept++] = {bin, v};
        new_min = std::min(new_min, bin);
      }
    }
    far.resize(kept);
    far_min = new_min;
  }
};

inline double load(const double* p) {
  double v;
  __atomic_load(p, &v, __ATOMIC_RELAXED);
  return v;
}

template <class Csr>
void delta_stepping(Csr out, int64_t source, double delta, double* dist) {
  const double inv_delta = 1.0 / delta;  // a product is monotone in d, as the skip test needs
  auto bin_of = [inv_delta](double d) -> uint64_t {
    const double q = d * inv_delta;
    return q < kLastBin ? static_cast<uint64_t>(q) : static_cast<uint64_t>(kLastBin);
  };
  tbb::enumerable_thread_specific<ThreadBins> bins;
  uint64_t current = 0;

  // Relax u's out-edges with its distance d (read once), filing improved nodes into bins.
  auto relax = [&](ThreadBins& mine, node_t u) {
    const double d = load(&dist[u]);
    if (bin_of(d) < current) return;  // u improved since it was filed; that later entry relaxes it
    for (int64_t k = out.begin(u); k < out.end(u); ++k) {
      const node_t v = out.idx[k];
      double nd = d + (out.w ? out.w[k] : 1.0);  // not const: clang's __atomic_compare_exchange takes a mutable pointer
      double old = load(&dist[v]);
      while (nd < old) {
        if (__atomic_compare_exchange(&dist[v], &old, &nd, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
          mine.push(bin_of(nd), v, current);
          break;
        }
      }
    }
  };
  // Relax this thread's current bin while it stays small, rather than in another global round.
  auto drain = [&](ThreadBins& mine) {
    while (true) {
      const auto& bin = mine.ring[current % kWindow];
      if (bin.empty() || bin.size() >= kLocalDrainLimit) break;
      mine.take(current, mine.scratch);
      for (node_t u : mine.scratch) relax(mine, u);
    }
  };

  auto small_round = [&](const std::vector<node_t>& frontier) {
    if (frontier.size() > kSerialRound) return false;
    int64_t edges = 0;
    for (node_t u : frontier) edges += out.degree(u);
    return edges <= kSerialEdges;
  };

  std::vector<node_t> frontier{static_cast<node_t>(source)};
  dist[source] = 0.0;
  while (true) {
    if (small_round(frontier)) {
      ThreadBins& mine = bins.local();
      for (node_t u : frontier) relax(mine, u);
      drain(mine);
    } else {
      tbb::parallel_for(tbb::blocked_range<size_t>(0, frontier.size(), 64), [&](const tbb::blocked_range<size_t>& r) {
        ThreadBins& mine = bins.local();
        for (size_t i = r.begin(); i != r.end(); ++i) relax(mine, frontier[i]);
        drain(mine);
      });
    }
    uint64_t next = kNoBin;
    for (const ThreadBins& t : bins) next = std::min(next, t.first_bin(current));
    if (next == kNoBin) break;
    current = next;
    frontier.clear();
    for (ThreadBins& t : bins) {
      t.refill(current);
      auto& bin = t.ring[current % kWindow];
      frontier.insert(frontier.end(), bin.begin(), bin.end());
      t.in_ring -= bin.size();
      bin.clear();
    }
  }
}

}  // namespace

namespace detail {

// sssp with a given bucket width (delta <= 0: the automatic choice). Not in native.hpp: a hook
// for tests, which drive the ring, the far list and the 2^62 clamp with extreme widths.
Array<double> sssp_with_delta(const Graph& g, int64_t source, double delta) {
  const int64_t n = g.num_nodes();
  if (source < 0 || source >= n)
    fail(ErrorKind::Parameter, "source {} is out of range for a graph with {} nodes", source, n);
  if (g.has_negative_weights())
    fail(ErrorKind::Parameter,
         "sssp needs non-negative edge weights, but this graph has negative weights (built with "
         "allow_negative_weights=True)");
  if (!(delta <= 0) && !std::isfinite(delta)) fail(ErrorKind::Parameter, "delta must be finite, got {}", delta);
  Array<double> dist(static_cast<size_t>(n));
  parallel_fill(dist.data(), n, std::numeric_limits<double>::infinity());
  g.out().visit(
      [&](auto out) { delta_stepping(out, source, delta > 0 ? delta : kernels::default_delta(g), dist.data()); });
  return dist;
}

}  // namespace detail

Array<double> sssp(const Graph& g, int64_t source) { return detail::sssp_with_delta(g, source, 0.0); }

}  // namespace sg::native
