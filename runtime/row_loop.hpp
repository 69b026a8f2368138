// How a step with a compiled row kernel runs, and the per-State choice among the ways.
//
// The fastest loop depends on the graph and the machine (measured, PageRank vs its twin: the
// per-row loop wins on skewed graphs, rmat(18) 1.10 -> 1.03x, and loses on uniform(200k),
// 1.07 -> 1.18x, where the chunked loop or the interpreter win). All three give the same bits,
// so a State times each on its first iterations, interleaved, and keeps the fastest; its
// Program remembers the choice for later States on the same graph.
#pragma once
#include <cstdint>
#include <limits>
#include <string>

namespace sg {

enum class RowLoop : int8_t { Interpreted, Chunks, Rows };
constexpr int kRowLoops = 3;
constexpr int kRowLoopTrials = 2;  // timed runs of each loop before the choice

inline const char* row_loop_name(RowLoop l) {
  switch (l) {
    case RowLoop::Interpreted: return "interpreted";
    case RowLoop::Chunks: return "chunks";
    case RowLoop::Rows: return "rows";
  }
  return "?";
}

// The choice for one step of one State: forced, or measured on its first runs.
struct RowLoopChoice {
  int8_t chosen = -1;   // a RowLoop once decided
  bool warm = false;    // the first run (it touches fresh buffers) is not timed
  int runs = 0;         // timed runs so far
  int64_t best_ns[kRowLoops] = {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max(),
                                std::numeric_limits<int64_t>::max()};

  RowLoop next() const { return chosen >= 0 ? RowLoop(chosen) : RowLoop(runs % kRowLoops); }
  void record(RowLoop l, int64_t ns) {
    if (chosen >= 0) return;
    if (!warm) {
      warm = true;
      return;
    }
    int64_t& b = best_ns[static_cast<int>(l)];
    if (ns < b) b = ns;
    if (++runs < kRowLoops * kRowLoopTrials) return;
    chosen = 0;
    for (int i = 1; i < kRowLoops; ++i)
      if (best_ns[i] < best_ns[chosen]) chosen = static_cast<int8_t>(i);
  }
};

}  // namespace sg
