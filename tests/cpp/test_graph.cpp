// Graph construction: CSR contents, input-order rows, undirected storage, validation, partitions.
#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "graph/graph.hpp"

using namespace sg;

namespace {
std::vector<int64_t> row(const Csr& c, int64_t v) {
  std::vector<int64_t> r;
  for (int64_t k = c.row_begin(v); k < c.row_begin(v + 1); ++k) r.push_back(c.idx[k]);
  return r;
}
}  // namespace

TEST_CASE("directed graph builds out- and in-CSR with rows sorted by neighbor", "[graph]") {
  for (bool wide : {false, true}) {
    std::vector<int64_t> src{0, 2, 0, 1, 2, 0}, dst{1, 0, 2, 2, 2, 1};
    BuildOptions opts;
    opts.wide_offsets = wide;
    auto g = Graph::from_edges(src.data(), dst.data(), nullptr, 6, -1, opts);
    REQUIRE(g->num_nodes() == 3);
    REQUIRE(g->num_edges() == 6);
    REQUIRE(g->out().wide == wide);
    CHECK(row(g->out(), 0) == std::vector<int64_t>{1, 1, 2});
    CHECK(row(g->out(), 2) == std::vector<int64_t>{0, 2});
    CHECK(row(g->in(), 2) == std::vector<int64_t>{0, 1, 2});
    CHECK(row(g->in(), 1) == std::vector<int64_t>{0, 0});
    auto outdeg = g->degree_counts(false);
    CHECK(outdeg[0] == 3);
    CHECK(outdeg[1] == 1);
    CHECK(g->out().max_degree == 3);  // the longest rows: out of 0, in of 2
    CHECK(g->in().max_degree == 3);
  }
}

TEST_CASE("undirected graph stores both directions and self-loops once", "[graph]") {
  std::vector<int32_t> src{0, 1, 2}, dst{1, 1, 0};
  std::vector<double> w{0.5, 2.0, 3.0};
  BuildOptions opts;
  opts.directed = false;
  auto g = Graph::from_edges(src.data(), dst.data(), w.data(), 3, 4, opts);
  REQUIRE(g->num_nodes() == 4);
  REQUIRE(&g->out() == &g->in());
  CHECK(g->out().nnz == 5);
  CHECK(row(g->out(), 0) == std::vector<int64_t>{1, 2});
  CHECK(row(g->out(), 1) == std::vector<int64_t>{0, 1});
  CHECK(row(g->out(), 3).empty());
  auto wd = g->degree_weights(false);
  CHECK(wd[0] == 3.5);
  CHECK(wd[1] == 2.5);
  CHECK(wd[3] == 0.0);
}

TEST_CASE("invalid edges are rejected with the offending index", "[graph]") {
  std::vector<int64_t> src{0, 1, -2}, dst{1, 2, 0};
  REQUIRE_THROWS_WITH(Graph::from_edges(src.data(), dst.data(), nullptr, 3, -1, {}), Catch::Contains("src[2] = -2"));
  std::vector<int64_t> src2{0, 1, 2};
  REQUIRE_THROWS_WITH(Graph::from_edges(src2.data(), dst.data(), nullptr, 3, 2, {}),
                      Catch::Contains("out of range for num_nodes = 2"));
  std::vector<double> w{1.0, -1.0, 2.0};
  REQUIRE_THROWS_WITH(Graph::from_edges(src2.data(), dst.data(), w.data(), 3, -1, {}),
                      Catch::Contains("weights[1] = -1 is negative"));
  BuildOptions allow;
  allow.allow_negative_weights = true;
  CHECK(Graph::from_edges(src2.data(), dst.data(), w.data(), 3, -1, allow)->has_negative_weights());
  std::vector<double> bad{1.0, 2.0, std::numeric_limits<double>::quiet_NaN()};
  REQUIRE_THROWS_WITH(Graph::from_edges(src2.data(), dst.data(), bad.data(), 3, -1, allow),
                      Catch::Contains("weights[2] = nan is not finite"));
  REQUIRE_THROWS_AS(Graph::from_edges(src2.data(), dst.data(), nullptr, 3, int64_t{1} << 40, {}), Error);
}

TEST_CASE("empty graphs and isolated nodes", "[graph]") {
  auto g = Graph::from_edges<int64_t>(nullptr, nullptr, nullptr, 0, -1, {});
  CHECK(g->num_nodes() == 0);
  CHECK(g->partition().num_blocks() == 0);
  auto h = Graph::from_edges<int64_t>(nullptr, nullptr, nullptr, 0, 5, {});
  CHECK(h->num_nodes() == 5);
  CHECK(h->degree_counts(true)[4] == 0);
  CHECK(h->partition().num_blocks() == 1);
}

TEST_CASE("partition blocks cover the nodes, bounded by nodes and edges", "[graph][parallel]") {
  const int64_t n = 3 * kBlockNodes + 17;
  std::vector<int64_t> src, dst;
  for (int64_t i = 0; i < 2 * kBlockEdges; ++i) {  // a hub at node 5 with many in-edges
    src.push_back(i % n);
    dst.push_back(5);
  }
  auto g = Graph::from_edges(src.data(), dst.data(), nullptr, static_cast<int64_t>(src.size()), n, {});
  const Partition& p = g->partition();
  REQUIRE(p.num_nodes() == n);
  CHECK(p.end(0) == 6);  // the hub closes its block
  for (int64_t b = 0; b < p.num_blocks(); ++b) {
    CHECK(p.end(b) > p.begin(b));
    CHECK(p.end(b) - p.begin(b) <= kBlockNodes);
  }
}

TEST_CASE("for_each_block with done marks skips finished blocks and marks the rest", "[graph][parallel]") {
  const int64_t n = 5 * kBlockNodes + 3;
  std::vector<int64_t> src, dst;
  for (int64_t i = 0; i + 1 < n; ++i) {
    src.push_back(i);
    dst.push_back(i + 1);
  }
  auto g = Graph::from_edges(src.data(), dst.data(), nullptr, static_cast<int64_t>(src.size()), n, {});
  const Partition& p = g->partition();
  REQUIRE(p.num_blocks() >= 3);
  std::vector<uint8_t> done(static_cast<size_t>(p.num_blocks()), 0);
  done[1] = 1;  // as if an interrupted pass had finished block 1
  std::vector<int> visits(static_cast<size_t>(p.num_blocks()), 0);
  for_each_block(
      p, [&](int64_t b, int64_t, int64_t) { ++visits[static_cast<size_t>(b)]; }, done.data());
  for (int64_t b = 0; b < p.num_blocks(); ++b) {
    CHECK(visits[static_cast<size_t>(b)] == (b == 1 ? 0 : 1));
    CHECK(done[static_cast<size_t>(b)] == 1);
  }
  for_each_block(
      p, [&](int64_t b, int64_t, int64_t) { ++visits[static_cast<size_t>(b)]; }, done.data());
  for (int64_t b = 0; b < p.num_blocks(); ++b) CHECK(visits[static_cast<size_t>(b)] == (b == 1 ? 0 : 1));
}
