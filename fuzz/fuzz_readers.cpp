// libFuzzer target: the graph file readers (Matrix Market, .el, .wel) on in-memory text, then the CSR build.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <tbb/global_control.h>

#include "core/error.hpp"
#include "graph/graph.hpp"
#include "graph/io.hpp"

namespace {

// Past this many nodes a build is skipped: a file may name node 2^31 - 2, which is valid but
// would make every input allocate gigabytes (graph construction itself is fuzzed up to here).
constexpr int64_t kMaxFuzzNodes = int64_t{1} << 16;

uint64_t fnv1a(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

// Parse `text` as `format` with `opts`, then build the graph; the library's typed errors are fine.
void read(std::string_view text, sg::GraphFileFormat format, const sg::ReadOptions& opts) {
  try {
    const sg::EdgeData e =
        format == sg::GraphFileFormat::MatrixMarket
            ? sg::parse_matrix_market(text, "fuzz.mtx", opts)
            : sg::parse_edge_list(text, format == sg::GraphFileFormat::WeightedEdgeList, "fuzz.el", opts);
    if (e.num_nodes > kMaxFuzzNodes) return;
    const sg::GraphPtr g = sg::build_graph(e, opts);
    if (g->num_nodes() != e.num_nodes) __builtin_trap();
    (void)g->degree_weights(true);
  } catch (const sg::Error&) {}
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  return 0;
}

// Every input is read in all three formats, once with the default options and once with options
// (direction, num_nodes, negative weights, a small parse chunk) that follow from the input's hash.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const uint64_t h = fnv1a(data, size);
  sg::ReadOptions tuned;
  if (h & 1) tuned.directed = ((h >> 1) & 1) != 0;
  if ((h >> 2) & 1) tuned.num_nodes = static_cast<int64_t>((h >> 3) % 12);
  tuned.allow_negative_weights = (h >> 8) & 1;
  tuned.chunk_bytes = static_cast<int64_t>(1 + (h >> 9) % 48);
  for (const auto format :
       {sg::GraphFileFormat::MatrixMarket, sg::GraphFileFormat::EdgeList, sg::GraphFileFormat::WeightedEdgeList}) {
    read(text, format, sg::ReadOptions{});
    read(text, format, tuned);
  }
  return 0;
}
