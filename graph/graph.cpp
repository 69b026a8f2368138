// Graph construction: validation, then parallel stable counting sorts (O(n + m) each).
#include "graph/graph.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

#include "core/error.hpp"
#include "core/memory.hpp"

namespace sg {

namespace {

struct IdRange {
  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
};

template <class Id>
IdRange id_range(const Id* a, int64_t m) {
  return tbb::parallel_reduce(
      tbb::blocked_range<int64_t>(0, m, 1 << 16), IdRange{},
      [&](const tbb::blocked_range<int64_t>& r, IdRange acc) {
        for (int64_t i = r.begin(); i != r.end(); ++i) {
          const int64_t v = static_cast<int64_t>(a[i]);
          acc.lo = std::min(acc.lo, v);
          acc.hi = std::max(acc.hi, v);
        }
        return acc;
      },
      [](IdRange x, IdRange y) {
        return IdRange{std::min(x.lo, y.lo), std::max(x.hi, y.hi)};
      });
}

// Name the first offending entry: only runs once we know one exists.
template <class Id>
[[noreturn]] void report_bad_id(const char* name, const Id* a, int64_t m, int64_t n) {
  for (int64_t i = 0; i < m; ++i) {
    const int64_t v = static_cast<int64_t>(a[i]);
    if (v < 0) fail(ErrorKind::Graph, "{}[{}] = {} is a negative node id", name, i, v);
    if (v >= n) fail(ErrorKind::Graph, "{}[{}] = {} is out of range for num_nodes = {}", name, i, v, n);
  }
  fail(ErrorKind::Graph, "{} holds an invalid node id", name);
}

struct WeightCheck {
  bool non_finite = false, negative = false;
};

WeightCheck check_weights(const double* w, int64_t m) {
  return tbb::parallel_reduce(
      tbb::blocked_range<int64_t>(0, m, 1 << 16), WeightCheck{},
      [&](const tbb::blocked_range<int64_t>& r, WeightCheck acc) {
        for (int64_t i = r.begin(); i != r.end(); ++i) {
          acc.non_finite |= !std::isfinite(w[i]);
          acc.negative |= w[i] < 0;
        }
        return acc;
      },
      [](WeightCheck x, WeightCheck y) {
        return WeightCheck{x.non_finite || y.non_finite, x.negative || y.negative};
      });
}

// How many fixed chunks a counting sort of `count` entries into n rows uses: a function of
// the sizes only (never of the thread count), so row order is deterministic.
int64_t sort_chunks(int64_t n, int64_t count) {
  constexpr int64_t kMinChunk = int64_t{1} << 18;
  int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(16, (count + kMinChunk - 1) / kMinChunk));
  if (n > 0) chunks = std::max<int64_t>(1, std::min<int64_t>(chunks, (int64_t{1} << 25) / n));
  return chunks;
}

// Stable counting sort into CSR rows. for_each(p, emit) calls emit(key, val, weight_index)
// for chunk p's entries in order (return value ignored); entries keep that order per row.
template <class ForEach>
void counting_sort(Csr& csr, int64_t n, int64_t chunks, ForEach for_each, const double* w, bool force_wide) {
  csr.num_rows = n;
  Array<uint32_t> counts(static_cast<size_t>(chunks * n));
  parallel_fill<uint32_t>(counts.data(), chunks * n, 0);
  parallel_range(chunks, 1, [&](int64_t pb, int64_t pe) {
    for (int64_t p = pb; p < pe; ++p) {
      uint32_t* c = counts.data() + p * n;
      for_each(p, [&](int64_t key, node_t, int64_t) { ++c[key]; });
    }
  });

  Array<int64_t> degree(static_cast<size_t>(n));
  parallel_range(n, 1 << 14, [&](int64_t kb, int64_t ke) {
    for (int64_t k = kb; k < ke; ++k) {
      int64_t running = 0;
      for (int64_t p = 0; p < chunks; ++p) {
        const uint32_t c = counts[p * n + k];
        counts[p * n + k] = static_cast<uint32_t>(running);  // chunk p's start inside row k
        running += c;
      }
      degree[k] = running;
    }
  });

  csr.max_degree = tbb::parallel_reduce(
      tbb::blocked_range<int64_t>(0, n, 1 << 14), int64_t{0},
      [&](const tbb::blocked_range<int64_t>& r, int64_t most) {
        for (int64_t k = r.begin(); k != r.end(); ++k) most = std::max(most, degree[k]);
        return most;
      },
      [](int64_t a, int64_t b) { return std::max(a, b); });
  Array<int64_t> off(static_cast<size_t>(n) + 1);
  csr.nnz = exclusive_scan(degree.data(), off.data(), n);
  csr.wide = force_wide || csr.nnz >= kWideOffsetEdges;
  csr.idx = Array<node_t>(static_cast<size_t>(csr.nnz));
  csr.w = w ? Array<double>(static_cast<size_t>(csr.nnz)) : Array<double>();

  parallel_range(chunks, 1, [&](int64_t pb, int64_t pe) {
    for (int64_t p = pb; p < pe; ++p) {
      uint32_t* c = counts.data() + p * n;
      for_each(p, [&](int64_t key, node_t val, int64_t wi) {
        const int64_t pos = off[key] + c[key]++;
        csr.idx[pos] = val;
        if (w) csr.w[pos] = w[wi];
      });
    }
  });

  if (csr.wide) {
    csr.off64 = std::move(off);
  } else {
    csr.off32 = Array<uint32_t>(static_cast<size_t>(n) + 1);
    parallel_range(n + 1, 1 << 16, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) csr.off32[i] = static_cast<uint32_t>(off[i]);
    });
  }
}

// Counting sort of `count` virtual edges; edge(i, key, val) returns false for one to skip.
template <class EdgeFn>
void sort_edges(Csr& csr, int64_t n, int64_t count, EdgeFn edge, const double* w, int64_t m, bool force_wide) {
  const int64_t chunks = sort_chunks(n, count);
  const int64_t chunk = std::max<int64_t>(1, (count + chunks - 1) / chunks);
  counting_sort(
      csr, n, chunks,
      [&](int64_t p, auto&& emit) {
        int64_t key;
        node_t val;
        for (int64_t i = p * chunk, e = std::min(count, (p + 1) * chunk); i < e; ++i)
          if (edge(i, key, val)) emit(key, val, m > 0 ? i % m : 0);
      },
      w, force_wide);
}

// out = the transpose of a: rows come out sorted by neighbor id (ties keep a's order).
void transpose(const Csr& a, Csr& out, bool force_wide) {
  const int64_t n = a.num_rows;
  const int64_t chunks = sort_chunks(n, a.nnz);
  // Chunk p covers the rows holding entries [p * nnz / chunks, ...): fixed by the data.
  std::vector<int64_t> row_start(static_cast<size_t>(chunks) + 1, n);
  row_start[0] = 0;
  a.visit([&](auto c) {
    for (int64_t p = 1; p < chunks; ++p) {
      const int64_t target = a.nnz * p / chunks;
      int64_t lo = row_start[p - 1], hi = n;  // first row whose start is >= target
      while (lo < hi) {
        const int64_t mid = (lo + hi) / 2;
        if (c.begin(mid) < target)
          lo = mid + 1;
        else
          hi = mid;
      }
      row_start[p] = lo;
    }
    counting_sort(
        out, n, chunks,
        [&](int64_t p, auto&& emit) {
          for (int64_t u = row_start[p]; u < row_start[p + 1]; ++u)
            for (int64_t k = c.begin(u); k < c.end(u); ++k) emit(c.idx[k], static_cast<node_t>(u), k);
        },
        c.w, force_wide);
  });
}

}  // namespace

double Graph::build_bytes(int64_t num_nodes, int64_t num_edges, bool weighted, bool directed) {
  // Peak of the build: the CSRs alive at once, plus the counting sort's per-chunk counts and offsets.
  // Directed: out + in + the first sort (3m entries); undirected: the first sort and its transpose,
  // 2m entries each.
  const double n = static_cast<double>(num_nodes), m = static_cast<double>(num_edges);
  const double nnz = (directed ? 3.0 : 4.0) * m;
  const double per_edge = 4.0 + (weighted ? 8.0 : 0.0);
  const double counts = std::min(16.0 * n, static_cast<double>(1 << 25)) * 4.0;
  return nnz * per_edge + 4.0 * 8.0 * (n + 1) + counts;
}

template <class Id>
GraphPtr Graph::from_edges(const Id* src, const Id* dst, const double* weights, int64_t m, int64_t num_nodes,
                           const BuildOptions& opts) {
  if (m < 0) fail(ErrorKind::Graph, "num_edges must be >= 0, got {}", m);
  if (num_nodes > kMaxNodes)
    fail(ErrorKind::Graph, "num_nodes = {} exceeds the supported maximum of {} (32-bit node ids)", num_nodes,
         kMaxNodes);
  const IdRange rs = id_range(src, m), rd = id_range(dst, m);
  const int64_t lo = std::min(rs.lo, rd.lo), hi = std::max(rs.hi, rd.hi);
  int64_t n = num_nodes;
  if (n < 0) {
    if (m > 0 && lo < 0) report_bad_id(rs.lo < 0 ? "src" : "dst", rs.lo < 0 ? src : dst, m, kMaxNodes);
    if (m > 0 && hi >= kMaxNodes)
      fail(ErrorKind::Graph, "node id {} exceeds the supported maximum of {} (32-bit node ids)", hi, kMaxNodes - 1);
    n = m > 0 ? hi + 1 : 0;
  }
  if (m > 0 && (rs.lo < 0 || rs.hi >= n)) report_bad_id("src", src, m, n);
  if (m > 0 && (rd.lo < 0 || rd.hi >= n)) report_bad_id("dst", dst, m, n);

  ensure_memory(build_bytes(n, m, weights != nullptr, opts.directed), "building this graph");
  auto g = std::make_shared<Graph>();
  g->n_ = n;
  g->m_ = m;
  g->directed_ = opts.directed;
  g->weighted_ = weights != nullptr;
  if (weights) {
    const WeightCheck wc = check_weights(weights, m);
    for (int64_t i = 0; wc.non_finite && i < m; ++i)
      if (!std::isfinite(weights[i])) fail(ErrorKind::Graph, "weights[{}] = {} is not finite", i, weights[i]);
    if (wc.negative && !opts.allow_negative_weights) {
      for (int64_t i = 0; i < m; ++i)
        if (weights[i] < 0)
          fail(ErrorKind::Graph, "weights[{}] = {} is negative (pass allow_negative_weights=True to keep it)", i,
               weights[i]);
    }
    g->has_negative_ = wc.negative;
  }

  // Rows end up sorted by neighbor id (ties in input order): a canonical order that fixes
  // every row sum and helps gather locality. Built by counting sorts only, O(n + m) each.
  const bool wide = opts.wide_offsets;
  Csr first;
  if (opts.directed) {
    sort_edges(
        first, n, m,
        [&](int64_t i, int64_t& key, node_t& val) {
          key = static_cast<int64_t>(dst[i]);
          val = static_cast<node_t>(src[i]);
          return true;
        },
        weights, m, wide);
    g->out_ = std::make_shared<Csr>();
    transpose(first, *g->out_, wide);  // out rows sorted by dst
    first = Csr();
    g->in_ = std::make_shared<Csr>();
    transpose(*g->out_, *g->in_, wide);  // in rows sorted by src
  } else {
    // Virtual edge list: the m edges forward, then the m edges reversed (self-loops once).
    sort_edges(
        first, n, 2 * m,
        [&](int64_t i, int64_t& key, node_t& val) {
          const int64_t j = i < m ? i : i - m;
          const int64_t a = static_cast<int64_t>(src[j]), b = static_cast<int64_t>(dst[j]);
          if (i >= m && a == b) return false;
          key = i < m ? a : b;
          val = static_cast<node_t>(i < m ? b : a);
          return true;
        },
        weights, m, wide);
    g->out_ = std::make_shared<Csr>();
    transpose(first, *g->out_, wide);  // symmetric: the transpose has the same rows, sorted
    g->in_ = g->out_;
  }
  g->in_->visit([&](auto csr) { g->partition_ = Partition::balanced(n, csr.off); });
  return g;
}

template GraphPtr Graph::from_edges<int32_t>(const int32_t*, const int32_t*, const double*, int64_t, int64_t,
                                             const BuildOptions&);
template GraphPtr Graph::from_edges<int64_t>(const int64_t*, const int64_t*, const double*, int64_t, int64_t,
                                             const BuildOptions&);

const SlicedCsr& Graph::sliced(bool incoming) const {
  const int i = slot(incoming);
  // Isolated: while waiting for its parallel build, this thread runs none of the caller's other
  // tasks (one of which could ask for this very structure and wait on the once-flag).
  std::call_once(sliced_once_[i], [&] {
    tbb::this_task_arena::isolate([&] { sliced_[i] = SlicedCsr::build(csr(incoming), partition_); });
  });
  return *sliced_[i];
}

Array<int64_t> Graph::degree_counts(bool incoming) const {
  Array<int64_t> d(static_cast<size_t>(n_));
  csr(incoming).visit([&](auto c) {
    parallel_range(n_, 1 << 14, [&](int64_t b, int64_t e) {
      for (int64_t v = b; v < e; ++v) d[v] = c.degree(v);
    });
  });
  return d;
}

Array<double> Graph::degree_weights(bool incoming) const {
  Array<double> d(static_cast<size_t>(n_));
  csr(incoming).visit([&](auto c) {
    parallel_range(n_, 1 << 12, [&](int64_t b, int64_t e) {
      for (int64_t v = b; v < e; ++v) {
        if (!c.w) {
          d[v] = static_cast<double>(c.degree(v));
          continue;
        }
        double s = 0;  // row order is fixed, so this sum is deterministic
        for (int64_t k = c.begin(v); k < c.end(v); ++k) s += c.w[k];
        d[v] = s;
      }
    });
  });
  return d;
}

}  // namespace sg
