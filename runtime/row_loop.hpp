// How a step with a compiled row kernel runs, and the per-State choice among the ways.
//
// The fastest compiled layout depends on the graph and the machine (PageRank vs its twin, 2
// threads: per row 1.07x on grid(500) where chunks are 1.25x; chunks 0.96x on uniform(200k),
// per row 1.01x). All loops give the same bits, so a State times both layouts on its first
// iterations, interleaved, and keeps the faster; its Program remembers the choice for later
// States on the same graph. The interpreter is not in the race: once the row bodies were
// inlined it was never measurably faster (at best level on rmat(20)), and 1.05-1.4x slower on
// uniform(200k), rmat(18) and grid(500); two timed runs each then picked it by noise.
#pragma once
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>

namespace sg {

enum class RowLoop : int8_t { Interpreted, Chunks, Rows };
constexpr int kRowLoops = 3;
constexpr RowLoop kMeasuredLoops[] = {RowLoop::Chunks, RowLoop::Rows};
constexpr int kNumMeasured = static_cast<int>(std::size(kMeasuredLoops));
constexpr int kRowLoopTrials = 3;  // timed runs of each measured loop before the choice

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

  RowLoop next() const { return chosen >= 0 ? RowLoop(chosen) : kMeasuredLoops[runs % kNumMeasured]; }
  void record(RowLoop l, int64_t ns) {
    if (chosen >= 0) return;
    if (!warm) {
      warm = true;
      return;
    }
    int64_t& b = best_ns[static_cast<int>(l)];
    if (ns < b) b = ns;
    if (++runs < kNumMeasured * kRowLoopTrials) return;
    chosen = static_cast<int8_t>(kMeasuredLoops[0]);
    for (int i = 0; i < kRowLoops; ++i)
      if (best_ns[i] < best_ns[chosen]) chosen = static_cast<int8_t>(i);
  }
};

}  // namespace sg
