// A State's frontier loop: the buffers and direction of a loop that runs over changed nodes.
#pragma once
#include <cstdint>
#include <vector>

#include "core/array.hpp"
#include "kernels/frontier.hpp"

namespace sg {

struct FrontierRun {
  kernels::FrontierKernel kernel;
  kernels::Frontier fronts[2];
  int current = 0;    // fronts[current] holds the nodes that changed in the last iteration
  bool fresh = true;  // start over from every non-identity node (at init, after a dense pass)
  int64_t nans = 0;   // NaN nodes: they never change, yet count as changed
  int64_t push_edges = 0;
  kernels::DirectionRule rule;
  Array<unsigned char> snap;
  kernels::OrderedFrontier ordered;  // loop.in_order(): the pending nodes by bucket
  kernels::Reached reached;          // unordered loops: nodes the pull skips
};

inline void restart_frontier(FrontierRun& r) {
  r.fresh = true;
  r.reached.valid = false;
  r.rule = kernels::DirectionRule{};
}

}  // namespace sg
