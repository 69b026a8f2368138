// Bindings of Program and State: the IR crosses once; each apply is one native call.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <memory>
#include <optional>

#include <pybind11/stl.h>

#include "python/bindings/bindings.hpp"
#include "compiler/explain.hpp"
#include "compiler/kernels.hpp"
#include "exec/program.hpp"

namespace sg::py_bind {

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Counts one native call; boundary time = the call's wall time minus what kernels took.
class CallTimer {
 public:
  explicit CallTimer(State& s) : s_(s), t0_(now_ns()), k0_(s.stats().kernel_ns) {}
  ~CallTimer() {
    Stats& st = s_.stats();
    ++st.native_calls;
    st.boundary_ns += (now_ns() - t0_) - (st.kernel_ns - k0_);
  }

 private:
  State& s_;
  int64_t t0_, k0_;
};

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

std::shared_ptr<State> make_state(const ProgramPtr& p, const GraphPtr& g, const py::dict& params, const py::dict& inputs) {
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
             if (opt_level < 0 || opt_level > 3) fail(ErrorKind::Parameter, "opt_level must be 0..3, got {}", opt_level);
             ProgramIR ir = parse_ir(text);
             compiler::Options opts{opt_level, exact, std::move(disable), std::move(enable)};
             for (const std::string& name : opts.disabled)
               if (!compiler::is_known_name(name))
                 fail(ErrorKind::Parameter, "cannot disable '{}': no pass or rule has that name (known: {})", name,
                      compiler::known_names());
             const auto& features = compiler::feature_names();
             for (const std::string& name : opts.opted_in)
               if (std::find(features.begin(), features.end(), name) == features.end()) {
                 std::string known;
                 for (const std::string& o : features) known += (known.empty() ? "" : ", ") + o;
                 fail(ErrorKind::Parameter, "cannot enable '{}': the features enable takes are: {}", name, known);
               }
             Plan plan = compiler::compile(ir, opts);
             return std::make_shared<Program>(std::move(ir), std::move(plan));
           }),
           py::arg("ir_text"), py::arg("opt_level") = 3, py::arg("exact") = false,
           py::arg("disable") = std::vector<std::string>{}, py::arg("enable") = std::vector<std::string>{})
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
                               for (const auto& d : p.plan().refused) out.emplace_back(d.producer, d.consumer, d.reason);
                               return out;
                             })
      .def("text", [](const Program& p) { return print_ir(p.ir()); })
      .def("explain", [](const Program& p, bool passes) { return compiler::explain(p.ir(), p.plan(), passes); },
           py::arg("passes") = false)
      .def("to_dot", [](const Program& p) { return compiler::to_dot(p.ir(), p.plan()); })
      .def("row_kernels",
           [](const Program& p) {
             // (step index, entry-point prefix, C++ source) of every generated row kernel.
             std::vector<std::tuple<size_t, std::string, std::string>> out;
             for (size_t s = 0; s < p.steps().size(); ++s)
               if (!p.steps()[s].row.source.empty()) out.emplace_back(s, p.steps()[s].row.symbol, p.steps()[s].row.source);
             return out;
           })
      .def("attach_row_kernel", &Program::attach_row_kernel, py::arg("step"), py::arg("path"))
      .def("set_row_loop", &Program::set_row_loop, py::arg("name"))
      .def("leave_rows_interpreted", &Program::leave_rows_interpreted, py::arg("why"));
  // Flags a row kernel is compiled with. No contraction (plans say where an FMA is) and no
  // fast-math, so every operation rounds as the interpreter's; the host CPU's instruction set
  // (the library is built where it runs; the cache key names the CPU). Not AVX-512: the kernels'
  // vectors are 4 x f64, and its 16 extra registers let GCC park pointers of the gather loop in
  // xmm16-31 (Zen 4, PageRank on uniform(200k): 1.06-1.24x the twin's time, 1.01-1.06x without).
  m.def("row_kernel_flags", []() {
    std::vector<std::string> flags{"-std=c++17", "-O3", "-march=native", "-fPIC", "-shared", "-ffp-contract=off"};
#if defined(__x86_64__) || defined(__i386__)
    flags.push_back("-mno-avx512f");
#endif
    return flags;
  });

  py::class_<State, std::shared_ptr<State>>(m, "State")
      // Reads check that no other thread is running the State (residuals could be reallocated
      // under the copy, buffers swapped under a view): State::check_readable.
      .def_property_readonly("iteration", readable(&State::iteration))
      .def_property_readonly("converged", readable(&State::converged))
      .def_property_readonly("residual", readable(&State::residual))
      .def_property_readonly("residuals", readable(&State::residuals))
      .def_property_readonly("next_step", readable(&State::next_step))
      .def_property_readonly("half_done", readable(&State::half_done))
      .def("same_program", [](const State& s, const std::shared_ptr<Program>& p) { return s.program_ptr() == p; })
      .def("same_graph", [](const State& s, const GraphPtr& g) { return s.graph() == g; })
      .def(
          "apply_step",
          [](State& s, int64_t i) {
            State::Use use(s);
            CallTimer timer(s);
            interruptible([&] { s.apply_step(i); });  // interrupted: the step is discarded, call it again
          },
          py::arg("i"))
      .def("apply_batch",
           [](State& s) {
             State::Use use(s);
             CallTimer timer(s);
             interruptible([&] { s.apply_batch(); });  // interrupted: the iteration is discarded
           })
      .def(
          "run",
          [](State& s, int64_t max_iter, py::object progress) {
            State::Use use(s);
            CallTimer timer(s);
            // Signals are checked between iterations and (SIGINT) inside kernels; an interrupted
            // iteration is discarded, so the State is as after the last completed one.
            interruptible([&] {
              s.run(max_iter, [&]() {
                py::gil_scoped_acquire acquire;
                // The completed iteration is reported first: a Ctrl-C that came during it is
                // raised right after, so every iteration the State completed was reported once.
                if (!progress.is_none()) progress(s.iteration(), s.residual());
                check_interrupt();
                if (PyErr_CheckSignals() != 0) throw py::error_already_set();
                return true;
              });
            });
          },
          py::arg("max_iter"), py::arg("progress") = py::none())
      .def("finish",
           [](State& s) {
             State::Use use(s);
             interruptible([&] { s.finish(); });
           })
      .def(
          "get",
          [](py::object self, const std::string& name) {
            State& s = self.cast<State&>();
            s.check_readable();
            const int32_t id = s.program().find_output(name);
            if (id < 0) fail(ErrorKind::Parameter, "no output or carried value named '{}'", name);
            s.check_whole(id);
            return value_of(s, id, self);
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
             for (const auto& [name, id] : outs) s.check_whole(id);
             py::object self = py::cast(&s, py::return_value_policy::reference);
             // Values are read (scalars, copies) before any buffer moves out.
             std::set<const unsigned char*> taken;
             std::map<std::string, py::object> early;
             for (const auto& [name, id] : outs) {
               const unsigned char* p = s.slot(id).node;
               if (s.value(id).type.shape == Shape::Scalar) early[name] = value_of(s, id, self);
               else if (!p || !taken.insert(p).second) early[name] = py::array(value_of(s, id, self)).attr("copy")();
             }
             for (const auto& [name, id] : outs) {
               if (early.count(name)) {
                 out[py::str(name)] = early[name];
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
        // Per step with a compiled row kernel: the loop it runs (None while still measuring),
        // the best time of each loop tried, in nanoseconds, the pairs timed, and (if it folds a
        // reduction over a hoisted mask) whether it tests that mask with a branch or a select.
        py::dict loops;
        const auto& steps = s.program().steps();
        for (size_t i = 0; i < steps.size(); ++i) {
          if (!steps[i].row.attached()) continue;
          const RowLoopChoice& c = s.row_loops()[i];
          py::dict one, best;
          one["chosen"] = c.chosen >= 0 ? py::object(py::str(row_loop_name(RowLoop(c.chosen)))) : py::object(py::none());
          for (int l = 0; l < kRowLoops; ++l)
            if (c.best_ns[l] != std::numeric_limits<int64_t>::max()) best[row_loop_name(RowLoop(l))] = c.best_ns[l];
          one["best_ns"] = best;
          one["pairs"] = c.pairs;  // chunks-rows pairs timed; their median ratio t_rows / t_chunks:
          if (c.pairs > 0) one["rows_vs_chunks"] = std::exp(c.median_log_ratio());
          if (!steps[i].row.branch_masks.empty()) one["masks"] = s.row_branch(i) ? "branch" : "select";
          loops[py::int_(i)] = one;
        }
        d["row_loops"] = loops;
        return d;
      });

  m.def("array_allocations", []() { return array_allocations().load(); },
        "native buffer allocations so far in this process (a test hook)");
  m.def("array_live_bytes", []() { return array_live_bytes().load(); },
        "bytes of native buffers alive in this process (a test hook for leaks)");
  m.def("init_state", &make_state, py::arg("program"), py::arg("graph"), py::arg("params"), py::arg("inputs"));
}

}  // namespace sg::py_bind
