// The chunked line parser of the graph readers: parallel chunks, file-order results, first-error reporting.
#include "graph/io_parse.hpp"

#include <locale.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/parallel.hpp"

namespace sg::io_detail {

namespace {

constexpr int64_t kDefaultChunkBytes = int64_t{1} << 20;

// One chunk of whole lines and what it parsed.
struct Chunk {
  const char* begin = nullptr;
  const char* end = nullptr;
  std::vector<node_t> src, dst;
  std::vector<double> w;
  int64_t max_id = -1;
  long lines = 0;
  bool failed = false;
};

const char* skip_space(const char* p, const char* e) {
  while (p < e && is_space(*p)) ++p;
  return p;
}
const char* token_end(const char* p, const char* e) {
  while (p < e && !is_space(*p)) ++p;
  return p;
}
int count_tokens(const char* p, const char* e) {
  int n = 0;
  for (p = skip_space(p, e); p < e; p = skip_space(token_end(p, e), e)) ++n;
  return n;
}

// strtod in the "C" locale: only for the rare tokens std::from_chars calls out of range.
double strtod_c(std::string_view token) {
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  const std::string copy(token);
  return c_locale ? strtod_l(copy.c_str(), nullptr, c_locale) : std::strtod(copy.c_str(), nullptr);
}

class ChunkParser {
 public:
  ChunkParser(const EntrySpec& spec, const std::string& path) : spec_(spec), path_(path) {}

  // Parse the chunk's lines; the first is line `first_line`. At most `room` entries (-1: any).
  void run(Chunk& c, long first_line, int64_t room) {
    const int columns = spec_.value == ValueKind::None ? 2 : 3;
    int64_t count = 0;
    const char* p = c.begin;
    while (p < c.end) {
      const long line = first_line + c.lines;
      ++c.lines;
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(c.end - p)));
      const char* le = nl ? nl : c.end;
      const char* q = skip_space(p, le);
      p = nl ? nl + 1 : c.end;
      if (q == le || spec_.comments.find(*q) != std::string_view::npos) continue;

      const char* tok[3];
      const char* tend[3];
      for (int k = 0; k < columns; ++k) {
        if (q == le) too_few(line, k);
        tok[k] = q;
        tend[k] = token_end(q, le);
        q = skip_space(tend[k], le);
      }
      if (q != le) too_many(line, columns + count_tokens(q, le));
      if (room >= 0 && count == room)
        error(line, fmt::format("more entries than the {} declared in the size line", spec_.max_entries));
      const node_t u = parse_id(line, tok[0], tend[0], 0);
      const node_t v = parse_id(line, tok[1], tend[1], 1);
      c.src.push_back(u);
      c.dst.push_back(v);
      c.max_id = std::max<int64_t>(c.max_id, std::max(u, v));
      if (columns == 3) c.w.push_back(parse_value(line, tok[2], tend[2]));
      ++count;
    }
  }

 private:
  [[noreturn]] void error(long line, const std::string& message) const { throw FormatError(path_, line, message); }

  std::string columns_text() const {
    if (spec_.matrix) return spec_.value == ValueKind::None ? "2 values (i j)" : "3 values (i j value)";
    return spec_.value == ValueKind::None ? "2 values (u v)" : "3 values (u v w)";
  }
  [[noreturn]] void too_few(long line, int found) const {
    error(line, fmt::format("too few values: expected {}, found {}", columns_text(), found));
  }
  [[noreturn]] void too_many(long line, int found) const {
    error(line, fmt::format("too many values: expected {}, found {}{}", columns_text(), found, spec_.too_many_hint));
  }

  node_t parse_id(long line, const char* b, const char* e, int which) const {
    const std::string_view token(b, static_cast<size_t>(e - b));
    const char* what = spec_.matrix ? (which == 0 ? "row index" : "column index") : "node id";
    uint64_t raw;
    if (!parse_count(token, raw)) {
      const bool negative = token.size() > 1 && token[0] == '-' && parse_count(token.substr(1), raw);
      if (negative && !spec_.matrix) error(line, fmt::format("negative node id {}", show(token)));
      if (!negative) error(line, fmt::format("expected a {} (a non-negative integer), got {}", what, show(token)));
      raw = 0;  // a negative Matrix Market index: reported as outside 1..n below
    }
    const uint64_t base = static_cast<uint64_t>(spec_.base);
    if (raw < base || raw - base >= static_cast<uint64_t>(spec_.id_limit)) {
      if (spec_.matrix) error(line, fmt::format("{} {} is outside 1..{}", what, show(token), spec_.id_limit));
      if (spec_.limit_from_user)
        error(line, fmt::format("node id {} is out of range for num_nodes = {}", show(token), spec_.id_limit));
      error(line, fmt::format("node id {} exceeds the maximum of {} (32-bit node ids)", show(token), kMaxNodes - 1));
    }
    return static_cast<node_t>(raw - base);
  }

  double parse_value(long line, const char* b, const char* e) const {
    const std::string_view token(b, static_cast<size_t>(e - b));
    const char* q = b;
    if (q + 1 < e && *q == '+' && q[1] != '-' && q[1] != '+') ++q;  // from_chars takes no '+'
    double d = 0;
    if (spec_.value == ValueKind::Integer) {
      int64_t x = 0;
      const auto [ptr, ec] = std::from_chars(q, e, x);
      if (ec == std::errc::invalid_argument || ptr != e)
        error(line, fmt::format("expected an integer value, got {}", show(token)));
      if (ec == std::errc::result_out_of_range)
        error(line, fmt::format("integer value {} is out of the 64-bit range", show(token)));
      d = static_cast<double>(x);
    } else {
      const auto [ptr, ec] = std::from_chars(q, e, d);
      if (ec == std::errc::invalid_argument || ptr != e)
        error(line, fmt::format("expected a numeric weight, got {}", show(token)));
      if (ec == std::errc::result_out_of_range) d = strtod_c(token);  // overflow: inf (refused); underflow: tiny
    }
    if (!std::isfinite(d)) error(line, fmt::format("weight {} is not finite", show(token)));
    if (d < 0 && !spec_.allow_negative_weights)
      error(line, fmt::format("negative weight {} (pass allow_negative_weights=True to keep it)", show(token)));
    return d;
  }

  const EntrySpec& spec_;
  const std::string& path_;
};

}  // namespace

std::string show(std::string_view token) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  for (size_t i = 0; i < token.size() && i < kMax; ++i) {
    const unsigned char ch = static_cast<unsigned char>(token[i]);
    if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'')
      out += static_cast<char>(ch);
    else
      out += fmt::format("\\x{:02x}", ch);
  }
  out += token.size() > kMax ? "'..." : "'";
  return out;
}

bool parse_count(std::string_view token, uint64_t& value) {
  if (token.empty()) return false;
  uint64_t x = 0;
  for (const char ch : token) {
    const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(ch)) - '0';
    if (d > 9) return false;
    if (x < (uint64_t{1} << 59)) x = x * 10 + d;  // saturates: far past any valid id or size
  }
  value = x;
  return true;
}

Entries parse_entries(std::string_view text, long first_line, const EntrySpec& spec, const std::string& path,
                      int64_t chunk_bytes) {
  if (chunk_bytes <= 0) chunk_bytes = kDefaultChunkBytes;
  // Chunks of whole lines: each ends just after a '\n' (or at the end of the text).
  std::vector<Chunk> chunks;
  const char* end = text.data() + text.size();
  for (const char* p = text.data(); p < end;) {
    const char* target = p + std::min<int64_t>(chunk_bytes, end - p) - 1;
    const char* nl = static_cast<const char*>(std::memchr(target, '\n', static_cast<size_t>(end - target)));
    Chunk c;
    c.begin = p;
    c.end = nl ? nl + 1 : end;
    chunks.push_back(std::move(c));
    p = chunks.back().end;
  }
  const int64_t nchunks = static_cast<int64_t>(chunks.size());

  // Parallel pass: a chunk that meets a bad line just stops (its line numbers are not known yet).
  parallel_range(nchunks, 1, [&](int64_t cb, int64_t ce) {
    ChunkParser parser(spec, path);
    for (int64_t i = cb; i < ce; ++i) {
      Chunk& c = chunks[static_cast<size_t>(i)];
      c.src.reserve(static_cast<size_t>((c.end - c.begin) / 12 + 16));
      c.dst.reserve(c.src.capacity());
      if (spec.value != ValueKind::None) c.w.reserve(c.src.capacity());
      try {
        parser.run(c, 0, -1);
      } catch (const FormatError&) {
        c.failed = true;
      }
    }
  });

  // In file order: the first chunk that failed or overflows the declared count is parsed again,
  // sequentially, with its true first line, and throws the first error of the file.
  Entries out;
  long line = first_line;
  std::vector<int64_t> offset(static_cast<size_t>(nchunks) + 1, 0);
  for (int64_t i = 0; i < nchunks; ++i) {
    Chunk& c = chunks[static_cast<size_t>(i)];
    const int64_t room = spec.max_entries < 0 ? -1 : spec.max_entries - offset[static_cast<size_t>(i)];
    if (c.failed || (room >= 0 && static_cast<int64_t>(c.src.size()) > room)) {
      Chunk again;
      again.begin = c.begin;
      again.end = c.end;
      ChunkParser(spec, path).run(again, line, room);
      throw FormatError(path, line, "internal error: a chunk failed once and parsed cleanly the second time");
    }
    line += c.lines;
    out.lines += c.lines;
    out.max_id = std::max(out.max_id, c.max_id);
    offset[static_cast<size_t>(i) + 1] = offset[static_cast<size_t>(i)] + static_cast<int64_t>(c.src.size());
  }

  out.count = offset.back();
  out.src = Array<node_t>(static_cast<size_t>(out.count));
  out.dst = Array<node_t>(static_cast<size_t>(out.count));
  if (spec.value != ValueKind::None) out.w = Array<double>(static_cast<size_t>(out.count));
  parallel_range(nchunks, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t i = cb; i < ce; ++i) {
      Chunk& c = chunks[static_cast<size_t>(i)];
      const int64_t at = offset[static_cast<size_t>(i)];
      std::copy(c.src.begin(), c.src.end(), out.src.data() + at);
      std::copy(c.dst.begin(), c.dst.end(), out.dst.data() + at);
      if (!c.w.empty()) std::copy(c.w.begin(), c.w.end(), out.w.data() + at);
      std::vector<node_t>().swap(c.src);  // release as we go: peak memory stays near 2x the edges
      std::vector<node_t>().swap(c.dst);
      std::vector<double>().swap(c.w);
    }
  });
  return out;
}

}  // namespace sg::io_detail
