// The fixed order of every reduction inside a block: four interleaved lanes.
//
// Element i of a block (counted from the block's first node) folds into lane i mod 4; a
// block's total is (lane0 . lane1) . (lane2 . lane3). Four independent chains hide the add
// latency (one sequential chain costs ~4 cycles per element, which made a fused residual
// slower than the gather it follows), and the order is still fixed, so the native twins, the
// unfused steps and the fused kernels (which fold a block strip by strip; strips start at
// multiples of 4 from the block's start) all give the same bits at any thread count.
#pragma once
#include <cstdint>
#include <type_traits>

namespace sg {

constexpr int kLanes = 4;

// A block's total from its lanes.
template <class A, class Combine>
inline A combine_lanes(const A* lane, Combine&& combine) {
  return combine(combine(lane[0], lane[1]), combine(lane[2], lane[3]));
}

// body(v, lane) for v in [lo, hi), lane = (v - lo) mod 4 as a compile-time index, so a
// hand-written loop keeps its four accumulators in registers.
template <class Body>
inline void for_each_lane(int64_t lo, int64_t hi, Body&& body) {
  int64_t v = lo;
  for (; v + kLanes <= hi; v += kLanes) {
    body(v, std::integral_constant<int, 0>{});
    body(v + 1, std::integral_constant<int, 1>{});
    body(v + 2, std::integral_constant<int, 2>{});
    body(v + 3, std::integral_constant<int, 3>{});
  }
  if (v < hi) body(v++, std::integral_constant<int, 0>{});
  if (v < hi) body(v++, std::integral_constant<int, 1>{});
  if (v < hi) body(v, std::integral_constant<int, 2>{});
}

// lane[i mod 4] = fold(lane[i mod 4], at(i)) for i in [0, len), in order within each lane.
// Callers start at a block's first node or a multiple of 4 past it (a fused kernel's strip).
template <class A, class At, class Fold>
inline void fold_lanes_at(A* lane, int64_t len, At&& at, Fold&& fold) {
  A l[kLanes] = {lane[0], lane[1], lane[2], lane[3]};  // registers: indexed by constants only
  for_each_lane(0, len, [&](int64_t i, auto k) { l[k] = fold(l[k], at(i)); });
  for (int k = 0; k < kLanes; ++k) lane[k] = l[k];
}

template <class A, class T, class Fold>
inline void fold_lanes(A* lane, const T* p, int64_t len, Fold&& fold) {
  fold_lanes_at(
      lane, len, [p](int64_t i) { return p[i]; }, fold);
}

}  // namespace sg
