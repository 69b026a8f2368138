// Ordered frontier loops (kernels/frontier.hpp): delta-stepping's bins for a min fixed point.
//
// Pending nodes (changed, not yet pushed) are filed by bucket floor(value / delta) in per-thread
// bins: a ring of kWindow bins from the current one, and a far list beyond it. An iteration
// settles the lowest bucket: it pushes that bucket's pending nodes, then the nodes they improve
// into it, round after round, until none is left. Its end state does not depend on the order
// (a chaotic relaxation of a monotone operator reaches one fixed point), so the values, the
// pending set and hence the iteration count are the same at any thread count. A node's entries
// may repeat or go stale; the pending bitmap decides: taking an entry clears the node's bit, and
// an entry whose bit is already clear is skipped. Setting a bit after lowering the value, and
// reading the value after clearing it, are ordered (acquire / release), so a taker sees the value
// whoever set the bit wrote.
//
// A bin is a chain of fixed-size blocks from its thread's pool, and a settled bin's blocks go
// back to the pool at once: the bins hold about the entries pending now (plus one part-filled
// block each), where per-bin vectors would keep every bin's high-water capacity (and their
// doubling slack) to the end. Most buckets of a skewed graph are filed within the first
// iterations, so all of the ring is live at once.
#include <tbb/enumerable_thread_specific.h>

#include <memory>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "kernels/frontier_candidates.hpp"

namespace sg::kernels {

using namespace frontier_detail;

namespace {

constexpr int64_t kWindow = 1 << 12;             // ring bins per thread
constexpr size_t kDrainLimit = 1000;             // a thread drains its current bin itself while this small
constexpr size_t kSerialRound = 256;             // a round of at most this many nodes and
constexpr int64_t kSerialPush = 4096;            // edges runs on the calling thread alone
constexpr double kLastBucket = 0x1p61;           // buckets are clamped to [-2^61, 2^61]
constexpr int64_t kNoBucket = int64_t{1} << 62;  // above every bucket; far_min - current cannot overflow

constexpr int kBlockItems = 62;      // entries a block holds: 256 bytes with its link
constexpr size_t kSlabBlocks = 256;  // blocks a thread's pool allocates at once (64 KiB)

size_t slot_of(int64_t bucket) { return static_cast<size_t>(static_cast<uint64_t>(bucket) % kWindow); }

struct alignas(64) Block {
  Block* next;
  node_t items[kBlockItems];
};
static_assert(sizeof(Block) == 256);

// One bucket's entries, in filing order: full blocks from head to tail, the tail holding `fill`.
struct Bin {
  Block* head = nullptr;
  Block* tail = nullptr;
  int64_t size = 0;
  int fill = kBlockItems;  // full: the first entry takes a block

  bool empty() const { return size == 0; }
  template <class F>
  void for_each_block(F&& f) const {
    for (Block* b = head; b; b = b->next) f(b->items, b == tail ? fill : kBlockItems);
  }
  template <class F>
  void for_each(F&& f) const {
    for_each_block([&](const node_t* items, int count) {
      for (int i = 0; i < count; ++i) f(items[i]);
    });
  }
};

struct Bins {
  std::vector<Bin> ring = std::vector<Bin>(kWindow);
  int64_t in_ring = 0;
  std::vector<std::pair<int64_t, node_t>> far;
  int64_t far_min = kNoBucket;
  int64_t added = 0, taken = 0;  // pending bits this thread set / cleared in the iteration
  Block* pool = nullptr;         // free blocks (settled bins'), taken before the slab's unused ones
  std::vector<std::unique_ptr<Block[]>> slabs;
  size_t slab_used = kSlabBlocks;

  void put(Bin& bin, node_t v) {
    if (bin.fill == kBlockItems) extend(bin);
    bin.tail->items[bin.fill++] = v;
    ++bin.size;
    ++in_ring;
  }
  void extend(Bin& bin) {
    Block* b = pool;
    if (b) {
      pool = b->next;
    } else {
      if (slab_used == kSlabBlocks) {
        slabs.emplace_back(new Block[kSlabBlocks]);  // uninitialized: pages are touched as blocks are used
        slab_used = 0;
      }
      b = &slabs.back()[slab_used++];
    }
    b->next = nullptr;
    (bin.tail ? bin.tail->next : bin.head) = b;
    bin.tail = b;
    bin.fill = 0;
  }
  // The bin's blocks back to the pool (its entries are dropped); the bin is left empty.
  void release(Bin& bin) {
    if (bin.head) {
      bin.tail->next = pool;
      pool = bin.head;
    }
    bin = Bin{};
  }
  void file(int64_t bucket, node_t v, int64_t current) {
    if (bucket - current < kWindow) {
      put(ring[slot_of(bucket)], v);
    } else {
      far.emplace_back(bucket, v);
      far_min = std::min(far_min, bucket);
    }
  }
  int64_t first_bucket(int64_t current) const {
    if (in_ring)
      for (int64_t b = current; b < current + kWindow; ++b)
        if (!ring[slot_of(b)].empty()) return b;
    return far_min;
  }
  // The far entries that now fall inside the ring [current, current + kWindow) move there.
  void refill(int64_t current) {
    if (far_min - current >= kWindow) return;
    size_t kept = 0;
    far_min = kNoBucket;
    for (const auto& [bucket, v] : far) {
      if (bucket - current < kWindow) {
        put(ring[slot_of(bucket)], v);
      } else {
        far[kept++] = {bucket, v};
        far_min = std::min(far_min, bucket);
      }
    }
    far.resize(kept);
  }
  void clear() {
    for (auto& bin : ring) release(bin);
    in_ring = 0;
    far.clear();
    far_min = kNoBucket;
  }
};

}  // namespace

struct BucketStore {
  tbb::enumerable_thread_specific<Bins> bins;
  std::vector<node_t> round;  // the nodes a round pushes
};

void OrderedFrontier::allocate(int64_t n) {
  pending = Array<Word>(static_cast<size_t>(words_of(n)));
  std::fill(pending.begin(), pending.end(), Word{0});
  store = std::make_shared<BucketStore>();
}

namespace {

template <class T, int kEdge>
struct Settler {
  const Candidates<T, true, kEdge>& c;
  OrderedFrontier& o;
  T* x;
  int64_t current;
  double inv_delta = 1 / c.k.delta;  // a product is monotone in the value, as filing needs

  int64_t bucket(T value) const { return bucket_of(value, inv_delta, current); }
  static int64_t bucket_of(T value, double inv_delta, int64_t current) {
    const double q = static_cast<double>(value) * inv_delta;
    const double clamped = q < -kLastBucket ? -kLastBucket : q > kLastBucket ? kLastBucket : q;
    int64_t b = static_cast<int64_t>(clamped);  // floor, without a libm call on baseline x86-64
    b -= clamped < static_cast<double>(b);
    return std::max(current, b);  // below the current one: settle it now
  }
  // Takes v's pending bit: true if it was set (v's entry is live).
  template <bool kAtomic>
  bool take(node_t v) {
    const Word bit = Word{1} << (v & 63);
    if constexpr (kAtomic) return __atomic_fetch_and(&o.pending[v >> 6], ~bit, __ATOMIC_ACQ_REL) & bit;
    const bool live = o.pending[v >> 6] & bit;
    o.pending[v >> 6] &= ~bit;
    return live;
  }
  // Relax the rows of nodes[0 .. count), the CSRs dispatched once. Nothing per node but its value
  // and row bounds: the relaxations wait on misses, the CPU overlaps as many as its window holds,
  // and each instruction spent per node narrows that window.
  template <bool kAtomic>
  void push(Bins& mine, const node_t* nodes, size_t count) {
    with_push_views(c.k, [&](auto... views) {
      for (size_t i = 0; i < count; ++i) {
        const node_t u = nodes[i];
        T xu;
        __atomic_load(&x[u], &xu, __ATOMIC_RELAXED);
        (push_row<kAtomic>(mine, views, u, xu), ...);
      }
    });
  }
  // One row's relaxations. Everything the loop reads is a by-value parameter or local, so it stays
  // in registers: the atomics make the compiler reload whatever it reaches through a reference.
  template <bool kAtomic, class View>
  void push_row(Bins& mine, const View view, const node_t u, const T xu) const {
    T* const xs = x;
    Word* const pending = o.pending.data();
    const Shift* const shifts = c.k.shifts.data();
    const size_t num_shifts = c.k.shifts.size();
    const double inv = inv_delta;
    const int64_t cur = current;
    for (int64_t e = view.begin(u), end = view.end(u); e < end; ++e) {
      const node_t v = view.idx[e];
      const T cand = c.apply_shifts(c.edge(xu, view.w, e), shifts, num_shifts);
      T prev;
      if constexpr (kAtomic) {
        if (!improve<T, true>(xs, v, cand, prev)) continue;
      } else {
        prev = xs[v];
        if (!(cand < prev)) continue;
        xs[v] = cand;
      }
      const Word bit = Word{1} << (v & 63);
      bool fresh;
      if constexpr (kAtomic) {
        fresh = !(__atomic_fetch_or(&pending[v >> 6], bit, __ATOMIC_ACQ_REL) & bit);
      } else {
        fresh = !(pending[v >> 6] & bit);
        pending[v >> 6] |= bit;
      }
      mine.added += fresh;
      // A pending node is already filed under prev's bucket; file it again if it moved.
      const int64_t b = bucket_of(cand, inv, cur);
      if (fresh || b < bucket_of(prev, inv, cur)) mine.file(b, v, cur);
    }
  }
  // This thread's current bin, pushed by this thread while it stays small.
  template <bool kAtomic>
  void drain(Bins& mine) {
    while (true) {
      Bin& bin = mine.ring[slot_of(current)];
      if (bin.empty() || bin.size >= static_cast<int64_t>(kDrainLimit)) return;
      mine.in_ring -= bin.size;
      Bin drained = bin;  // the pushes file into a fresh bin
      bin = Bin{};
      node_t live[kBlockItems];  // a block's live entries, pushed together
      drained.for_each_block([&](const node_t* items, int count) {
        size_t k = 0;
        for (int i = 0; i < count; ++i)
          if (take<kAtomic>(items[i])) live[k++] = items[i];
        mine.taken += static_cast<int64_t>(k);
        push<kAtomic>(mine, live, k);
      });
      mine.release(drained);
    }
  }
  // The live entries of the current bin over all threads, into `round`.
  void gather(std::vector<node_t>& round) {
    round.clear();
    for (Bins& t : o.store->bins) {
      Bin& bin = t.ring[slot_of(current)];
      t.in_ring -= bin.size;
      bin.for_each([&](node_t u) {
        if (take<false>(u)) {
          ++t.taken;
          round.push_back(u);
        }
      });
      t.release(bin);
    }
  }
  bool small(const std::vector<node_t>& round) const {
    if (round.size() > kSerialRound) return false;
    int64_t edges = 0;
    for (node_t u : round) edges += push_degree(c.k, u);
    return edges <= kSerialPush;
  }
  void settle(std::vector<node_t>& round) {
    const bool one_thread = get_num_threads() == 1;  // nothing to race with: no locked instructions
    while (!round.empty()) {
      if (one_thread || small(round)) {
        Bins& mine = o.store->bins.local();
        push<false>(mine, round.data(), round.size());
        drain<false>(mine);
      } else {
        tbb::parallel_for(tbb::blocked_range<size_t>(0, round.size(), 64), [&](const tbb::blocked_range<size_t>& r) {
          Bins& mine = o.store->bins.local();
          push<true>(mine, round.data() + r.begin(), r.size());
          drain<true>(mine);
        });
      }
      gather(round);
    }
  }
};

}  // namespace

void start_ordered(const FrontierKernel& k, const Frontier& start, OrderedFrontier& o) {
  std::copy(start.bits.begin(), start.bits.end(), o.pending.begin());
  o.count = start.size;
  for (Bins& t : o.store->bins) t.clear();
  Bins& mine = o.store->bins.local();
  with_candidates(k, [&](auto c) {
    using T = std::remove_reference_t<decltype(c.identity())>;
    if constexpr (decltype(c)::kIsMin) {
      Settler<T, decltype(c)::kEdgeKind> s{c, o, reinterpret_cast<T*>(k.x), -static_cast<int64_t>(kLastBucket)};
      int64_t lowest = kNoBucket;
      for (int64_t w = 0; w < static_cast<int64_t>(o.pending.size()); ++w)
        for (Word b = o.pending[w]; b; b &= b - 1)
          lowest = std::min(lowest, s.bucket(s.x[w * 64 + __builtin_ctzll(b)]));
      o.current = lowest == kNoBucket ? 0 : lowest;
      s.current = o.current;
      for (int64_t w = 0; w < static_cast<int64_t>(o.pending.size()); ++w)
        for (Word b = o.pending[w]; b; b &= b - 1) {
          const node_t v = static_cast<node_t>(w * 64 + __builtin_ctzll(b));
          mine.file(s.bucket(s.x[v]), v, o.current);
        }
    }
  });
}

int64_t settle_bucket(const FrontierKernel& k, OrderedFrontier& o) {
  int64_t settled = 0;
  with_candidates(k, [&](auto c) {
    using T = std::remove_reference_t<decltype(c.identity())>;
    if constexpr (decltype(c)::kIsMin) {
      Settler<T, decltype(c)::kEdgeKind> s{c, o, reinterpret_cast<T*>(k.x), o.current};
      for (Bins& t : o.store->bins) t.added = t.taken = 0;
      std::vector<node_t>& round = o.store->round;
      while (o.count > 0 && round.empty()) {  // the lowest bucket with a live entry (stale ones are skipped)
        int64_t next = kNoBucket;
        for (const Bins& t : o.store->bins) next = std::min(next, t.first_bucket(s.current));
        if (next == kNoBucket)
          fail(ErrorKind::State, "internal error: {} pending nodes of an ordered loop are in no bucket", o.count);
        s.current = o.current = next;
        for (Bins& t : o.store->bins) t.refill(s.current);
        s.gather(round);
      }
      settled = static_cast<int64_t>(round.size());
      s.settle(round);
      for (const Bins& t : o.store->bins) o.count += t.added - t.taken;
    }
  });
  return settled;
}

}  // namespace sg::kernels
