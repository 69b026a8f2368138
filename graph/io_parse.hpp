// Internal to the readers: the chunked, parallel line parser shared by edge lists and Matrix Market.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/array.hpp"
#include "graph/graph.hpp"

namespace sg::io_detail {

enum class ValueKind { None, Real, Integer };

// What one data line holds: two ids and an optional value, and how to check them.
struct EntrySpec {
  int base = 0;                  // ids in the file are 0-based (edge lists) or 1-based (Matrix Market)
  int64_t id_limit = kMaxNodes;  // 0-based ids must be < id_limit
  bool matrix = false;           // Matrix Market wording ("row index 7 is outside 1..5")
  bool limit_from_user = false;  // edge lists: id_limit is the caller's num_nodes
  ValueKind value = ValueKind::None;
  bool allow_negative_weights = false;
  std::string_view comments = "#%";  // a line whose first token starts with one of these is skipped
  int64_t max_entries = -1;          // the declared entry count (Matrix Market); -1: unlimited
  std::string_view too_many_hint;    // appended to "too many values" messages
};

struct Entries {
  Array<node_t> src, dst;  // 0-based
  Array<double> w;         // empty unless spec.value != None
  int64_t count = 0;
  int64_t max_id = -1;
  long lines = 0;  // lines in the text (a last line without '\n' counts)
};

// Parse `text`, whose first line is line number `first_line` of `path`, in chunks of about
// chunk_bytes (0: default) on the TBB pool. Entries keep file order whatever the chunking;
// a malformed text throws FormatError for its first bad line.
Entries parse_entries(std::string_view text, long first_line, const EntrySpec& spec, const std::string& path,
                      int64_t chunk_bytes);

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// ASCII lower case (file format words and extensions).
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// The text without a leading UTF-8 byte order mark.
inline std::string_view strip_bom(std::string_view text) {
  return text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
}

// A token for an error message: quoted, printable, at most ~40 characters.
std::string show(std::string_view token);

// A non-negative decimal integer (digits only), saturating far above any valid id or size.
bool parse_count(std::string_view token, uint64_t& value);

}  // namespace sg::io_detail
