// Compiled row kernels (libraries built from compiler/row_codegen.cpp's source): the flags they
// are built with, loading them, and how their steps' row loops are chosen.
#include <dlfcn.h>

#include <algorithm>

#include "core/error.hpp"
#include "exec/program.hpp"

namespace sg {

// No contraction (plans say where an FMA is) and no fast-math, so every operation rounds as the
// interpreter's; the host CPU's instruction set (the library is built where it runs; the cache
// key names the CPU). Not AVX-512: the kernels' vectors are 4 x f64, and its 16 extra registers
// let GCC park pointers of the gather loop in xmm16-31, which slows the gather.
std::vector<std::string> row_kernel_flags() {
  std::vector<std::string> flags{"-std=c++17", "-O3", "-march=native", "-fPIC", "-shared", "-ffp-contract=off"};
#if defined(__x86_64__) || defined(__i386__)
  flags.push_back("-mno-avx512f");
#endif
  return flags;
}

void Program::attach_row_kernel(size_t step, const std::string& path) {
  if (step >= plan_.kernels.size()) fail(ErrorKind::Program, "attach_row_kernel: no step {}", step + 1);
  RowKernel& rk = plan_.kernels[step].row;
  if (rk.source.empty())
    fail(ErrorKind::Program, "step {} has no generated row kernel{}{}", step + 1, rk.refused.empty() ? "" : ": ",
         rk.refused);
  if (rk.attached())
    fail(ErrorKind::Program, "step {}'s row kernel is already attached (from {})", step + 1, rk.library);
  // Never closed: a program's kernels may run until the process exits.
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) fail(ErrorKind::Program, "cannot load the row kernel of step {} from {}: {}", step + 1, path, dlerror());
  using AbiFn = int (*)();
  const auto abi = reinterpret_cast<AbiFn>(dlsym(lib, (rk.symbol + "_abi").c_str()));
  if (!abi || abi() != kRowKernelAbi)
    fail(ErrorKind::Program, "{} is not the row kernel {} of step {} (ABI {}, expected {})", path, rk.symbol, step + 1,
         abi ? abi() : -1, kRowKernelAbi);
  RowKernelFn fns[kRowVariants];
  for (int i = 0; i < kRowVariants; ++i) {
    fns[i] = reinterpret_cast<RowKernelFn>(dlsym(lib, fmt::format("{}_{}", rk.symbol, i).c_str()));
    if (!fns[i]) fail(ErrorKind::Program, "{} lacks the entry point {}_{}", path, rk.symbol, i);
  }
  for (int i = 0; i < kRowVariants; ++i) rk.fn[i] = fns[i];
  rk.library = path;
}

void Program::set_row_loop(const std::string& name) {
  if (name == "measure") {
    plan_.row_loop = -1;
    return;
  }
  for (int i = 0; i < kRowLoops; ++i)
    if (name == row_loop_name(RowLoop(i))) {
      plan_.row_loop = static_cast<int8_t>(i);
      return;
    }
  fail(ErrorKind::Parameter, "row_loop='{}': expected 'measure', 'interpreted', 'chunks' or 'rows'", name);
}

void Program::leave_rows_interpreted(const std::string& why) {
  for (Kernel& k : plan_.kernels)
    if (!k.row.source.empty() && !k.row.attached()) {
      k.row = RowKernel{};
      k.row.refused = why;
    }
}

std::vector<RowLoopChoice> Program::row_loops_for(const GraphPtr& g) const {
  std::lock_guard<std::mutex> lock(row_memo_->mutex);
  for (const auto& [graph, choices] : row_memo_->by_graph)
    if (graph.lock() == g) return choices;
  return {};
}

void Program::remember_row_loops(const GraphPtr& g, const std::vector<RowLoopChoice>& choices) const {
  std::lock_guard<std::mutex> lock(row_memo_->mutex);
  auto& memo = row_memo_->by_graph;
  // Graphs freed since are dropped (a new graph may reuse an address; weak_ptr tells them apart).
  memo.erase(
      std::remove_if(memo.begin(), memo.end(), [&](const auto& e) { return e.first.expired() || e.first.lock() == g; }),
      memo.end());
  memo.emplace_back(g, choices);
}

}  // namespace sg
