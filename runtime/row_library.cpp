// Loading a compiled row kernel (a shared library built from fusion/row_codegen.cpp's source).
#include <dlfcn.h>

#include "runtime/error.hpp"
#include "runtime/program.hpp"

namespace sg {

void Program::attach_row_kernel(size_t step, const std::string& path) {
  if (step >= plan_.kernels.size()) fail(ErrorKind::Program, "attach_row_kernel: no step {}", step + 1);
  RowKernel& rk = plan_.kernels[step].row;
  if (rk.source.empty())
    fail(ErrorKind::Program, "step {} has no generated row kernel{}{}", step + 1, rk.refused.empty() ? "" : ": ",
         rk.refused);
  if (rk.attached()) fail(ErrorKind::Program, "step {}'s row kernel is already attached (from {})", step + 1, rk.library);
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

}  // namespace sg
