// Liveness-based buffer assignment (see buffers.hpp).
#include "compiler/buffers.hpp"

#include <algorithm>
#include <limits>

namespace sg {

namespace {

struct Pool {
  BufferAssignment& a;
  std::vector<int32_t> free;  // buffer indices free for reuse

  int32_t take(int64_t bytes) {
    // the smallest free buffer that fits
    int best = -1;
    for (size_t i = 0; i < free.size(); ++i)
      if (a.buffer_bytes[free[i]] >= bytes && (best < 0 || a.buffer_bytes[free[i]] < a.buffer_bytes[free[best]]))
        best = static_cast<int>(i);
    if (best >= 0) {
      const int32_t b = free[best];
      free.erase(free.begin() + best);
      return b;
    }
    a.buffer_bytes.push_back(bytes);
    return static_cast<int32_t>(a.buffer_bytes.size()) - 1;
  }
};

// link and scatter start from a copy of their first input (kernels/eval_link.cpp,
// eval_index.cpp handle out == input): in the prologue they write over it when their own pass
// is its last reader and it is not one of their other inputs. Returns that input, or -1.
int32_t prologue_overwritable_input(const ProgramIR& ir, int32_t id, const std::vector<int>& kernel_of,
                                    const std::vector<int>& last_prologue_use, const std::vector<int>& last_use,
                                    const std::vector<char>& carried) {
  const Value& v = ir.values[id];
  if (v.op != OpCode::Link && v.op != OpCode::Scatter) return -1;
  const int32_t in = v.inputs[0];
  const Value& iv = ir.values[in];
  if (iv.region != Region::Prologue || iv.op == OpCode::Input || carried[in] || last_use[in] >= 0 ||
      last_prologue_use[in] != kernel_of[id] || iv.type != v.type)
    return -1;
  for (int32_t other = 0; other < static_cast<int32_t>(ir.values.size()); ++other) {
    if (other == id || kernel_of[other] != kernel_of[id]) continue;
    for (int32_t u : ir.values[other].inputs)
      if (u == in) return -1;  // read beside it in its pass
  }
  for (size_t i = 1; i < v.inputs.size(); ++i)
    if (v.inputs[i] == in) return -1;
  return in;
}

}  // namespace

BufferAssignment assign_buffers(const ProgramIR& ir, const Plan& plan, int64_t n) {
  const int32_t nv = static_cast<int32_t>(ir.values.size());
  BufferAssignment a;
  a.buffer_of.assign(nv, -1);
  Pool pool{a, {}};
  auto bytes = [&](int32_t id) { return n * dtype_size(ir.values[id].type.dtype); };
  auto is_node = [&](int32_t id) { return ir.values[id].type.shape == Shape::Node; };

  std::vector<char> temporary(nv, 0), carried(nv, 0), in_place(nv, 0);
  std::vector<int> kernel_of(nv, -1), init_kernel_of(nv, -1);  // loop kernel / prologue kernel index
  auto note_kernels = [&](const std::vector<Kernel>& kernels, std::vector<int>& index) {
    for (size_t k = 0; k < kernels.size(); ++k)
      for (size_t i = 0; i < kernels[k].values.size(); ++i) {
        const int32_t id = kernels[k].values[i];
        temporary[id] = kernels[k].temporary[i];
        in_place[id] = !kernels[k].in_place.empty() && kernels[k].in_place[i];
        index[id] = static_cast<int>(k);
      }
  };
  note_kernels(plan.prologue, init_kernel_of);
  std::vector<int> final_kernel_of(nv, -1);  // epilogue kernel index (only its temporaries matter here)
  note_kernels(plan.epilogue, final_kernel_of);
  note_kernels(plan.kernels, kernel_of);
  for (const CarryDecl& c : ir.carries) carried[c.value] = carried[c.update] = 1;
  // An aggregation keeping its unchanged rows holds them from one iteration to the next: it owns
  // its buffer, as a carry does.
  for (const UnchangedRows& u : plan.unchanged_rows) carried[u.aggregate] = 1;

  // Who still needs a prologue value after init: the loop, the epilogue, outputs.
  constexpr int kForever = std::numeric_limits<int>::max();
  std::vector<int> last_use(nv, -1);  // kernel index of the last loop use; kForever past the loop
  for (int32_t id = 0; id < nv; ++id)
    for (int32_t u : ir.values[id].inputs) {
      const Region r = ir.values[id].region;
      last_use[u] = std::max(last_use[u], r == Region::Body ? kernel_of[id] : r == Region::Epilogue ? kForever : -1);
    }
  for (const auto& o : ir.outputs) last_use[o.second] = kForever;
  // Read at the end of every iteration: carry updates, the until predicate, the residual.
  for (const CarryDecl& c : ir.carries) last_use[c.update] = kForever;
  if (ir.until >= 0) last_use[ir.until] = kForever;
  if (ir.residual >= 0) last_use[ir.residual] = kForever;

  // A carry whose initial value nothing else needs takes over that value's buffer at the end
  // of the prologue, so init copies nothing (PageRank: rank = broadcast(1/n)).
  std::vector<int> init_uses(nv, 0);
  for (const CarryDecl& c : ir.carries) ++init_uses[c.init];
  std::vector<int32_t> inherits(nv, -1);  // carried value -> the init whose buffer it takes
  for (const CarryDecl& c : ir.carries) {
    const Value& init = ir.values[c.init];
    if (is_node(c.value) && is_node(c.init) && init.region == Region::Prologue && init_uses[c.init] == 1 &&
        last_use[c.init] < 0 && !carried[c.init] && init.type.dtype == ir.values[c.value].type.dtype)
      inherits[c.value] = c.init;
  }

  // Carried values, their updates and epilogue values own their buffers.
  for (int32_t id = 0; id < nv; ++id) {
    const Value& v = ir.values[id];
    if (is_node(id) && !temporary[id] && !in_place[id] && (carried[id] || v.region == Region::Epilogue) &&
        inherits[id] < 0)
      a.buffer_of[id] = pool.take(bytes(id));
  }
  // Prologue: kernel by kernel, a value's buffer is reused once no later prologue kernel reads
  // it, unless the loop, the epilogue or an output still needs it. (Not within a kernel: its
  // values are computed strip by strip, side by side.)
  const int after_prologue = static_cast<int>(plan.prologue.size());
  std::vector<int> last_prologue_use(nv, -1);  // prologue kernel index of the last reader
  for (int32_t id = 0; id < nv; ++id)
    if (init_kernel_of[id] >= 0)
      for (int32_t u : ir.values[id].inputs) last_prologue_use[u] = std::max(last_prologue_use[u], init_kernel_of[id]);
  for (const CarryDecl& c : ir.carries) last_prologue_use[c.init] = after_prologue;  // copied once the prologue is done
  std::vector<int32_t> live;
  for (int32_t id = 0; id < nv; ++id)  // input vectors are written before the prologue runs
    if (ir.values[id].op == OpCode::Input && a.buffer_of[id] < 0) {
      a.buffer_of[id] = pool.take(bytes(id));
      live.push_back(id);
    }
  std::vector<int32_t> stored;  // prologue node values with a buffer, in kernel order
  for (int32_t id = 0; id < nv; ++id)
    if (is_node(id) && init_kernel_of[id] >= 0 && !temporary[id] && a.buffer_of[id] < 0) stored.push_back(id);
  std::stable_sort(stored.begin(), stored.end(),
                   [&](int32_t x, int32_t y) { return init_kernel_of[x] < init_kernel_of[y]; });
  for (int32_t id : stored) {
    if (const int32_t over = prologue_overwritable_input(ir, id, init_kernel_of, last_prologue_use, last_use, carried);
        over >= 0 && a.buffer_of[over] >= 0) {
      a.buffer_of[id] = a.buffer_of[over];
      std::replace(live.begin(), live.end(), over, id);
      continue;
    }
    for (size_t i = 0; i < live.size();) {
      if (last_use[live[i]] < 0 && last_prologue_use[live[i]] < init_kernel_of[id] && !carried[live[i]]) {
        pool.free.push_back(a.buffer_of[live[i]]);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    a.buffer_of[id] = pool.take(bytes(id));
    live.push_back(id);
  }
  std::vector<char> inherited(nv, 0);
  for (int32_t id = 0; id < nv; ++id)
    if (inherits[id] >= 0) {
      a.buffer_of[id] = a.buffer_of[inherits[id]];
      inherited[inherits[id]] = 1;
    }
  for (int32_t id : live)
    if (last_use[id] < 0 && !inherited[id]) {  // init done: only the prologue needed it
      a.released_after_init.push_back(a.buffer_of[id]);
      pool.free.push_back(a.buffer_of[id]);
    }

  // An update computed in place (compiler/kernels.cpp) is stored over its carry.
  for (const CarryDecl& c : ir.carries)
    if (in_place[c.update]) a.buffer_of[c.update] = a.buffer_of[c.value];
  // Loop values: interval assignment over the kernels of one iteration.
  std::vector<int32_t> order;
  for (int32_t id = 0; id < nv; ++id)
    if (is_node(id) && ir.values[id].region == Region::Body && !carried[id] && !temporary[id]) order.push_back(id);
  std::stable_sort(order.begin(), order.end(), [&](int32_t x, int32_t y) { return kernel_of[x] < kernel_of[y]; });
  std::vector<int32_t> active;
  for (int32_t id : order) {
    const int def = kernel_of[id];
    for (size_t i = 0; i < active.size();) {
      if (std::max(last_use[active[i]], kernel_of[active[i]]) < def) {
        pool.free.push_back(a.buffer_of[active[i]]);
        active.erase(active.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    a.buffer_of[id] = pool.take(bytes(id));
    active.push_back(id);
  }
  return a;
}

}  // namespace sg
