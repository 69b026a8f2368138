// Graph file readers: CSR contents from small files, chunked parsing, every error with its line.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "graph/graph.hpp"
#include "graph/io.hpp"

using namespace sg;
namespace fs = std::filesystem;

namespace {

// A fresh directory per test run, removed at exit.
struct TempDir {
  fs::path dir;
  TempDir() {
    dir = fs::temp_directory_path() / ("stepgraph_test_io_" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = dir / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

const TempDir& tmp() {
  static TempDir t;
  return t;
}

std::vector<int64_t> row(const Csr& c, int64_t v) {
  std::vector<int64_t> r;
  for (int64_t k = c.row_begin(v); k < c.row_begin(v + 1); ++k) r.push_back(c.idx[k]);
  return r;
}
std::vector<double> row_w(const Csr& c, int64_t v) {
  std::vector<double> r;
  for (int64_t k = c.row_begin(v); k < c.row_begin(v + 1); ++k) r.push_back(c.w[k]);
  return r;
}

GraphPtr read(const std::string& name, const std::string& text, ReadOptions opts = {}) {
  return read_graph(tmp().write(name, text), std::nullopt, opts);
}

// The FormatError of reading `text` as `name`: checks the line and the "path:line:" prefix.
std::string format_error(const std::string& name, const std::string& text, long line, ReadOptions opts = {}) {
  const std::string path = tmp().write(name, text);
  try {
    read_graph(path, std::nullopt, opts);
  } catch (const FormatError& e) {
    CHECK(e.line() == line);
    CHECK(e.kind() == ErrorKind::Format);
    const std::string prefix = line > 0 ? path + ":" + std::to_string(line) + ": " : path + ": ";
    CHECK(std::string(e.what()).rfind(prefix, 0) == 0);
    return e.what();
  }
  FAIL("no FormatError for " << name);
  return {};
}

}  // namespace

TEST_CASE("edge lists: comments, blank lines, CRLF, tabs; rows sorted by neighbor", "[io]") {
  auto g = read("a.el", "# SNAP header\n% other comment\n\n0 1\r\n2\t0\r\n  0   2  \n\n1 1\n0 1");
  REQUIRE(g->num_nodes() == 3);
  REQUIRE(g->num_edges() == 5);
  CHECK(g->directed());
  CHECK_FALSE(g->weighted());
  CHECK(row(g->out(), 0) == std::vector<int64_t>{1, 1, 2});
  CHECK(row(g->out(), 1) == std::vector<int64_t>{1});
  CHECK(row(g->out(), 2) == std::vector<int64_t>{0});
  CHECK(row(g->in(), 1) == std::vector<int64_t>{0, 0, 1});

  ReadOptions undirected;
  undirected.directed = false;
  undirected.num_nodes = 5;
  auto u = read("b.txt",
                "\xEF\xBB\xBF"
                "0 1\n1 2\n2 2\n",
                undirected);
  CHECK(u->num_nodes() == 5);
  CHECK_FALSE(u->directed());
  CHECK(u->out().nnz == 5);  // two edges both ways, the self-loop once
  CHECK(row(u->out(), 1) == std::vector<int64_t>{0, 2});
  CHECK(row(u->out(), 2) == std::vector<int64_t>{1, 2});
  CHECK(row(u->out(), 4).empty());

  auto empty = read("c.edges", "# nothing\n\n");
  CHECK(empty->num_nodes() == 0);
  CHECK(empty->num_edges() == 0);
  CHECK(read("d.tsv", "")->num_nodes() == 0);
}

TEST_CASE("weighted edge lists keep weights with their edges, parallel edges in file order", "[io]") {
  auto g = read("w.wel", "0 1 0.5\n1 0 2\n0 2 1e-3\n2 2 +3.25\n0 1 1e-400\n");
  REQUIRE(g->weighted());
  CHECK(row(g->out(), 0) == std::vector<int64_t>{1, 1, 2});
  CHECK(row_w(g->out(), 0) == std::vector<double>{0.5, 0.0, 1e-3});  // 1e-400 underflows to 0
  CHECK(row_w(g->out(), 2) == std::vector<double>{3.25});
  CHECK(row_w(g->in(), 0) == std::vector<double>{2.0});

  ReadOptions neg;
  neg.allow_negative_weights = true;
  auto h = read("n.wel", "0 1 -1.5\n", neg);
  CHECK(h->has_negative_weights());
  CHECK(row_w(h->out(), 0) == std::vector<double>{-1.5});

  auto e = read("e.wel", "# no edges\n");
  CHECK(e->weighted());
  CHECK(e->num_edges() == 0);
}

TEST_CASE("Matrix Market general, symmetric, pattern, integer", "[io]") {
  auto g = read("g.mtx",
                "%%MatrixMarket matrix coordinate real general\n% a comment\n%\n\n4 4 4\n1 2 0.5\n3 1 2e0\n"
                "1 3 1.5\n4 4 7\n");
  REQUIRE(g->num_nodes() == 4);
  CHECK(g->directed());
  CHECK(g->weighted());
  CHECK(row(g->out(), 0) == std::vector<int64_t>{1, 2});
  CHECK(row_w(g->out(), 0) == std::vector<double>{0.5, 1.5});
  CHECK(row(g->out(), 2) == std::vector<int64_t>{0});
  CHECK(row(g->out(), 3) == std::vector<int64_t>{3});

  const std::string sym = "%%matrixmarket MATRIX Coordinate Pattern Symmetric\r\n3 3 3\r\n1 1\r\n2 1\r\n3 2\r\n";
  auto s = read("s.mtx", sym);
  CHECK_FALSE(s->directed());
  CHECK_FALSE(s->weighted());
  CHECK(s->num_edges() == 3);
  CHECK(s->out().nnz == 5);
  CHECK(row(s->out(), 0) == std::vector<int64_t>{0, 1});
  CHECK(row(s->out(), 1) == std::vector<int64_t>{0, 2});

  ReadOptions directed;
  directed.directed = true;
  auto sd = read("sd.mtx", sym, directed);  // the expanded matrix, as a directed graph
  CHECK(sd->directed());
  CHECK(sd->num_edges() == 5);
  CHECK(row(sd->out(), 0) == std::vector<int64_t>{0, 1});
  CHECK(row(sd->out(), 2) == std::vector<int64_t>{1});
  CHECK(row(sd->in(), 2) == std::vector<int64_t>{1});

  auto i = read("i.mtx", "%%MatrixMarket matrix coordinate integer symmetric\n2 2 2\n2 1 3\n2 2 -0\n");
  CHECK(i->weighted());
  CHECK(row_w(i->out(), 1) == std::vector<double>{3.0, 0.0});

  ReadOptions undirected;
  undirected.directed = false;
  auto gu = read("gu.mtx", "%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 3\n", undirected);
  CHECK_FALSE(gu->directed());
  CHECK(row(gu->out(), 2) == std::vector<int64_t>{0});

  auto z = read("z.mtx", "%%MatrixMarket matrix coordinate real general\n5 5 0\n");
  CHECK(z->num_nodes() == 5);
  CHECK(z->num_edges() == 0);
}

TEST_CASE("formats by name and extension", "[io]") {
  CHECK(format_from_path("a/b.MTX") == GraphFileFormat::MatrixMarket);
  CHECK(format_from_path("x.el") == GraphFileFormat::EdgeList);
  CHECK(format_from_path("x.txt") == GraphFileFormat::EdgeList);
  CHECK(format_from_path("x.edges") == GraphFileFormat::EdgeList);
  CHECK(format_from_path("x.tsv") == GraphFileFormat::EdgeList);
  CHECK(format_from_path("x.y.wel") == GraphFileFormat::WeightedEdgeList);
  CHECK(format_from_name("wel") == GraphFileFormat::WeightedEdgeList);
  REQUIRE_THROWS_WITH(format_from_path("graph.csv"), Catch::Contains("'mtx'") && Catch::Contains("'wel'"));
  REQUIRE_THROWS_WITH(format_from_path("dir.mtx/graph"), Catch::Contains("from its extension"));
  REQUIRE_THROWS_WITH(format_from_path("g.mtx.gz"), Catch::Contains("decompress"));
  REQUIRE_THROWS_WITH(format_from_name("csv"), Catch::Contains("unknown graph file format 'csv'"));
  try {
    format_from_name("csv");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Parameter);
  }
  // An explicit format wins over the extension.
  const std::string p = tmp().write("plain.dat", "0 1 2.5\n");
  auto g = read_graph(p, GraphFileFormat::WeightedEdgeList, {});
  CHECK(g->weighted());
}

TEST_CASE("missing files, directories and non-regular files", "[io]") {
  try {
    read_graph((tmp().dir / "missing.el").string(), std::nullopt, {});
    FAIL("no error");
  } catch (const FileError& e) {
    CHECK(e.error_code() == ENOENT);
    CHECK_THAT(e.what(), Catch::Contains("missing.el"));
  }
  const fs::path d = tmp().dir / "adir.el";
  fs::create_directories(d);
  try {
    read_graph(d.string(), std::nullopt, {});
    FAIL("no error");
  } catch (const FileError& e) {
    CHECK(e.error_code() == EISDIR);
  }
  REQUIRE_THROWS_AS(read_graph("/dev/null", GraphFileFormat::EdgeList, {}), FileError);
  REQUIRE_THROWS_AS(read_file(std::string("x\0y.el", 6)), FileError);
}

TEST_CASE("edge-list errors name the first bad line", "[io]") {
  CHECK_THAT(format_error("e1.el", "0 1\n# c\n0 x\n", 3),
             Catch::Contains("expected a node id") && Catch::Contains("'x'"));
  CHECK_THAT(format_error("e2.el", "0 1\n\n-1 2\n", 3), Catch::Contains("negative node id '-1'"));
  CHECK_THAT(format_error("e3.el", "0 1\n5\n", 2), Catch::Contains("too few values: expected 2 values (u v), found 1"));
  CHECK_THAT(format_error("e4.el", "0 1 2\n", 1),
             Catch::Contains("too many values") && Catch::Contains("found 3") && Catch::Contains("format='wel'"));
  CHECK_THAT(format_error("e5.el", "0 2147483647\n", 1), Catch::Contains("exceeds the maximum of 2147483646"));
  CHECK_THAT(format_error("e6.el", "0 99999999999999999999999999\n", 1), Catch::Contains("exceeds the maximum"));
  CHECK_THAT(format_error("e7.el", "0 1.0\n", 1), Catch::Contains("'1.0'"));
  CHECK_THAT(format_error("e8.el", "0 1\r\n1 +2\r\n", 2), Catch::Contains("'+2'"));
  CHECK_THAT(format_error("e9.el", std::string("0 1\n1 \0\n", 8), 2), Catch::Contains("'\\x00'"));
  ReadOptions n3;
  n3.num_nodes = 3;
  CHECK_THAT(format_error("e10.el", "0 1\n2 3\n", 2, n3),
             Catch::Contains("node id '3' is out of range for num_nodes = 3"));

  CHECK_THAT(format_error("w1.wel", "0 1 1\n0 1\n", 2), Catch::Contains("expected 3 values (u v w), found 2"));
  CHECK_THAT(format_error("w2.wel", "0 1 nan\n", 1), Catch::Contains("weight 'nan' is not finite"));
  CHECK_THAT(format_error("w3.wel", "0 1 2\n0 1 -inf\n", 2), Catch::Contains("'-inf' is not finite"));
  CHECK_THAT(format_error("w4.wel", "0 1 1e999\n", 1), Catch::Contains("'1e999' is not finite"));
  CHECK_THAT(format_error("w5.wel", "0 1 -0.5\n", 1),
             Catch::Contains("negative weight '-0.5'") && Catch::Contains("allow_negative_weights"));
  CHECK_THAT(format_error("w6.wel", "0 1 abc\n", 1), Catch::Contains("expected a numeric weight, got 'abc'"));
  CHECK_THAT(format_error("w7.wel", "0 1 1.5x\n", 1), Catch::Contains("'1.5x'"));
  CHECK_THAT(format_error("w8.wel", "0 1 0x10\n", 1), Catch::Contains("'0x10'"));
  CHECK_THAT(format_error("w9.wel", "0 1 1 1\n", 1), Catch::Contains("found 4"));
  CHECK_THAT(format_error("w10.wel", "0 1 +-1\n", 1), Catch::Contains("'+-1'"));
}

TEST_CASE("Matrix Market errors name the line", "[io]") {
  const std::string real = "%%MatrixMarket matrix coordinate real general\n";
  CHECK_THAT(format_error("m1.mtx", "", 1), Catch::Contains("empty file"));
  CHECK_THAT(format_error("m2.mtx", "3 3 1\n1 1 1\n", 1), Catch::Contains("missing Matrix Market header"));
  CHECK_THAT(format_error("m3.mtx", "%%MatrixMarket matrix coordinate real\n3 3 0\n", 1),
             Catch::Contains("expected 5 words"));
  CHECK_THAT(format_error("m4.mtx", "%%MatrixMarket matrix array real general\n3 3\n", 1),
             Catch::Contains("unsupported Matrix Market format 'array'"));
  CHECK_THAT(format_error("m5.mtx", "%%MatrixMarket matrix coordinate complex general\n", 1),
             Catch::Contains("unsupported Matrix Market field 'complex'"));
  CHECK_THAT(format_error("m6.mtx", "%%MatrixMarket matrix coordinate real hermitian\n", 1),
             Catch::Contains("unsupported Matrix Market symmetry 'hermitian'"));
  CHECK_THAT(format_error("m7.mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n", 1),
             Catch::Contains("'skew-symmetric'"));
  CHECK_THAT(format_error("m8.mtx", "%%MatrixMarket vector coordinate real general\n", 1),
             Catch::Contains("object 'vector'"));
  CHECK_THAT(format_error("m9.mtx", "%%MatrixMarket matrix coordinate float general\n", 1),
             Catch::Contains("unknown field 'float'"));
  CHECK_THAT(format_error("m10.mtx", real + "% only comments\n\n", 3), Catch::Contains("missing size line"));
  CHECK_THAT(format_error("m11.mtx", real + "%c\n3 3\n", 3), Catch::Contains("bad size line '3 3'"));
  CHECK_THAT(format_error("m12.mtx", real + "3 3 -1\n", 2), Catch::Contains("bad size line"));
  CHECK_THAT(format_error("m13.mtx", real + "3 4 1\n1 1 1\n", 2),
             Catch::Contains("3 x 4") && Catch::Contains("square"));
  CHECK_THAT(format_error("m14.mtx", real + "3000000000 3000000000 0\n", 2), Catch::Contains("32-bit"));
  CHECK_THAT(format_error("m15.mtx", real + "3 3 3\n1 2 1\n2 3 1\n", 4),
             Catch::Contains("ends after 2 of the 3 entries"));
  CHECK_THAT(format_error("m16.mtx", real + "3 3 2\n1 2 1\n2 3 1\n3 1 1\n", 5),
             Catch::Contains("more entries than the 2 declared"));
  CHECK_THAT(format_error("m17.mtx", real + "3 3 2\n1 2 1\n0 3 1\n", 4),
             Catch::Contains("row index '0' is outside 1..3"));
  CHECK_THAT(format_error("m18.mtx", real + "3 3 2\n1 2 1\n1 4 1\n", 4),
             Catch::Contains("column index '4' is outside 1..3"));
  CHECK_THAT(format_error("m19.mtx", real + "3 3 1\n-1 2 1\n", 3), Catch::Contains("row index '-1' is outside"));
  CHECK_THAT(format_error("m20.mtx", real + "3 3 1\n1 2\n", 3),
             Catch::Contains("expected 3 values (i j value), found 2"));
  CHECK_THAT(format_error("m21.mtx", "%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 2 1\n", 3),
             Catch::Contains("pattern matrix has no values"));
  CHECK_THAT(format_error("m22.mtx", "%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 2 1.5\n", 3),
             Catch::Contains("expected an integer value, got '1.5'"));
  CHECK_THAT(format_error("m23.mtx", real + "3 3 1\n1 2 -2\n", 3), Catch::Contains("negative weight '-2'"));
  CHECK_THAT(format_error("m24.mtx", real + "3 3 1\n1 2 inf\n", 3), Catch::Contains("not finite"));
  CHECK_THAT(format_error("m25.mtx", real + "3 3 1\n1 b 1\n", 3), Catch::Contains("expected a column index"));
  CHECK_THAT(format_error("m26.mtx", real + "3 3 2\n1 2 1\n", 3), Catch::Contains("ends after 1 of the 2"));
  ReadOptions wrong_n;
  wrong_n.num_nodes = 4;
  REQUIRE_THROWS_WITH(read("m27.mtx", real + "3 3 0\n", wrong_n), Catch::Contains("does not match the 3 x 3"));
}

TEST_CASE("chunked parsing: same edges and the same first error whatever the chunk size", "[io]") {
  // Many lines with comments and blanks sprinkled in; tiny chunks force many parallel chunks.
  std::string text = "# header\n";
  std::vector<int64_t> src, dst;
  std::vector<double> w;
  for (int i = 0; i < 5000; ++i) {
    if (i % 97 == 0) text += "% comment\n\n";
    const int64_t u = (i * 7919) % 1013, v = (i * 104729) % 1009;
    const double x = (i % 13) * 0.25;
    text += std::to_string(u) + (i % 2 ? "\t" : " ") + std::to_string(v) + " " + std::to_string(x) + "\r\n";
    src.push_back(u);
    dst.push_back(v);
    w.push_back(x);
  }
  const std::string path = tmp().write("big.wel", text);
  BuildOptions bo;
  auto expect = Graph::from_edges(src.data(), dst.data(), w.data(), static_cast<int64_t>(src.size()), -1, bo);
  for (int64_t chunk : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{64}, int64_t{4096}}) {
    ReadOptions opts;
    opts.chunk_bytes = chunk;
    auto g = read_graph(path, std::nullopt, opts);
    REQUIRE(g->num_nodes() == expect->num_nodes());
    REQUIRE(g->out().nnz == expect->out().nnz);
    bool same = true;
    for (int64_t k = 0; k < g->out().nnz; ++k)
      same = same && g->out().idx[k] == expect->out().idx[k] && g->out().w[k] == expect->out().w[k];
    for (int64_t v = 0; v <= g->num_nodes(); ++v) same = same && g->out().row_begin(v) == expect->out().row_begin(v);
    CHECK(same);
  }

  // Two bad lines: the earlier one is reported, with its true line number, for every chunking.
  std::string bad;
  long first_bad = 0;
  for (int i = 0; i < 3000; ++i) {
    const long line = i + 1;
    if (i == 1234) {
      bad += "7 oops\n";
      first_bad = line;
    } else if (i == 2500) {
      bad += "-3 4\n";
    } else {
      bad += std::to_string(i) + " " + std::to_string(i + 1) + "\n";
    }
  }
  for (int64_t chunk : {int64_t{0}, int64_t{5}, int64_t{100}, int64_t{1000}}) {
    ReadOptions opts;
    opts.chunk_bytes = chunk;
    CHECK_THAT(format_error("bad.el", bad, first_bad, opts), Catch::Contains("'oops'"));
  }

  // The declared count of a Matrix Market file, checked across chunks.
  std::string mtx = "%%MatrixMarket matrix coordinate pattern general\n50 50 40\n";
  for (int i = 0; i < 45; ++i) mtx += std::to_string(i % 50 + 1) + " " + std::to_string((i * 3) % 50 + 1) + "\n";
  for (int64_t chunk : {int64_t{0}, int64_t{3}, int64_t{30}}) {
    ReadOptions opts;
    opts.chunk_bytes = chunk;
    CHECK_THAT(format_error("over.mtx", mtx, 43, opts), Catch::Contains("more entries than the 40 declared"));
  }
}
