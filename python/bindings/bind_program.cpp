// Bindings of Program and State: the IR crosses once; each apply is one native call.
#include <memory>
#include <vector>

#include <pybind11/stl.h>

#include "compiler/explain.hpp"
#include "exec/program.hpp"
#include "python/bindings/bindings.hpp"

namespace sg::py_bind {

namespace {

// n elements of dtype d at `data`, kept alive by `owner` (bool vectors: one byte per node).
py::object node_array(DType d, py::ssize_t n, unsigned char* data, py::handle owner) {
  return with_dtype(d, [&](auto t) -> py::object {
    using T = decltype(t);
    if constexpr (std::is_same_v<T, uint8_t>)
      return py::array(py::dtype("bool"), {n}, {py::ssize_t{1}}, data, owner);
    else
      return py::array_t<T>({n}, {static_cast<py::ssize_t>(sizeof(T))}, reinterpret_cast<T*>(data), owner);
  });
}

py::object value_of(State& s, int32_t id, py::handle owner) {
  const Value& v = s.value(id);
  Slot& slot = s.slot(id);
  if (v.type.shape == Shape::Scalar) {
    switch (v.type.dtype) {
      case DType::F64:
      case DType::F32: return py::float_(slot.f);
      case DType::I64: return py::int_(slot.i);
      case DType::Bool: return py::bool_(slot.i != 0);
    }
  }
  return node_array(v.type.dtype, static_cast<py::ssize_t>(s.graph()->num_nodes()), slot.node, owner);
}

// A State getter that first checks no other thread is running the State.
template <class T>
auto readable(T (State::*get)() const) {
  return [get](const State& s) -> T {
    s.check_readable();
    return (s.*get)();
  };
}

std::shared_ptr<State> make_state(const ProgramPtr& p, const GraphPtr& g, const py::dict& params,
                                  const py::dict& inputs) {
  Bindings b;
  std::vector<py::array_t<double>> keep;
  for (auto item : params) {
    if (!py::isinstance<py::str>(item.first)) fail(ErrorKind::Parameter, "parameter names must be strings");
    const auto name = py::cast<std::string>(item.first);
    const double x = PyBool_Check(item.second.ptr()) ? -1.0 : PyFloat_AsDouble(item.second.ptr());
    if (PyBool_Check(item.second.ptr()) || (x == -1.0 && PyErr_Occurred())) {
      PyErr_Clear();
      fail(ErrorKind::Parameter, "parameter '{}' must be a number, got {}", name, std::string(py::repr(item.second)));
    }
    b.params[name] = x;
  }
  for (auto item : inputs) {
    if (!py::isinstance<py::str>(item.first)) fail(ErrorKind::Parameter, "input vector names must be strings");
    const auto name = py::cast<std::string>(item.first);
    keep.push_back(checked_vector<double>(item.second, name.c_str(), g->num_nodes()));
    b.inputs[name] = keep.back().data();
  }
  return interruptible([&] { return std::make_shared<State>(p, g, b); });
}

}  // namespace

void bind_program(py::module_& m) {
  py::class_<Program, std::shared_ptr<Program>>(m, "Program")
      .def(py::init([](const std::string& text, int opt_level, bool exact, std::vector<std::string> disable,
                       std::vector<std::string> enable) {
             return compile_program(text, compiler::Options{opt_level, exact, std::move(disable), std::move(enable)});
           }),
           py::arg("ir_text"), py::arg("opt_level") = compiler::Options().opt_level,
           py::arg("exact") = compiler::Options().exact, py::arg("disable") = std::vector<std::string>{},
           py::arg("enable") = std::vector<std::string>{})
      .def_property_readonly("num_steps", [](const Program& p) { return p.steps().size(); })
      .def_property_readonly("has_loop", [](const Program& p) { return p.ir().has_loop; })
      .def_property_readonly("max_iter", [](const Program& p) { return p.ir().max_iter; })
      .def_property_readonly("outputs",
                             [](const Program& p) {
                               std::vector<std::string> names;
                               for (const auto& o : p.ir().outputs) names.push_back(o.first);
                               return names;
                             })
      .def_property_readonly("passes_over_node_data", [](const Program& p) { return p.plan().passes_over_node_data(); })
      .def_property_readonly("passes_at_init", [](const Program& p) { return p.plan().passes_at_init(); })
      .def_property_readonly("refused",
                             [](const Program& p) {
                               std::vector<std::tuple<int32_t, int32_t, std::string>> out;
                               for (const auto& d : p.plan().refused)
                                 out.emplace_back(d.producer, d.consumer, d.reason);
                               return out;
                             })
      .def("text", [](const Program& p) { return print_ir(p.ir()); })
      .def(
          "explain", [](const Program& p, bool passes) { return compiler::explain(p.ir(), p.plan(), passes); },
          py::arg("passes") = false)
      .def("to_dot", [](const Program& p) { return compiler::to_dot(p.ir(), p.plan()); })
      .def("row_kernels",
           [](const Program& p) {
             // (step index, entry-point prefix, C++ source) of every generated row kernel.
             std::vector<std::tuple<size_t, std::string, std::string>> out;
             for (size_t s = 0; s < p.steps().size(); ++s)
               if (!p.steps()[s].row.source.empty())
                 out.emplace_back(s, p.steps()[s].row.symbol, p.steps()[s].row.source);
             return out;
           })
      .def("attach_row_kernel", &Program::attach_row_kernel, py::arg("step"), py::arg("path"))
      .def("set_row_loop", &Program::set_row_loop, py::arg("name"))
      .def("leave_rows_interpreted", &Program::leave_rows_interpreted, py::arg("why"));
  m.def("row_kernel_flags", &row_kernel_flags);

  py::class_<State, std::shared_ptr<State>>(m, "State")
      // Reads check that no other thread is running the State (residuals could be reallocated
      // under the copy, buffers swapped under a view): State::check_readable.
      .def_property_readonly("iteration", readable(&State::iteration))
      .def_property_readonly("converged", readable(&State::converged))
      .def_property_readonly("residual", readable(&State::residual))
      .def_property_readonly("residuals",
                             [](const State& s) {
                               s.check_readable();  // one array, not a float object per iteration
                               const std::vector<double>& r = s.residuals();
                               return py::array_t<double>(static_cast<py::ssize_t>(r.size()), r.data());
                             })
      .def_property_readonly("next_step", readable(&State::next_step))
      .def_property_readonly("half_done", readable(&State::half_done))
      .def("same_program", [](const State& s, const std::shared_ptr<Program>& p) { return s.program_ptr() == p; })
      .def("same_graph", [](const State& s, const GraphPtr& g) { return s.graph() == g; })
      .def(
          "apply_step",
          [](State& s, int64_t i) {
            State::Use use(s);
            State::CallTimer timer(s);
            interruptible([&] { s.apply_step(i); });  // interrupted: the step is discarded, call it again
          },
          py::arg("i"))
      .def("apply_batch",
           [](State& s) {
             State::Use use(s);
             State::CallTimer timer(s);
             interruptible([&] { s.apply_batch(); });  // interrupted: the iteration is discarded
           })
      .def(
          "run",
          [](State& s, int64_t max_iter, py::object progress, bool final) {
            State::Use use(s);
            State::CallTimer timer(s);
            // Signals are checked between iterations and (SIGINT) inside kernels; an interrupted
            // iteration is discarded, so the State is as after the last completed one.
            // Without a progress callback, Python's signal handlers (which need the GIL) are
            // looked at after each millisecond of kernel time, not after every iteration: taking
            // the GIL (or even reading the clock) costs more than a small frontier iteration.
            // SIGINT's flag is checked every time.
            constexpr int64_t kSignalCheckNs = 1000000;
            int64_t checked = s.stats().kernel_ns;
            interruptible([&] {
              s.run(
                  max_iter,
                  [&]() {
                    if (progress.is_none()) {
                      check_interrupt();
                      if (s.stats().kernel_ns - checked < kSignalCheckNs) return true;
                      checked = s.stats().kernel_ns;
                    }
                    py::gil_scoped_acquire acquire;
                    // The completed iteration is reported first: a Ctrl-C that came during it is
                    // raised right after, so every iteration the State completed was reported once.
                    if (!progress.is_none()) progress(s.iteration(), s.residual());
                    check_interrupt();
                    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
                    return true;
                  },
                  final);
            });
          },
          py::arg("max_iter"), py::arg("progress") = py::none(), py::arg("final") = false)
      .def("finish",
           [](State& s) {
             State::Use use(s);
             interruptible([&] { s.finish(); });
           })
      .def(
          "get",
          [](py::object self, const std::string& name) {
            State& s = self.cast<State&>();
            py::object view = value_of(s, s.readable_output(name), self);
            // Read-only: the State keeps what it derived from its buffers (a loop's frontier,
            // its unchanged rows), so a write through the view would go unseen by them.
            if (py::isinstance<py::array>(view)) view.attr("flags").attr("writeable") = false;
            return view;
          },
          py::arg("name"))
      .def("take_outputs",
           [](State& s) {
             // Each output's buffer moved into a numpy array of its own (no copy); the State
             // is spent afterwards. Outputs sharing a buffer, or with none of their own, get copies.
             State::Use use(s);
             const auto n = static_cast<py::ssize_t>(s.graph()->num_nodes());
             py::dict out;
             const auto& outs = s.program().ir().outputs;
             const std::vector<char> moves = s.outputs_to_hand_over();
             py::object self = py::cast(&s, py::return_value_policy::reference);
             // Values are read (scalars, copies) before any buffer moves out.
             std::vector<py::object> early(outs.size());
             for (size_t i = 0; i < outs.size(); ++i) {
               if (moves[i]) continue;
               const int32_t id = outs[i].second;
               early[i] = s.value(id).type.shape == Shape::Scalar ? value_of(s, id, self)
                                                                  : py::array(value_of(s, id, self)).attr("copy")();
             }
             for (size_t i = 0; i < outs.size(); ++i) {
               const auto& [name, id] = outs[i];
               if (!moves[i]) {
                 out[py::str(name)] = early[i];
                 continue;
               }
               auto* held = new Array<unsigned char>(s.release_buffer(id));
               py::capsule owner(held, [](void* q) { delete static_cast<Array<unsigned char>*>(q); });
               if (!held->data()) fail(ErrorKind::State, "output '{}' has no buffer to hand over", name);
               out[py::str(name)] = node_array(s.value(id).type.dtype, n, held->data(), owner);
             }
             return out;
           })
      .def_property_readonly("stats", [](State& s) {
        s.check_readable();
        const Stats& st = s.stats();
        py::dict d;
        d["native_calls"] = st.native_calls;
        d["boundary_ns"] = st.boundary_ns;
        d["kernel_ns"] = st.kernel_ns;
        d["step_ns"] = st.step_ns;
        d["allocations"] = st.allocations;
        d["reuses"] = st.reuses;
        d["iterations"] = st.iterations;
        // Whether the loop runs over changed nodes (else frontier_note says why not); per
        // iteration, the frontier's size as it began and its direction ("push" or "pull").
        py::list directions;
        const py::str pull("pull"), push("push");
        for (uint8_t p : st.frontier_pulls) directions.append(p ? pull : push);
        d["frontier_sizes"] = st.frontier_sizes;
        d["frontier_directions"] = directions;
        d["frontier"] = st.frontier;
        d["frontier_note"] = st.frontier_note;
        // Per dense iteration: the rows aggregations keeping their unchanged rows left as they were.
        d["unchanged_rows"] = st.unchanged_rows;
        // Per step with a compiled row kernel: the loop it runs (None while still measuring),
        // the best time of each loop tried, in nanoseconds, the pairs timed, and (if it folds a
        // reduction over a hoisted mask) whether it tests that mask with a branch or a select.
        py::dict loops;
        for (const RowLoopSummary& r : s.row_loop_summaries()) {
          py::dict one, best;
          one["chosen"] = r.chosen ? py::object(py::str(r.chosen)) : py::object(py::none());
          for (const auto& [loop, ns] : r.best_ns) best[loop] = ns;
          one["best_ns"] = best;
          one["pairs"] = r.pairs;
          if (r.rows_vs_chunks) one["rows_vs_chunks"] = *r.rows_vs_chunks;
          if (r.masks) one["masks"] = r.masks;
          loops[py::int_(r.step)] = one;
        }
        d["row_loops"] = loops;
        return d;
      });

  m.def(
      "array_allocations", []() { return array_allocations().load(); },
      "native buffer allocations so far in this process (a test hook)");
  m.def(
      "array_live_bytes", []() { return array_live_bytes().load(); },
      "bytes of native buffers alive in this process (a test hook for leaks)");
  m.def("init_state", &make_state, py::arg("program"), py::arg("graph"), py::arg("params"), py::arg("inputs"));
}

}  // namespace sg::py_bind
