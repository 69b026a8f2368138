// Translate sg::Error kinds into the Python classes of stepgraph.errors.
#include <array>
#include <cstring>
#include <new>

#include "python/bindings/bindings.hpp"

namespace sg::py_bind {

namespace {
// Leaked on purpose: Python objects must not be destroyed after interpreter shutdown.
std::array<PyObject*, 7> g_types{};

PyObject* type_for(ErrorKind kind) {
  PyObject* t = g_types[static_cast<size_t>(kind)];
  return t ? t : PyExc_ValueError;
}

// A message as a Python str, whatever bytes it echoes from the input: invalid UTF-8 becomes
// \xNN escapes (a bad message must never raise a UnicodeDecodeError instead of the error it
// reports).
py::str message(const char* what) {
  PyObject* s = PyUnicode_DecodeUTF8(what, static_cast<Py_ssize_t>(std::strlen(what)), "backslashreplace");
  if (!s) {
    PyErr_Clear();
    return py::str("(undecodable error message)");
  }
  return py::reinterpret_steal<py::str>(s);
}
}  // namespace

void bind_errors(py::module_& m) {
  m.def("_set_error_types", [](py::dict types) {
    const char* names[] = {"graph", "format", "parameter", "convergence", "program", "state", "memory"};
    for (size_t i = 0; i < g_types.size(); ++i) {
      py::object t = types[names[i]];
      Py_XDECREF(g_types[i]);
      g_types[i] = t.release().ptr();
    }
  });
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const FormatError& e) {
      PyObject* type = type_for(e.kind());
      py::object exc = py::reinterpret_borrow<py::object>(type)(message(e.what()));
      exc.attr("line") = e.line();
      PyErr_SetObject(type, exc.ptr());
    } catch (const Error& e) {
      PyErr_SetObject(type_for(e.kind()), message(e.what()).ptr());
    } catch (const std::bad_alloc&) {
      // An allocation failed that no size check foresaw (ulimit -v, a limit reached meanwhile):
      // OutOfMemoryError (a MemoryError), not pybind11's bare "std::bad_alloc".
      PyErr_SetString(type_for(ErrorKind::Memory),
                      "out of memory: a native allocation failed (the graph or state does not fit in the memory "
                      "available to this process)");
    }
  });
}

}  // namespace sg::py_bind
