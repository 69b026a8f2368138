// Matrix Market reader: banner, comments and size line in order, then the 1-based entries in parallel.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "graph/io.hpp"
#include "graph/io_parse.hpp"

namespace sg {

namespace {

constexpr const char* kBanner = "'%%MatrixMarket matrix coordinate <pattern|real|integer> <general|symmetric>'";

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && io_detail::is_space(line[i])) ++i;
    const size_t b = i;
    while (i < line.size() && !io_detail::is_space(line[i])) ++i;
    if (i > b) tokens.push_back(line.substr(b, i - b));
  }
  return tokens;
}

// Lines of a text in order, with 1-based numbers.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    const size_t nl = text_.find('\n', pos_);
    const size_t end = nl == std::string_view::npos ? text_.size() : nl;
    line = text_.substr(pos_, end - pos_);
    pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
    ++number_;
    return true;
  }
  long number() const { return number_; }
  std::string_view rest() const { return text_.substr(pos_); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  long number_ = 0;
};

struct Header {
  io_detail::ValueKind value = io_detail::ValueKind::None;
  bool symmetric = false;
};

Header parse_banner(std::string_view line, const std::string& path) {
  auto bad = [&](const std::string& why) { throw FormatError(path, 1, why); };
  const std::vector<std::string_view> t = split(line);
  if (t.empty() || io_detail::lower(t[0]) != "%%matrixmarket")
    bad(fmt::format("missing Matrix Market header: the first line must be {}", kBanner));
  if (t.size() != 5) bad(fmt::format("bad Matrix Market header: expected 5 words {}, found {}", kBanner, t.size()));
  const std::string object = io_detail::lower(t[1]), format = io_detail::lower(t[2]);
  const std::string field = io_detail::lower(t[3]), symmetry = io_detail::lower(t[4]);
  if (object == "vector") bad("unsupported Matrix Market object 'vector': only 'matrix' is read");
  if (object != "matrix") bad(fmt::format("bad Matrix Market header: unknown object {}", io_detail::show(t[1])));
  if (format == "array") bad("unsupported Matrix Market format 'array' (dense): only 'coordinate' is read");
  if (format != "coordinate") bad(fmt::format("bad Matrix Market header: unknown format {}", io_detail::show(t[2])));
  Header h;
  if (field == "complex") bad("unsupported Matrix Market field 'complex': only pattern, real and integer are read");
  if (field == "pattern") {
    h.value = io_detail::ValueKind::None;
  } else if (field == "real") {
    h.value = io_detail::ValueKind::Real;
  } else if (field == "integer") {
    h.value = io_detail::ValueKind::Integer;
  } else {
    bad(fmt::format("bad Matrix Market header: unknown field {} (expected pattern, real or integer)",
                    io_detail::show(t[3])));
  }
  if (symmetry == "hermitian" || symmetry == "skew-symmetric")
    bad(fmt::format("unsupported Matrix Market symmetry '{}': only general and symmetric are read", symmetry));
  if (symmetry != "general" && symmetry != "symmetric")
    bad(fmt::format("bad Matrix Market header: unknown symmetry {} (expected general or symmetric)",
                    io_detail::show(t[4])));
  h.symmetric = symmetry == "symmetric";
  return h;
}

}  // namespace

EdgeData parse_matrix_market(std::string_view text, const std::string& path, const ReadOptions& opts) {
  LineCursor cursor(io_detail::strip_bom(text));
  std::string_view line;
  if (!cursor.next(line)) throw FormatError(path, 1, fmt::format("empty file: expected the header {}", kBanner));
  const Header header = parse_banner(line, path);

  // Comment and blank lines, then the size line "rows cols entries".
  bool found = false;
  while (!found && cursor.next(line)) {
    const std::vector<std::string_view> t = split(line);
    found = !t.empty() && t[0][0] != '%';
  }
  const long size_line = cursor.number();
  if (!found) throw FormatError(path, size_line, "missing size line 'rows cols entries' after the header");
  const std::vector<std::string_view> t = split(line);
  uint64_t rows = 0, cols = 0, nnz = 0;
  if (t.size() != 3 || !io_detail::parse_count(t[0], rows) || !io_detail::parse_count(t[1], cols) ||
      !io_detail::parse_count(t[2], nnz))
    throw FormatError(path, size_line,
                      fmt::format("bad size line {}: expected three non-negative integers 'rows cols entries'",
                                  io_detail::show(line)));
  if (rows != cols)
    throw FormatError(path, size_line,
                      fmt::format("the matrix is {} x {}; a graph needs a square adjacency matrix", t[0], t[1]));
  if (rows > static_cast<uint64_t>(kMaxNodes))
    throw FormatError(path, size_line,
                      fmt::format("{} rows exceed the maximum of {} nodes (32-bit node ids)", t[0], kMaxNodes));
  const int64_t n = static_cast<int64_t>(rows);
  if (opts.num_nodes >= 0 && opts.num_nodes != n)
    fail(ErrorKind::Parameter, "num_nodes = {} does not match the {} x {} matrix in {}", opts.num_nodes, n, n, path);

  io_detail::EntrySpec spec;
  spec.base = 1;
  spec.id_limit = n;
  spec.matrix = true;
  spec.value = header.value;
  spec.allow_negative_weights = opts.allow_negative_weights;
  spec.comments = "%";
  spec.max_entries = static_cast<int64_t>(nnz);
  if (header.value == io_detail::ValueKind::None) spec.too_many_hint = " (a pattern matrix has no values)";
  io_detail::Entries entries = io_detail::parse_entries(cursor.rest(), size_line + 1, spec, path, opts.chunk_bytes);
  if (entries.count < spec.max_entries)
    throw FormatError(
        path, size_line + entries.lines,
        fmt::format("the file ends after {} of the {} entries declared in the size line", entries.count, nnz));

  EdgeData e;
  e.num_nodes = n;
  e.weighted = header.value != io_detail::ValueKind::None;
  e.directed = opts.directed.value_or(!header.symmetric);
  if (header.symmetric && e.directed) {
    // A directed reading of a symmetric matrix: each off-diagonal entry in both directions.
    int64_t m = entries.count;
    for (int64_t i = 0; i < entries.count; ++i) m += entries.src[i] != entries.dst[i];
    e.src = Array<node_t>(static_cast<size_t>(m));
    e.dst = Array<node_t>(static_cast<size_t>(m));
    if (e.weighted) e.w = Array<double>(static_cast<size_t>(m));
    int64_t k = 0;
    for (int64_t i = 0; i < entries.count; ++i) {
      const node_t a = entries.src[i], b = entries.dst[i];
      for (int dir = 0; dir < (a == b ? 1 : 2); ++dir, ++k) {
        e.src[k] = dir == 0 ? a : b;
        e.dst[k] = dir == 0 ? b : a;
        if (e.weighted) e.w[k] = entries.w[i];
      }
    }
    e.num_edges = m;
  } else {
    e.num_edges = entries.count;
    e.src = std::move(entries.src);
    e.dst = std::move(entries.dst);
    e.w = std::move(entries.w);
  }
  return e;
}

}  // namespace sg
