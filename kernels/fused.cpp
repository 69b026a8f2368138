// The fused-kernel interpreter over cache-sized node blocks.
#include "kernels/fused.hpp"

#include <array>
#include <cstring>

#include <tbb/task_arena.h>

#include "core/error.hpp"
#include "kernels/block_engine.hpp"
#include "kernels/select.hpp"

namespace sg {

namespace {

static_assert(kStripNodes % kSortWindow == 0, "a strip is whole sort windows (SlicedCsr::view)");

unsigned char* at_block(const Frame& f, int32_t id, int64_t lo) {
  return f.slot(id).node + lo * dtype_size(f.value(id).type.dtype);
}

// A kernel compiled into one row loop (compiler/row_codegen.cpp): called once per block.
void run_row_kernel(const Frame& f, const Kernel& k, bool per_row, bool branch) {
  const RowKernel& rk = k.row;
  const Graph& g = *f.graph;
  const Direction dir = f.value(k.values[0]).direction;
  const Csr& csr = dir == Direction::Out ? g.out() : g.in();
  const Csr* second = dir == Direction::Both && g.directed() ? &g.out() : nullptr;  // as eval_aggregate.cpp
  const bool weighted = !csr.w.empty();
  const RowKernelFn fn = rk.fn[row_variant(per_row, csr.wide, weighted, branch)];
  // Sizes are bounded by the generator (64 operands, 16 reductions): nothing is allocated here.
  std::array<void*, 64> node{};
  std::array<double, 64> fs{};
  std::array<int64_t, 64> is{};
  std::array<Partial*, 16> parts{};
  for (size_t j = 0; j < rk.nodes.size(); ++j) node[j] = f.slot(rk.nodes[j]).node;
  for (size_t j = 0; j < rk.scalars.size(); ++j) {
    fs[j] = f.slot(rk.scalars[j]).f;
    is[j] = f.slot(rk.scalars[j]).i;
  }
  std::vector<Partial> unused;  // a State's frame has partials for every reduction
  for (size_t r = 0; r < rk.reductions.size(); ++r) parts[r] = f.partials_of(rk.reductions[r], unused);
  auto offsets = [](const Csr& c) {
    return c.wide ? static_cast<const void*>(c.off64.data()) : static_cast<const void*>(c.off32.data());
  };
  const void* off = offsets(csr);
  const SlicedCsr* sliced = rk.sliced ? &g.sliced(dir != Direction::Out) : nullptr;
  if (second && second->wide != csr.wide)
    fail(ErrorKind::Program, "row kernel: in- and out-CSR offsets differ in width");
  const size_t nred = rk.reductions.size();
  for_each_block(
      g.partition(),
      [&](int64_t b, int64_t lo, int64_t hi) {
        double lanes[16 * kLanes] = {};
        int64_t ilanes[16 * kLanes] = {};
        const RowArgs a{off,
                        csr.idx.data(),
                        weighted ? csr.w.data() : nullptr,
                        second ? offsets(*second) : nullptr,
                        second ? second->idx.data() : nullptr,
                        second && weighted ? second->w.data() : nullptr,
                        node.data(),
                        fs.data(),
                        is.data(),
                        lanes,
                        ilanes,
                        lo,
                        hi,
                        sliced ? sliced->view(g.partition(), b) : SlicedView{}};
        fn(&a);
        for (size_t r = 0; r < nred; ++r)
          for (int q = 0; q < kLanes; ++q) {  // the generated code filled the kind its reduction folds
            parts[r][b].f[q] = lanes[r * kLanes + static_cast<size_t>(q)];
            parts[r][b].i[q] = ilanes[r * kLanes + static_cast<size_t>(q)];
          }
      },
      k.writes_in_place() ? f.done_blocks : nullptr);
  for (size_t r = 0; r < nred; ++r) kernels::reduce_finish(f, rk.reductions[r], parts[r]);
}

}  // namespace

ThreadScratch& kernels::thread_scratch(const Frame& f) {
  const int slot = tbb::this_task_arena::current_thread_index();
  if (f.threads && slot >= 0 && static_cast<size_t>(slot) < f.threads->size()) return (*f.threads)[slot];
  thread_local ThreadScratch fallback;
  if (fallback.operands.empty()) fallback.operands = Array<unsigned char>(3 * kernels::kScratchBytes);
  return fallback;
}

bool masks_nearly_uniform(const Frame& f, const RowKernel& rk) {
  const int64_t n = f.graph->num_nodes();
  for (int32_t id : rk.branch_masks) {
    const uint8_t* m = f.slot(id).node;
    const int64_t set = blocked_sum<int64_t>(f.graph->partition(), [m](int64_t v) { return int64_t{m[v] != 0}; });
    if (!kernels::branch_predictable(set, n)) return false;
  }
  return !rk.branch_masks.empty();
}

void run_kernel(const Frame& f, const Kernel& k, RowLoop loop, bool branch) {
  const bool fused = k.kind == Kernel::Kind::Node && k.values.size() > 1;
  if (!fused) {
    for (int32_t id : k.values) eval_value(f, id);
    return;
  }
  if (k.row.attached() && loop != RowLoop::Interpreted) return run_row_kernel(f, k, loop == RowLoop::Rows, branch);
  const Partition& part = f.graph->partition();
  int64_t ntemps = 0;
  for (size_t i = 0; i < k.values.size(); ++i) ntemps += k.strip_temp(i);
  const bool in_place = k.writes_in_place();
  std::vector<Partial> unused;  // a State's frame always has partials for every reduction
  const bool any_folded = !k.folded.empty();
  for_each_block(
      part,
      [&](int64_t b, int64_t lo, int64_t hi) {
        ThreadScratch& ts = kernels::thread_scratch(f);
        const size_t need = static_cast<size_t>(std::max<int64_t>(ntemps, 1) * kStripBytes);
        if (ts.temps.size() < need) ts.temps = Array<unsigned char>(need);  // only for unexpected threads
        unsigned char* pool = ts.temps.data();
        FusedBlock& ctx = ts.block;
        ctx.lo = lo;
        ctx.len = hi - lo;
        ctx.temps.clear();
        int64_t t = 0;
        for (size_t i = 0; i < k.values.size(); ++i)
          if (k.strip_temp(i)) ctx.temps.emplace_back(k.values[i], pool + (t++) * kStripBytes);
        kernels::tl_block = &ctx;
        // Strips of the block keep every temporary in L1; reductions carry their block partial
        // from strip to strip, so values are folded in node order exactly as in one sweep.
        for (int64_t s = lo; s < hi; s += kStripNodes) {
          const int64_t e = std::min(hi, s + kStripNodes);
          ctx.lo = s;
          ctx.len = e - s;
          for (size_t i = 0; i < k.values.size(); ++i) {
            const int32_t id = k.values[i];
            const Value& v = f.value(id);
            if (any_folded && k.folded[i]) continue;  // computed inside its reduction's loop below
            if (op_info(v.op).access == Access::Neighbors) {
              unsigned char* dst = ctx.temp(id);
              kernels::aggregate_block(f, id, s, e, dst ? dst : at_block(f, id, s));
            } else if (is_reduction(v.op)) {
              const int32_t in = v.inputs[0];
              Partial& partial = f.partials_of(id, unused)[b];
              if (any_folded && k.folds_input[i]) {
                kernels::reduce_map_block(f, id, in, s, e - s, partial, s > lo,
                                          b * kStripsPerBlock + (s - lo) / kStripNodes);
                continue;
              }
              const unsigned char* src = ctx.temp(in);
              kernels::reduce_block(f, id, src ? src : at_block(f, in, s), e - s, partial, s > lo);
            } else {
              eval_value(f, id);  // elementwise: runs on this strip (kernels::tl_block is set)
            }
          }
          // In-place updates go over their carries once every op of the strip has read the old values.
          for (size_t i = 0; in_place && i < k.values.size(); ++i)
            if (k.in_place[i]) {
              const int32_t id = k.values[i];
              const size_t size = static_cast<size_t>(dtype_size(f.value(id).type.dtype));
              std::memcpy(at_block(f, id, s), ctx.temp(id), static_cast<size_t>(e - s) * size);
            }
        }
        kernels::tl_block = nullptr;
      },
      in_place ? f.done_blocks : nullptr);
  for (int32_t id : k.values)
    if (is_reduction(f.value(id).op)) kernels::reduce_finish(f, id, f.partials_of(id, unused));
}

}  // namespace sg
