// stepgraph._core: the native extension; each area binds itself.
#include "core/cpu.hpp"
#include "core/parallel.hpp"
#include "python/bindings/bindings.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "stepgraph native core";
  using namespace sg::py_bind;
  sg::warm_thread_locals_on_tbb_threads();
  main_thread_ident() = py::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();
  bind_errors(m);
  bind_graph(m);
  bind_io(m);
  bind_generators(m);
  bind_native_pagerank(m);
  bind_native_traversal(m);
  bind_native_centrality(m);
  bind_program(m);
  bind_ops(m);
  m.def("set_num_threads", &sg::set_num_threads, py::arg("n"));
  m.def("get_num_threads", &sg::get_num_threads);
  // The optional instruction sets this process's kernels use (core/cpu.hpp).
  m.def("cpu_features", [] {
    py::dict d;
    d["avx2"] = sg::cpu_has(sg::CpuFeature::Avx2);
    d["fma"] = sg::cpu_has(sg::CpuFeature::Fma);
    // Whether the baseline build itself targets AVX2 (-DSG_NATIVE_ARCH=ON on such a CPU): then
    // SG_CPU_BASELINE still runs AVX2 code, and comparing the two builds says nothing.
#if defined(__AVX2__)
    d["baseline_avx2"] = true;
#else
    d["baseline_avx2"] = false;
#endif
    return d;
  });
}
