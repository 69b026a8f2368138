// Graph file reading: formats by name or extension, whole-file reads, edge lists, read_graph.
#include "graph/io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <fmt/format.h>

#include "core/error.hpp"
#include "graph/io_parse.hpp"

namespace sg {

namespace {

constexpr const char* kFormatChoices =
    "'mtx' (Matrix Market), 'el' (edge list u v) or 'wel' (weighted edge list u v w)";

std::string errno_text(int err) { return std::generic_category().message(err); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

FileError::FileError(std::string path, int error_code, const std::string& reason)
    : std::runtime_error(fmt::format("{}: {}", path, reason)),
      path_(std::move(path)),
      reason_(reason),
      error_code_(error_code) {}

GraphFileFormat format_from_name(std::string_view name) {
  if (name == "mtx") return GraphFileFormat::MatrixMarket;
  if (name == "el") return GraphFileFormat::EdgeList;
  if (name == "wel") return GraphFileFormat::WeightedEdgeList;
  fail(ErrorKind::Parameter, "unknown graph file format {}; choose {}", io_detail::show(name), kFormatChoices);
}

GraphFileFormat format_from_path(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  const std::string ext = dot == std::string_view::npos ? std::string() : io_detail::lower(base.substr(dot + 1));
  if (ext == "mtx") return GraphFileFormat::MatrixMarket;
  if (ext == "el" || ext == "txt" || ext == "edges" || ext == "tsv") return GraphFileFormat::EdgeList;
  if (ext == "wel") return GraphFileFormat::WeightedEdgeList;
  const char* compressed = (ext == "gz" || ext == "bz2" || ext == "xz" || ext == "zst" || ext == "zip")
                               ? " (compressed files are not read; decompress it first)"
                               : "";
  fail(ErrorKind::Parameter,
       "cannot tell the format of '{}' from its extension{}; pass format={} (known extensions: .mtx; .el, .txt, "
       ".edges, .tsv; .wel)",
       path, compressed, kFormatChoices);
}

FileContents read_file(const std::string& path) {
  if (path.find('\0') != std::string::npos) throw FileError(path, EINVAL, "the path contains a NUL byte");
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below anyway).
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int err = errno;
    throw FileError(path, err, errno_text(err));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    const int err = errno;
    throw FileError(path, err, errno_text(err));
  }
  if (S_ISDIR(st.st_mode)) throw FileError(path, EISDIR, errno_text(EISDIR));
  if (!S_ISREG(st.st_mode))
    throw FileError(path, EINVAL, "not a regular file (pipes, sockets and devices are not read)");

  FileContents out;
  const size_t size = static_cast<size_t>(st.st_size);
  out.data = Array<char>(size);
  while (out.size < size) {  // a file that shrinks meanwhile ends early; one that grows is cut at size
    const ssize_t r = ::read(fd.get(), out.data.data() + out.size, std::min<size_t>(size - out.size, size_t{1} << 30));
    if (r < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      throw FileError(path, err, errno_text(err));
    }
    if (r == 0) break;
    out.size += static_cast<size_t>(r);
  }
  return out;
}

EdgeData parse_edge_list(std::string_view text, bool weighted, const std::string& path, const ReadOptions& opts) {
  if (opts.num_nodes > kMaxNodes)
    fail(ErrorKind::Parameter, "num_nodes = {} exceeds the supported maximum of {} (32-bit node ids)", opts.num_nodes,
         kMaxNodes);
  io_detail::EntrySpec spec;
  spec.base = 0;
  spec.limit_from_user = opts.num_nodes >= 0;
  spec.id_limit = spec.limit_from_user ? opts.num_nodes : kMaxNodes;
  spec.value = weighted ? io_detail::ValueKind::Real : io_detail::ValueKind::None;
  spec.allow_negative_weights = opts.allow_negative_weights;
  spec.comments = "#%";
  if (!weighted) spec.too_many_hint = " (for weighted edges 'u v w' read it as format='wel')";
  io_detail::Entries entries = io_detail::parse_entries(io_detail::strip_bom(text), 1, spec, path, opts.chunk_bytes);

  EdgeData e;
  e.num_edges = entries.count;
  e.src = std::move(entries.src);
  e.dst = std::move(entries.dst);
  e.w = std::move(entries.w);
  e.weighted = weighted;
  e.directed = opts.directed.value_or(true);
  e.num_nodes = opts.num_nodes >= 0 ? opts.num_nodes : entries.max_id + 1;
  return e;
}

GraphPtr read_graph(const std::string& path, std::optional<GraphFileFormat> format, const ReadOptions& opts) {
  const GraphFileFormat f = format ? *format : format_from_path(path);
  if (opts.num_nodes > kMaxNodes)
    fail(ErrorKind::Parameter, "num_nodes = {} exceeds the supported maximum of {} (32-bit node ids)", opts.num_nodes,
         kMaxNodes);
  EdgeData e;
  {
    const FileContents file = read_file(path);
    e = f == GraphFileFormat::MatrixMarket
            ? parse_matrix_market(file.view(), path, opts)
            : parse_edge_list(file.view(), f == GraphFileFormat::WeightedEdgeList, path, opts);
  }  // the file's bytes are freed before the CSR is built
  return build_graph(e, opts);
}

GraphPtr build_graph(const EdgeData& e, const ReadOptions& opts) {
  BuildOptions build;
  build.directed = e.directed;
  build.allow_negative_weights = opts.allow_negative_weights;
  static const double kNoWeights = 0;  // a weighted file without edges still gives a weighted graph
  const double* w = !e.weighted ? nullptr : e.num_edges > 0 ? e.w.data() : &kNoWeights;
  return Graph::from_edges<node_t>(e.src.data(), e.dst.data(), w, e.num_edges, e.num_nodes, build);
}

}  // namespace sg
