// The measured row-loop choice (kernels/row_loop.hpp): paired, alternating timings, a median
// that must be clear of its noise, and a bound on how long a State races the two layouts.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "kernels/row_loop.hpp"

using namespace sg;

namespace {

// Runs the choice until it decides (or `limit` runs), timing each layout with `ns(loop, run)`.
template <class Time>
int runs_until_chosen(RowLoopChoice& c, Time&& ns, int limit = 100) {
  int run = 0;
  for (; c.chosen < 0 && run < limit; ++run) {
    const RowLoop l = c.next();
    c.record(l, ns(l, run));
  }
  return run;
}

}  // namespace

TEST_CASE("row loop: the first run is not timed and pairs alternate their order", "[row_loop]") {
  RowLoopChoice c;
  std::vector<RowLoop> seen;
  for (int run = 0; run < 7; ++run) {
    seen.push_back(c.next());
    c.record(seen.back(), 1000);
  }
  // warm-up (chunks), then chunks-rows, rows-chunks, chunks-rows
  CHECK(seen == std::vector<RowLoop>{RowLoop::Chunks, RowLoop::Chunks, RowLoop::Rows, RowLoop::Rows, RowLoop::Chunks,
                                     RowLoop::Chunks, RowLoop::Rows});
  CHECK(c.pairs == 3);
}

TEST_CASE("row loop: a clear difference decides after the minimum of pairs", "[row_loop]") {
  for (const RowLoop slow : {RowLoop::Rows, RowLoop::Chunks}) {
    RowLoopChoice c;
    // The slow layout 4 % slower, with +-1 % noise and a drift of 10 % over the runs.
    const int runs = runs_until_chosen(c, [&](RowLoop l, int run) {
      const double drift = 1.0 + 0.01 * run, noise = 1.0 + 0.01 * ((run * 7) % 3 - 1);
      return static_cast<int64_t>(1e6 * drift * noise * (l == slow ? 1.04 : 1.0));
    });
    CHECK(c.pairs == kMinPairs);
    CHECK(runs == 1 + 2 * kMinPairs);
    CHECK(c.chosen == static_cast<int8_t>(slow == RowLoop::Rows ? RowLoop::Chunks : RowLoop::Rows));
  }
}

TEST_CASE("row loop: noise larger than the difference races to the last pair", "[row_loop]") {
  RowLoopChoice c;
  // Rows 1 % faster, but each pair's ratio swings by up to +-8 %: no median is clear of that.
  const int runs = runs_until_chosen(c, [](RowLoop l, int run) {
    const int pair = (run - 1) / 2;
    return static_cast<int64_t>(1e6 * (l == RowLoop::Rows ? 0.99 * (1 + 0.08 * std::sin(pair * 2.3)) : 1.0));
  });
  CHECK(c.pairs == kMaxPairs);
  CHECK(runs == 1 + 2 * kMaxPairs);
  CHECK(std::exp(c.median_log_ratio()) == Approx(0.9988).epsilon(0.0005));
  CHECK(c.chosen == static_cast<int8_t>(RowLoop::Rows));  // the median's side, however slight
}

TEST_CASE("row loop: a negligible difference stops the race early", "[row_loop]") {
  RowLoopChoice c;
  // Rows 0.1 % slower, with tiny noise: surely under 1 % either way once the pairs agree.
  runs_until_chosen(c, [](RowLoop l, int run) {
    return static_cast<int64_t>(1e6 * (l == RowLoop::Rows ? 1.001 : 1.0) * (1.0 + 1e-4 * (run % 3)));
  });
  CHECK(c.pairs < kMaxPairs);
  CHECK(c.chosen == static_cast<int8_t>(RowLoop::Chunks));
}

TEST_CASE("row loop: a new State keeps the pairs but not a half pair, and times no first run", "[row_loop]") {
  RowLoopChoice c;
  for (int run = 0; run < 4; ++run) c.record(c.next(), 1000 + run);  // warm-up, one pair, half a pair
  REQUIRE(c.pairs == 1);
  REQUIRE(c.pending_ns >= 0);
  c.start_state();
  CHECK(c.pending_ns < 0);
  CHECK(c.next() == RowLoop::Rows);  // the second pair starts with rows
  c.record(RowLoop::Rows, 5);        // the new State's warm-up: not timed
  CHECK(c.pending_ns < 0);
  CHECK(c.pairs == 1);
}

TEST_CASE("row loop: a decided or forced choice ignores timings", "[row_loop]") {
  RowLoopChoice c;
  c.chosen = static_cast<int8_t>(RowLoop::Interpreted);
  for (int run = 0; run < 5; ++run) c.record(c.next(), 10);
  CHECK(c.next() == RowLoop::Interpreted);
  CHECK(c.pairs == 0);
}
