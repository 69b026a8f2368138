// stepgraph._core.read_graph_file: native graph file readers (GIL released while reading and parsing).
#include <optional>
#include <string>

#include <pybind11/stl.h>

#include "graph/io.hpp"
#include "python/bindings/bindings.hpp"

namespace sg::py_bind {

void bind_io(py::module_& m) {
  // FileError -> OSError(errno, reason, filename): Python picks the subclass from errno
  // (FileNotFoundError, IsADirectoryError, PermissionError, ...).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const FileError& e) {
      py::object filename = py::reinterpret_steal<py::object>(PyUnicode_DecodeFSDefault(e.path().c_str()));
      if (!filename) {
        PyErr_Clear();
        filename = py::str(e.path());
      }
      py::object exc = py::reinterpret_borrow<py::object>(PyExc_OSError)(e.error_code(), e.reason(), filename);
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
    }
  });

  m.def(
      "read_graph_file",
      [](const py::bytes& path, const std::string& format, std::optional<bool> directed, int64_t num_nodes,
         bool allow_negative_weights, int64_t chunk_bytes) {
        const std::string p = path;
        std::optional<GraphFileFormat> f;
        if (!format.empty()) f = format_from_name(format);
        ReadOptions opts;
        opts.directed = directed;
        opts.num_nodes = num_nodes;
        opts.allow_negative_weights = allow_negative_weights;
        opts.chunk_bytes = chunk_bytes;
        return interruptible([&] { return read_graph(p, f, opts); });
      },
      py::arg("path"), py::arg("format"), py::arg("directed"), py::arg("num_nodes"), py::arg("allow_negative_weights"),
      py::arg("chunk_bytes") = 0,
      "Read a graph file (path as filesystem bytes; format '' = by extension). GIL released, Ctrl-C honoured.");
}

}  // namespace sg::py_bind
