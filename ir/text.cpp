// Deserializer of the IR's text form; every malformed input is an ErrorKind::Program error.
//
//   sgir 1
//   loop <max_iter | none>
//   v <P|B|E> <op> <dtype> <s|n> <ninputs> <input ids...> [key=value ...]
//   carry <name> <init id> <carry id> <update id>
//   until <id>
//   order <delta | auto>
//   residual <id>
//   output <name> <id>
//   end
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "ir/ir.hpp"

namespace sg {

namespace {

// A token of the input for an error message: quoted, printable ASCII (other bytes as \xNN),
// at most ~40 characters.
std::string show(std::string_view t) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  for (size_t i = 0; i < t.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  out += t.size() > kMax ? "'..." : "'";
  return out;
}

[[noreturn]] void bad(size_t line, const std::string& what) {
  fail(ErrorKind::Program, "malformed program IR, line {}: {}", line, what);
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\r') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

int64_t to_int(std::string_view t, size_t line, const char* what) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range && p == t.data() + t.size())
    bad(line, fmt::format("{} {} is out of the 64-bit integer range", what, show(t)));
  if (ec != std::errc() || p != t.data() + t.size()) bad(line, fmt::format("{} {} is not an integer", what, show(t)));
  return v;
}

// Python's repr of a float: decimal or exponent form, inf, -inf, nan. Hex floats, a leading
// '+' and values beyond the float64 range are refused (strtod would take them all).
double to_double(std::string_view t, size_t line) {
  if (t == "inf") return INFINITY;
  if (t == "-inf") return -INFINITY;
  if (t == "nan") return NAN;
  double v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, std::chars_format::general);
  if (t.empty() || p != t.data() + t.size() || ec == std::errc::invalid_argument)
    bad(line, fmt::format("{} is not a number", show(t)));
  if (ec == std::errc::result_out_of_range) {
    // Overflow is an error; underflow (a magnitude below the smallest subnormal) reads as 0.
    errno = 0;
    const double x = std::strtod(std::string(t).c_str(), nullptr);
    if (std::isinf(x)) bad(line, fmt::format("{} is out of the float64 range", show(t)));
    return x;
  }
  if (!std::isfinite(v)) bad(line, fmt::format("{} is not a number (write inf, -inf or nan)", show(t)));
  return v;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || s.size() > 200 || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string pct_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

template <class E, size_t N>
E parse_enum(std::string_view t, const std::string_view (&names)[N], size_t line, const char* what) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == t) return static_cast<E>(i);
  bad(line, fmt::format("unknown {} {}", what, show(t)));
}

constexpr std::string_view kDTypes[] = {"f64", "f32", "i64", "bool"};
constexpr std::string_view kCombines[] = {"sum", "min", "max", "mean", "mode", "h_index"};
constexpr std::string_view kDirections[] = {"in", "out", "both"};
constexpr std::string_view kEdges[] = {"none", "mul_weight", "add_weight"};

OpCode parse_op(std::string_view t, size_t line) {
  for (const OpInfo& info : kOps)
    if (info.name == t) return info.code;
  bad(line, fmt::format("unknown op {}", show(t)));
}

void parse_attr(Value& v, std::string_view tok, size_t line) {
  const size_t eq = tok.find('=');
  if (eq == std::string_view::npos) bad(line, fmt::format("attribute {} is not key=value", show(tok)));
  const std::string_view key = tok.substr(0, eq), val = tok.substr(eq + 1);
  if (key == "number")
    v.number = to_double(val, line);
  else if (key == "name") {
    if (!is_identifier(val))
      bad(line, fmt::format("name {} is not an identifier (ASCII, at most 200 characters)", show(val)));
    v.name = std::string(val);
  } else if (key == "label") {
    if (!is_identifier(val))
      bad(line, fmt::format("label {} is not an identifier (ASCII, at most 200 characters)", show(val)));
    v.label = std::string(val);
  } else if (key == "to")
    v.to = parse_enum<DType>(val, kDTypes, line, "dtype");
  else if (key == "combine")
    v.combine = parse_enum<Combine>(val, kCombines, line, "combine");
  else if (key == "direction")
    v.direction = parse_enum<Direction>(val, kDirections, line, "direction");
  else if (key == "edge")
    v.edge = parse_enum<EdgeOp>(val, kEdges, line, "edge op");
  else if (key == "weighted")
    v.weighted = to_int(val, line, "weighted") != 0;
  else if (key == "by")
    v.by_max = val == "max" ? true : val == "sum" ? false : (bad(line, "by must be sum or max"), false);
  else if (key == "edges") {  // link's slice of each row: "from:to" or "from:" (to the row's end)
    const size_t colon = val.find(':');
    if (colon == std::string_view::npos) bad(line, fmt::format("edges {} is not from:to", show(val)));
    v.edges_from = to_int(val.substr(0, colon), line, "edges from");
    v.edges_to = colon + 1 == val.size() ? -1 : to_int(val.substr(colon + 1), line, "edges to");
    if (v.edges_from < 0 || (v.edges_to >= 0 && v.edges_to < v.edges_from) || v.edges_to < -1)
      bad(line, fmt::format("edges {} is not a slice from:to with 0 <= from <= to", show(val)));
  } else if (key == "loc")
    v.loc = pct_decode(val);
  else
    bad(line, fmt::format("unknown attribute {}", show(key)));
}

}  // namespace

std::string_view combine_name(Combine c) { return kCombines[static_cast<int>(c)]; }
std::string_view direction_name(Direction d) { return kDirections[static_cast<int>(d)]; }
std::string_view edge_name(EdgeOp e) { return kEdges[static_cast<int>(e)]; }

ProgramIR parse_ir(std::string_view text) {
  ProgramIR ir;
  size_t line_no = 0, pos = 0;
  bool header = false, ended = false;
  constexpr size_t kMaxValues = 1 << 20;
  while (pos < text.size() && !ended) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const auto tok = split(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    if (tok.empty()) continue;
    if (!header) {
      if (tok.size() != 2 || tok[0] != "sgir" || tok[1] != "1") bad(line_no, "expected the header 'sgir 1'");
      header = true;
      continue;
    }
    const std::string_view kind = tok[0];
    if (kind == "loop") {
      if (tok.size() != 2 || ir.has_loop) bad(line_no, "expected one 'loop <max_iter>'");
      ir.has_loop = true;
      // "none": a fixed point that stops by its predicate (b.loop(max_iter=None)).
      ir.max_iter = tok[1] == "none" ? kUntilConverged : to_int(tok[1], line_no, "max_iter");
      if (ir.max_iter < 0) bad(line_no, "max_iter must be >= 0");
    } else if (kind == "v") {
      if (tok.size() < 6) bad(line_no, "a value needs: v <region> <op> <dtype> <shape> <ninputs> ...");
      if (ir.values.size() >= kMaxValues) bad(line_no, "too many values");
      Value v;
      v.region = tok[1] == "P"   ? Region::Prologue
                 : tok[1] == "B" ? Region::Body
                 : tok[1] == "E" ? Region::Epilogue
                                 : (bad(line_no, "region must be P, B or E"), Region::Body);
      v.op = parse_op(tok[2], line_no);
      v.type.dtype = parse_enum<DType>(tok[3], kDTypes, line_no, "dtype");
      v.type.shape = tok[4] == "s"   ? Shape::Scalar
                     : tok[4] == "n" ? Shape::Node
                                     : (bad(line_no, "shape must be s or n"), Shape::Scalar);
      const int64_t nin = to_int(tok[5], line_no, "input count");
      if (nin != op_info(v.op).arity)
        bad(line_no, fmt::format("{} takes {} inputs, got {}", op_name(v.op), op_info(v.op).arity, nin));
      if (static_cast<int64_t>(tok.size()) < 6 + nin) bad(line_no, "missing input ids");
      for (int64_t i = 0; i < nin; ++i) {
        const int64_t id = to_int(tok[6 + i], line_no, "input id");
        if (id < 0 || id >= static_cast<int64_t>(ir.values.size()))
          bad(line_no, fmt::format("input %{} is not an earlier value", id));
        v.inputs.push_back(static_cast<int32_t>(id));
      }
      for (size_t i = 6 + nin; i < tok.size(); ++i) parse_attr(v, tok[i], line_no);
      ir.values.push_back(std::move(v));
    } else if (kind == "carry") {
      if (tok.size() != 5) bad(line_no, "expected 'carry <name> <init> <carry> <update>'");
      if (!is_identifier(tok[1]))
        bad(line_no, fmt::format("carry name {} is not an identifier (ASCII, at most 200 characters)", show(tok[1])));
      CarryDecl c{std::string(tok[1]), 0, 0, 0};
      int32_t* ids[] = {&c.init, &c.value, &c.update};
      for (int i = 0; i < 3; ++i) {
        const int64_t id = to_int(tok[2 + i], line_no, "value id");
        if (id < 0 || id >= static_cast<int64_t>(ir.values.size())) bad(line_no, fmt::format("%{} is not a value", id));
        *ids[i] = static_cast<int32_t>(id);
      }
      ir.carries.push_back(std::move(c));
    } else if (kind == "until") {
      if (tok.size() != 2 || ir.until >= 0) bad(line_no, "expected one 'until <id>'");
      const int64_t id = to_int(tok[1], line_no, "value id");
      if (id < 0 || id >= static_cast<int64_t>(ir.values.size())) bad(line_no, fmt::format("%{} is not a value", id));
      ir.until = static_cast<int32_t>(id);
    } else if (kind == "order") {
      if (tok.size() != 2 || ir.ordered) bad(line_no, "expected one 'order <delta | auto>'");
      ir.ordered = true;
      ir.delta = tok[1] == "auto" ? 0.0 : to_double(tok[1], line_no);
      if (!(std::isfinite(ir.delta) && ir.delta > 0) && tok[1] != "auto")
        bad(line_no, fmt::format("the bucket width delta must be finite and > 0, got {}", tok[1]));
    } else if (kind == "residual") {
      if (tok.size() != 2 || ir.residual >= 0) bad(line_no, "expected one 'residual <id>'");
      const int64_t id = to_int(tok[1], line_no, "value id");
      if (id < 0 || id >= static_cast<int64_t>(ir.values.size())) bad(line_no, fmt::format("%{} is not a value", id));
      ir.residual = static_cast<int32_t>(id);
    } else if (kind == "output") {
      if (tok.size() != 3) bad(line_no, "expected 'output <name> <id>'");
      if (!is_identifier(tok[1]))
        bad(line_no, fmt::format("output name {} is not an identifier (ASCII, at most 200 characters)", show(tok[1])));
      const int64_t id = to_int(tok[2], line_no, "value id");
      if (id < 0 || id >= static_cast<int64_t>(ir.values.size())) bad(line_no, fmt::format("%{} is not a value", id));
      ir.outputs.emplace_back(std::string(tok[1]), static_cast<int32_t>(id));
    } else if (kind == "end") {
      if (tok.size() != 1) bad(line_no, "'end' takes nothing");
      ended = true;
    } else {
      bad(line_no, fmt::format("unknown directive {}", show(kind)));
    }
  }
  if (!header) bad(line_no, "empty program");
  if (!ended) bad(line_no, "missing 'end' (truncated program?)");
  for (; pos < text.size(); ++pos) {  // only blank space may follow 'end'
    const char c = text[pos];
    if (c == '\n')
      ++line_no;
    else if (c != ' ' && c != '\t' && c != '\r')
      bad(line_no + 1, "text after 'end'");
  }
  validate_ir(ir);
  return ir;
}

}  // namespace sg
