// Translate sg::Error kinds into the Python classes of stepgraph.errors.
#include <array>

#include "python/bindings/bindings.hpp"

namespace sg::py_bind {

namespace {
// Leaked on purpose: Python objects must not be destroyed after interpreter shutdown.
std::array<PyObject*, 7> g_types{};

PyObject* type_for(ErrorKind kind) {
  PyObject* t = g_types[static_cast<size_t>(kind)];
  return t ? t : PyExc_ValueError;
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
      py::object exc = py::reinterpret_borrow<py::object>(type)(e.what());
      exc.attr("line") = e.line();
      PyErr_SetObject(type, exc.ptr());
    } catch (const Error& e) {
      PyErr_SetString(type_for(e.kind()), e.what());
    }
  });
}

}  // namespace sg::py_bind
