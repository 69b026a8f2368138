// Graph file readers: Matrix Market coordinate files and SNAP-style edge lists, parsed natively in parallel.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/array.hpp"
#include "graph/graph.hpp"

namespace sg {

// mtx: Matrix Market coordinate; el: "u v" per line; wel: "u v w" per line (0-based ids).
enum class GraphFileFormat { MatrixMarket, EdgeList, WeightedEdgeList };

// The operating system refused the file (missing, a directory, no permission, not a regular
// file). Carries errno so that Python raises the matching OSError subclass
// (FileNotFoundError, IsADirectoryError, PermissionError, ...).
class FileError : public std::runtime_error {
 public:
  FileError(std::string path, int error_code, const std::string& reason);
  int error_code() const { return error_code_; }
  const std::string& path() const { return path_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string path_, reason_;
  int error_code_;
};

struct ReadOptions {
  // Unset: the format's default (edge lists and general matrices directed, symmetric
  // matrices undirected). directed=false reads every entry as one undirected edge;
  // directed=true on a symmetric matrix stores both directions of each off-diagonal entry.
  std::optional<bool> directed;
  int64_t num_nodes = -1;  // edge lists: < 0 means max id + 1; matrices: must equal the size if set
  bool allow_negative_weights = false;
  int64_t chunk_bytes = 0;  // parallel parse chunk size; 0 = default (a knob for tests)
};

// Parsed edges before CSR construction, in file order (0-based ids).
struct EdgeData {
  Array<node_t> src, dst;
  Array<double> w;  // empty when unweighted
  int64_t num_edges = 0;
  int64_t num_nodes = 0;
  bool weighted = false;
  bool directed = true;
};

// "mtx" | "el" | "wel"; anything else is a Parameter error naming the choices.
GraphFileFormat format_from_name(std::string_view name);
// By extension (.mtx; .el, .txt, .edges, .tsv; .wel, case-insensitive), else a Parameter error.
GraphFileFormat format_from_path(std::string_view path);

// A file's bytes, read whole into memory.
struct FileContents {
  Array<char> data;
  size_t size = 0;
  std::string_view view() const { return {data.data(), size}; }
};

// Read a regular file whole. Throws FileError when it cannot be opened or read.
FileContents read_file(const std::string& path);

// Parse file contents; `path` only names the file in error messages. Every malformed input
// throws FormatError(path, line, message) for the first bad line in file order.
EdgeData parse_edge_list(std::string_view text, bool weighted, const std::string& path, const ReadOptions& opts);
EdgeData parse_matrix_market(std::string_view text, const std::string& path, const ReadOptions& opts);

// Build the graph of parsed edges with Graph::from_edges (what read_graph does after parsing).
GraphPtr build_graph(const EdgeData& edges, const ReadOptions& opts);

// Read and parse a graph file, then build it with Graph::from_edges. No format: by extension.
GraphPtr read_graph(const std::string& path, std::optional<GraphFileFormat> format, const ReadOptions& opts);

}  // namespace sg
