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
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace sg {

enum class RowLoop : int8_t { Interpreted, Chunks, Rows };
constexpr int kRowLoops = 3;

inline const char* row_loop_name(RowLoop l) {
  switch (l) {
    case RowLoop::Interpreted: return "interpreted";
    case RowLoop::Chunks: return "chunks";
    case RowLoop::Rows: return "rows";
  }
  return "?";
}

// The choice for one step: forced, or measured on the first runs of its States. The layouts
// run in pairs of adjacent iterations (chunks-rows, then rows-chunks, ...), so drift on a shared
// machine hits both alike; each pair gives ln(t_rows / t_chunks). After kMinPairs pairs the
// median of those decides once it is clear of its noise (over twice its standard error, from
// the median absolute deviation), or once it is surely under 1 % either way; else at kMaxPairs.
// Best-of-three picked the slower layout in about half of the processes on uniform(200k) and
// rmat(18), where the two differ by 3-5 %.
constexpr int kMinPairs = 3;
constexpr int kMaxPairs = 10;

struct RowLoopChoice {
  int8_t chosen = -1;                // a RowLoop once decided
  bool warm = false;                 // a State's first run (it touches fresh buffers) is not timed
  int pairs = 0;                     // complete pairs so far
  int64_t pending_ns = -1;           // the current pair's first run
  double log_ratio[kMaxPairs] = {};  // ln(t_rows / t_chunks) per pair
  int64_t best_ns[kRowLoops] = {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max(),
                                std::numeric_limits<int64_t>::max()};

  RowLoop next() const {
    if (chosen >= 0) return RowLoop(chosen);
    const bool chunks_first = pairs % 2 == 0;
    return (pending_ns < 0) == chunks_first ? RowLoop::Chunks : RowLoop::Rows;
  }
  // A new State goes on with the measurements so far, not with another State's half pair.
  void start_state() {
    warm = false;
    pending_ns = -1;
  }
  void record(RowLoop l, int64_t ns) {
    if (chosen >= 0) return;
    if (!warm) {
      warm = true;
      return;
    }
    int64_t& b = best_ns[static_cast<int>(l)];
    if (ns < b) b = ns;
    if (pending_ns < 0) {
      pending_ns = ns;
      return;
    }
    const double first = static_cast<double>(std::max<int64_t>(pending_ns, 1));
    const double second = static_cast<double>(std::max<int64_t>(ns, 1));
    const bool rows_second = l == RowLoop::Rows;
    log_ratio[pairs++] = rows_second ? std::log(second / first) : std::log(first / second);
    pending_ns = -1;
    decide();
  }
  // Median ln(t_rows / t_chunks) over the pairs so far (0 without any).
  double median_log_ratio() const { return median(log_ratio, pairs); }

 private:
  static double median(const double* x, int n) {
    if (n == 0) return 0.0;
    double s[kMaxPairs];
    for (int i = 0; i < n; ++i) {  // insertion sort: n <= kMaxPairs
      int j = i;
      for (; j > 0 && s[j - 1] > x[i]; --j) s[j] = s[j - 1];
      s[j] = x[i];
    }
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }
  void decide() {
    if (pairs < kMinPairs) return;
    const double m = median_log_ratio();
    double dev[kMaxPairs];
    for (int i = 0; i < pairs; ++i) dev[i] = std::fabs(log_ratio[i] - m);
    // Standard error of a median from the MAD (normal noise): 1.2533 * 1.4826 * MAD / sqrt(n).
    const double se = 1.858 * median(dev, pairs) / std::sqrt(static_cast<double>(pairs));
    const bool clear = std::fabs(m) > 2 * se;
    const bool negligible = std::fabs(m) + 2 * se < 0.01;
    if (clear || negligible || pairs == kMaxPairs)
      chosen = static_cast<int8_t>(m > 0 ? RowLoop::Chunks : RowLoop::Rows);
  }
};

}  // namespace sg
