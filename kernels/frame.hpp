// Storage of one program run: a slot per IR value (a node vector or a scalar).
#pragma once
#include <atomic>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "core/array.hpp"
#include "core/lanes.hpp"
#include "graph/graph.hpp"
#include "ir/ir.hpp"
#include "ir/op_table.hpp"

namespace sg {

// Bool vectors are stored one byte per node.
template <DType D>
struct StorageOf;
template <>
struct StorageOf<DType::F64> {
  using type = double;
};
template <>
struct StorageOf<DType::F32> {
  using type = float;
};
template <>
struct StorageOf<DType::I64> {
  using type = int64_t;
};
template <>
struct StorageOf<DType::Bool> {
  using type = uint8_t;
};

// f(T{}) with T the storage type of d.
template <class F>
decltype(auto) with_dtype(DType d, F&& f) {
  switch (d) {
    case DType::F64: return f(double{});
    case DType::F32: return f(float{});
    case DType::I64: return f(int64_t{});
    case DType::Bool: break;
  }
  return f(uint8_t{});
}

struct Slot {
  unsigned char* node = nullptr;  // n * dtype_size bytes for node values (a State buffer); null for scalars
  double f = 0;                   // scalar value of float dtypes (f32 kept rounded to float)
  int64_t i = 0;                  // scalar value of i64 and bool

  template <class T>
  T* vec() {
    return reinterpret_cast<T*>(node);
  }
  template <class T>
  const T* vec() const {
    return reinterpret_cast<const T*>(node);
  }
  template <class T>
  T get() const {
    if constexpr (std::is_floating_point_v<T>)
      return static_cast<T>(f);
    else
      return static_cast<T>(i);
  }
  template <class T>
  void set(T v) {
    if constexpr (std::is_floating_point_v<T>)
      f = static_cast<double>(v);
    else
      i = static_cast<int64_t>(v);
  }
};

// One block's partial of a reduction: its four lanes (core/lanes.hpp).
struct Partial {
  double f[kLanes] = {};
  int64_t i[kLanes] = {};
};

// One strip of a fused kernel on this thread: its range and where its temporaries live.
struct FusedBlock {
  int64_t lo = 0, len = 0;
  std::vector<std::pair<int32_t, unsigned char*>> temps;  // value id -> strip buffer
  unsigned char* temp(int32_t id) const {
    for (const auto& t : temps)
      if (t.first == id) return t.second;
    return nullptr;
  }
};

// Per worker thread, sized once per State: fused-kernel temporaries and operand scratch.
struct ThreadScratch {
  Array<unsigned char> temps;     // max temporaries of any kernel x strip bytes
  Array<unsigned char> operands;  // three operand blocks (scalars expanded for pointer loops)
  FusedBlock block;
};

// The rows an aggregation keeping its unchanged rows recomputes this iteration
// (exec/unchanged_rows.cpp): those set in `rows` when it is given, else those with a neighbor
// set in `changed` (the carry's nodes that changed in the previous iteration). Each row left
// as it was adds one to `kept`; it is copied from value `previous` when that is set (a carry the
// aggregation updates: double buffering moved its last rows there).
struct RowFilter {
  const uint64_t* rows = nullptr;
  const uint64_t* changed = nullptr;
  std::atomic<int64_t>* kept = nullptr;
  int32_t previous = -1;
  bool active() const { return rows || changed; }
};

// What a kernel sees: the program, the graph, every value's slot, per-block partials of
// every reduction and per-thread scratch (allocated once per State: iterations allocate nothing).
struct Frame {
  const ProgramIR* ir = nullptr;
  const Graph* graph = nullptr;
  std::vector<Slot>* slots = nullptr;
  std::vector<Partial>* partials = nullptr;       // num_blocks entries per reduction value
  std::vector<int64_t>* partial_at = nullptr;     // per value: offset into partials, -1 if none
  std::vector<ThreadScratch>* threads = nullptr;  // indexed by the TBB thread slot
  // Per loop-invariant bool vector (a hoisted mask): for each strip of each block, whether the
  // mask is all false (0), all true (1) or mixed (2); -1 until a fused kernel first looks.
  std::vector<int8_t>* mask_summaries = nullptr;
  std::vector<int64_t>* mask_summary_at = nullptr;  // per value: offset, -1 if none
  // For a kernel that stores over a carry: its blocks already done (one byte per block), so
  // that a pass interrupted part-way is resumed, never redone (for_each_block's `done`).
  uint8_t* done_blocks = nullptr;
  std::vector<RowFilter>* row_filters = nullptr;  // per value (or empty): see RowFilter
  Slot& slot(int32_t id) const { return (*slots)[id]; }
  // The cached summary of mask `id` over strip `strip_key` (kernels/fused.hpp), or null.
  int8_t* mask_summary(int32_t id, int64_t strip_key) const {
    if (!mask_summaries || strip_key < 0 || (*mask_summary_at)[id] < 0) return nullptr;
    return mask_summaries->data() + (*mask_summary_at)[id] + strip_key;
  }
  const Value& value(int32_t id) const { return ir->values[id]; }
  // Aggregation `id`'s filter when it may keep rows this iteration, else null (recompute all).
  const RowFilter* row_filter(int32_t id) const {
    if (!row_filters || row_filters->empty() || !(*row_filters)[id].active()) return nullptr;
    return &(*row_filters)[id];
  }
  // The num_blocks partials of reduction (or normalize) `id`; scratch if the frame has none.
  Partial* partials_of(int32_t id, std::vector<Partial>& scratch) const {
    if (partials && partial_at && (*partial_at)[id] >= 0) return partials->data() + (*partial_at)[id];
    scratch.resize(static_cast<size_t>(graph->partition().num_blocks()));
    return scratch.data();
  }
};

// Evaluate one value (one step): elementwise, reduction, aggregation or source op.
void eval_value(const Frame& f, int32_t id);

}  // namespace sg
