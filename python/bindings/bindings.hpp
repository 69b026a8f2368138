// Shared helpers of the pybind11 bindings: one bind_* function per area, numpy conversion.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "core/array.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "graph/graph.hpp"

namespace py = pybind11;

namespace sg::py_bind {

void bind_errors(py::module_& m);
void bind_graph(py::module_& m);
void bind_io(py::module_& m);
void bind_generators(py::module_& m);
void bind_native_pagerank(py::module_& m);
void bind_native_traversal(py::module_& m);
void bind_native_centrality(py::module_& m);
void bind_program(py::module_& m);
void bind_ops(py::module_& m);

// Python's main thread (the one that runs signal handlers); set when the module is imported.
inline unsigned long& main_thread_ident() {
  static unsigned long ident = 0;
  return ident;
}

// Run f() with the GIL released, interruptible by Ctrl-C at block granularity when called from
// the main thread (core/interrupt.hpp). On SIGINT the work is abandoned and Python's signal
// handlers run: KeyboardInterrupt by default. If the handler does not raise, f() runs again, so
// f must be safe to redo after an interruption (State keeps its last completed iteration; the
// native twins start over).
template <class F>
auto interruptible(F&& f) -> decltype(f()) {
  for (;;) {
    {
      InterruptScope scope(PyThread_get_thread_ident() == main_thread_ident());
      // A signal that came just before the scope opened did not set the flag: honour it now.
      if (scope.active() && PyErr_CheckSignals() != 0) throw py::error_already_set();
      try {
        py::gil_scoped_release release;
        return f();
      } catch (const Interrupted&) {}
    }  // the previous SIGINT handler is back before Python's handlers run
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  }
}

// Hand a native buffer to numpy without copying; numpy's base object owns it.
template <class T>
py::array_t<T> to_numpy(Array<T>&& a) {
  if (a.empty()) return py::array_t<T>(0);
  auto* holder = new Array<T>(std::move(a));
  py::capsule owner(holder, [](void* p) { delete static_cast<Array<T>*>(p); });
  return py::array_t<T>({static_cast<py::ssize_t>(holder->size())}, {static_cast<py::ssize_t>(sizeof(T))},
                        holder->data(), owner);
}

// A 1-D C-contiguous array of exactly T, or a typed error naming the argument.
template <class T>
py::array_t<T> checked_vector(const py::handle& obj, const char* name, int64_t expected_size = -1,
                              ErrorKind kind = ErrorKind::Parameter) {
  if (!py::isinstance<py::array>(obj)) fail(kind, "{} must be a numpy array", name);
  auto arr = py::reinterpret_borrow<py::array>(obj);
  if (arr.ndim() != 1) fail(kind, "{} must be 1-dimensional, got {} dimensions", name, arr.ndim());
  if (!arr.dtype().is(py::dtype::of<T>()))
    fail(kind, "{} must have dtype {}, got {}", name, std::string(py::str(py::dtype::of<T>())),
         std::string(py::str(arr.dtype())));
  if (!(arr.flags() & py::array::c_style)) fail(kind, "{} must be C-contiguous", name);
  if (expected_size >= 0 && arr.size() != expected_size)
    fail(kind, "{} has length {}, expected {}", name, arr.size(), expected_size);
  return py::reinterpret_borrow<py::array_t<T>>(arr);
}

}  // namespace sg::py_bind
