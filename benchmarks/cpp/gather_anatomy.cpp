// Where a pull gather's time goes, and what two redesigns of it would buy: the measurement
// behind issue #5's native-vs-scipy finding on Zen 4, kept so that it can be re-run.
//
//   JOBS=2 scripts/devbuild.sh perf -DSG_BUILD_BENCH=ON
//   build/perf/stepgraph_gather_anatomy [--rounds 40] [--rmat20]
//   build/perf/stepgraph_gather_anatomy --quick    # tiny graphs, 2 rounds: CI's smoke run
//
// Each variant computes y[v] = sum of c[u] over v's in-neighbors u (PageRank's gather with no
// epilogue) over the graph's own block partition; variants are interleaved round by round and
// reported as best / median ms and as the ratio of medians to `rows`, at 1 thread and at all.
//
//   rows         sg::row_sum per row (kernels/gather.hpp): each row summed in order
//   one-row      every block summed as if it were one row: the same loads with no row ends,
//                a floor for the per-row work (loop exits, mispredicted trip counts, stores)
//   src-blocked  cache blocking: the in-CSR split by source into slices of 64k nodes (512 KB of
//                c, to stay in L2), each slice a CSR over all rows, summed slice by slice into y
//   groups       rows cut into groups of 4 edges, one flat branch-free loop over a block's
//                groups with a precomputed row id per group; a row's last group is masked.
//                Sums in four lanes (a group's edge j in lane j), so only near rows' sums
//   padded       as groups, over a copy of the in-CSR's sources padded to groups of 4 with a
//                source n whose c is 0.0 (so no masks and no offsets in the loop)
//   sliced       the production gather: sg::sliced_row_sums over the graph's sliced in-CSR
//                (graph/sliced_csr.hpp), four degree-sorted rows side by side
//
// `sliced` must give `rows`' bits; the variants that reorder the sum are checked against `rows`
// to 1e-12 relative.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "core/parallel.hpp"
#include "graph/generators.hpp"
#include "graph/graph.hpp"
#include "kernels/gather.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Off = uint32_t;  // the ladder's graphs have 32-bit offsets

struct Gather {
  std::string name;
  std::function<void(double*)> run;  // writes y
};

// sum of c[idx[k]] for k in [b, e), in the production order (kernels/gather.hpp).
double gather_row(const sg::node_t* idx, const double* c, int64_t b, int64_t e) {
  return sg::row_sum<double>(b, e, [&](int64_t k) { return c[idx[k]]; });
}

// The four lane sums of a run of 4-edge groups: a group adds its (masked) values, stores the
// row's sum so far, and a row's last group clears the lanes for the next row.
struct GroupLanes {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;

  void add_and_store(double a0, double a1, double a2, double a3, double* y, int64_t v, bool last) {
    s0 += a0;
    s1 += a1;
    s2 += a2;
    s3 += a3;
    y[v] = (s0 + s1) + (s2 + s3);  // every group stores; the row's last one stays
    s0 = last ? 0.0 : s0;          // selects, not a branch: a row's end is what the predictor misses
    s1 = last ? 0.0 : s1;
    s2 = last ? 0.0 : s2;
    s3 = last ? 0.0 : s3;
  }
};

// src-blocked: slice s holds the edges whose source lies in [s * kSlice, (s + 1) * kSlice).
constexpr int64_t kSlice = 1 << 16;
struct SourceSlices {
  std::vector<std::vector<Off>> off;
  std::vector<std::vector<sg::node_t>> idx;
};

SourceSlices slice_by_source(const sg::CsrView<Off>& in) {
  const int64_t n = in.n, slices = std::max<int64_t>(1, (n + kSlice - 1) / kSlice);
  SourceSlices s;
  s.off.assign(slices, std::vector<Off>(n + 1, 0));
  s.idx.resize(slices);
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = in.begin(v); k < in.end(v); ++k) ++s.off[in.idx[k] / kSlice][v + 1];
  for (int64_t t = 0; t < slices; ++t) {
    std::partial_sum(s.off[t].begin(), s.off[t].end(), s.off[t].begin());
    s.idx[t].resize(s.off[t][n]);
  }
  std::vector<std::vector<Off>> fill = s.off;
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = in.begin(v); k < in.end(v); ++k) {
      const int64_t t = in.idx[k] / kSlice;
      s.idx[t][fill[t][v]++] = in.idx[k];
    }
  return s;
}

// groups: group g covers edges [start[g], min(start[g] + 4, off[row[g] + 1])) of row row[g];
// block b's groups are [first[b], first[b + 1]). Rows without edges have no group.
struct EdgeGroups {
  std::vector<sg::node_t> row;
  std::vector<Off> start;
  std::vector<sg::node_t> padded;  // 4 sources per group, n past the row's end
  std::vector<int64_t> first;
};

EdgeGroups group_edges(const sg::CsrView<Off>& in, const sg::Partition& part) {
  EdgeGroups gr;
  for (int64_t b = 0; b < part.num_blocks(); ++b) {
    gr.first.push_back(static_cast<int64_t>(gr.row.size()));
    for (int64_t v = part.begin(b); v < part.end(b); ++v)
      for (int64_t k = in.begin(v); k < in.end(v); k += 4) {
        gr.row.push_back(static_cast<sg::node_t>(v));
        gr.start.push_back(static_cast<Off>(k));
        for (int64_t j = k; j < k + 4; ++j)
          gr.padded.push_back(j < in.end(v) ? in.idx[j] : static_cast<sg::node_t>(in.n));
      }
  }
  gr.first.push_back(static_cast<int64_t>(gr.row.size()));
  gr.row.push_back(-1);  // sentinel: the last group of the last row is a row's last group
  return gr;
}

void groups_block(const sg::CsrView<Off>& in, const EdgeGroups& gr, const double* __restrict c, double* __restrict y,
                  int64_t b, int64_t lo, int64_t hi) {
  const Off* __restrict off = in.off;
  const sg::node_t* __restrict idx = in.idx;
  const sg::node_t* __restrict row = gr.row.data();
  const Off* __restrict start = gr.start.data();
  std::fill(y + lo, y + hi, 0.0);  // rows without edges
  GroupLanes lanes;
  for (int64_t g = gr.first[b]; g < gr.first[b + 1]; ++g) {
    const int64_t v = row[g], k = start[g], left = static_cast<int64_t>(off[v + 1]) - k;
    // Masked lanes load edge k again (in range, cache-hot) and add +0.0, which leaves a sum
    // that started at +0.0 unchanged.
    const double a0 = c[idx[k]], a1 = c[idx[left > 1 ? k + 1 : k]], a2 = c[idx[left > 2 ? k + 2 : k]],
                 a3 = c[idx[left > 3 ? k + 3 : k]];
    lanes.add_and_store(a0, left > 1 ? a1 : 0.0, left > 2 ? a2 : 0.0, left > 3 ? a3 : 0.0, y, v, row[g + 1] != v);
  }
}

// c has n + 1 entries, c[n] == 0.0.
void padded_block(const EdgeGroups& gr, const double* __restrict c, double* __restrict y, int64_t b, int64_t lo,
                  int64_t hi) {
  const sg::node_t* __restrict row = gr.row.data();
  const sg::node_t* __restrict src = gr.padded.data();
  std::fill(y + lo, y + hi, 0.0);
  GroupLanes lanes;
  for (int64_t g = gr.first[b]; g < gr.first[b + 1]; ++g) {
    const sg::node_t* q = src + 4 * g;
    const int64_t v = row[g];
    lanes.add_and_store(c[q[0]], c[q[1]], c[q[2]], c[q[3]], y, v, row[g + 1] != v);
  }
}

std::vector<Gather> gathers(const sg::Graph& g, const sg::CsrView<Off>& in, const double* c) {
  const sg::Partition& part = g.partition();
  auto slices = std::make_shared<SourceSlices>(slice_by_source(in));
  auto groups = std::make_shared<EdgeGroups>(group_edges(in, part));
  std::vector<Gather> v;
  v.push_back({"rows", [&part, in, c](double* y) {
                 sg::for_each_block(part, [&](int64_t, int64_t lo, int64_t hi) {
                   for (int64_t r = lo; r < hi; ++r) y[r] = gather_row(in.idx, c, in.begin(r), in.end(r));
                 });
               }});
  v.push_back({"one-row", [&part, in, c](double* y) {
                 sg::for_each_block(part, [&](int64_t, int64_t lo, int64_t hi) {
                   y[lo] = gather_row(in.idx, c, in.begin(lo), in.end(hi - 1));
                 });
               }});
  v.push_back({"src-blocked", [&part, slices, c](double* y) {
                 for (size_t t = 0; t < slices->off.size(); ++t) {
                   const Off* off = slices->off[t].data();
                   const sg::node_t* idx = slices->idx[t].data();
                   sg::for_each_block(part, [&](int64_t, int64_t lo, int64_t hi) {
                     for (int64_t r = lo; r < hi; ++r) {
                       const double s = gather_row(idx, c, off[r], off[r + 1]);
                       y[r] = t == 0 ? s : y[r] + s;
                     }
                   });
                 }
               }});
  v.push_back({"groups", [&part, in, groups, c](double* y) {
                 sg::for_each_block(
                     part, [&](int64_t b, int64_t lo, int64_t hi) { groups_block(in, *groups, c, y, b, lo, hi); });
               }});
  v.push_back({"padded", [&part, groups, c](double* y) {
                 sg::for_each_block(part,
                                    [&](int64_t b, int64_t lo, int64_t hi) { padded_block(*groups, c, y, b, lo, hi); });
               }});
  v.push_back({"sliced", [&g, &part, c](double* y) {
                 const sg::SlicedCsr& sc = g.sliced(true);
                 sg::for_each_block(part, [&](int64_t b, int64_t lo, int64_t) {
                   const sg::SlicedView sv = sc.view(part, b);
                   sg::sliced_row_sums<double>(
                       sv, [&](int64_t k) { return c[sv.src[k]]; }, y + lo);
                 });
               }});
  return v;
}

double seconds(const std::function<void(double*)>& f, double* y) {
  const auto t0 = Clock::now();
  f(y);
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void measure(const char* name, const sg::GraphPtr& gp, int rounds) {
  const sg::Graph& g = *gp;
  const int64_t n = g.num_nodes();
  std::vector<double> c(n + 1, 0.0);  // c[n] = 0.0 is padded's pad source
  for (int64_t v = 0; v < n; ++v) c[v] = 1.0 / static_cast<double>(1 + v % 7);
  g.in().visit([&](auto in) {
    if constexpr (std::is_same_v<typename decltype(in)::offset_type, Off>) {
      const std::vector<Gather> vs = gathers(g, in, c.data());
      std::vector<std::vector<double>> y(vs.size(), std::vector<double>(n));
      for (size_t i = 0; i < vs.size(); ++i) vs[i].run(y[i].data());
      for (size_t i = 2; i < vs.size(); ++i) {  // one-row (i == 1) computes something else by design
        if (vs[i].name == "sliced" && y[i] != y[0]) {
          std::fprintf(stderr, "%s: sliced differs from rows in bits\n", name);
          std::exit(1);
        }
        double worst = 0;
        for (int64_t r = 0; r < n; ++r)
          worst = std::max(worst, std::abs(y[i][r] - y[0][r]) / std::max(std::abs(y[0][r]), 1e-300));
        if (worst > 1e-12) {
          std::fprintf(stderr, "%s: %s disagrees with rows (%.2e relative)\n", name, vs[i].name.c_str(), worst);
          std::exit(1);
        }
      }
      const int all = sg::get_num_threads();
      for (int threads : {1, all}) {
        sg::set_num_threads(threads);
        std::vector<std::vector<double>> t(vs.size());
        for (int r = 0; r < rounds; ++r)
          for (size_t i = 0; i < vs.size(); ++i) t[i].push_back(seconds(vs[i].run, y[i].data()));
        const double base = median(t[0]);
        std::printf("%-14s %d thread%s ", name, threads, threads == 1 ? " " : "s");
        for (size_t i = 0; i < vs.size(); ++i)
          std::printf(" | %s %.3f/%.3f ms %.2fx", vs[i].name.c_str(), *std::min_element(t[i].begin(), t[i].end()) * 1e3,
                      median(t[i]) * 1e3, median(t[i]) / base);
        std::printf("\n");
        if (threads == all) break;
      }
      sg::set_num_threads(0);
    } else {
      std::printf("%s: 64-bit offsets, skipped\n", name);
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 40;
  bool rmat20 = false, quick = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc)
      rounds = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--rmat20"))
      rmat20 = true;
    else if (!std::strcmp(argv[i], "--quick"))
      quick = true;
    else {
      std::fprintf(stderr, "usage: %s [--rounds N] [--rmat20] [--quick]\n", argv[0]);
      return 2;
    }
  }
  if (quick) rounds = 2;
  std::printf("best/median ms per gather, interleaved over %d rounds; ratio = median / rows median\n", rounds);
  sg::UniformOptions u;
  u.num_nodes = quick ? 5'000 : 200'000;
  u.num_edges = quick ? 50'000 : 2'000'000;
  measure(quick ? "uniform(5k)" : "uniform(200k)", sg::uniform(u), rounds);
  sg::RmatOptions r;
  r.scale = quick ? 10 : 18;
  measure(quick ? "rmat(10)" : "rmat(18)", sg::rmat(r), rounds);
  if (rmat20) {
    r.scale = 20;
    measure("rmat(20)", sg::rmat(r), rounds);
  }
}
