// Counter-based random numbers (Philox2x64-10): every value is a pure function of (seed, stream, index, word).
//
// Why counter-based: a generator that makes edge i from "the next numbers of a shared
// sequence" gives a different graph for every thread count. Here edge i asks for the
// numbers at counter (i, stream, 0), (i, stream, 1), ... so it gets the same numbers
// whichever thread makes it, in whatever order. Philox (Salmon et al., SC'11, "Parallel
// random numbers: as easy as 1, 2, 3"; the Random123 library) passes BigCrush for any
// key and any counter pattern, so the seed can be used as the key as it is.
#pragma once
#include <array>
#include <cstdint>

namespace sg {

// Philox2x64 with 10 rounds: a 128-bit counter and a 64-bit key to 128 random bits.
inline std::array<uint64_t, 2> philox2x64(uint64_t ctr0, uint64_t ctr1, uint64_t key) {
  constexpr uint64_t kMul = 0xD2B74407B1CE6E93ULL;   // PHILOX_M2x64_0
  constexpr uint64_t kWeyl = 0x9E3779B97F4A7C15ULL;  // PHILOX_W64_0 (golden ratio)
  for (int round = 0; round < 10; ++round) {
    if (round > 0) key += kWeyl;
    const unsigned __int128 p = static_cast<unsigned __int128>(kMul) * ctr0;
    const uint64_t hi = static_cast<uint64_t>(p >> 64), lo = static_cast<uint64_t>(p);
    ctr0 = hi ^ key ^ ctr1;
    ctr1 = lo;
  }
  return {ctr0, ctr1};
}

// Stream ids: one per use, so e.g. the weights never share numbers with the endpoints and
// stay the same whether or not an endpoint draw needed a rejection retry.
enum class RngStream : uint32_t {
  RmatEdges = 1,
  RmatPermutation = 2,
  UniformEdges = 3,
  Weights = 4,
  Test = 0xFFFF,
};

// The 64-bit words of one (seed, stream, index) triple, in order. Word w is half of
// philox2x64(index, stream << 32 | w / 2, seed). Cheap to construct: make one per edge.
class RandomStream {
 public:
  RandomStream(uint64_t seed, RngStream stream, uint64_t index)
      : key_(seed), index_(index), tag_(static_cast<uint64_t>(stream) << 32) {}

  uint64_t operator()() {
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    const auto r = philox2x64(index_, tag_ | block_++, key_);
    spare_ = r[1];
    have_spare_ = true;
    return r[0];
  }

 private:
  uint64_t key_, index_, tag_;
  uint32_t block_ = 0;  // wraps after 2^33 words (never reached: a draw uses a handful)
  bool have_spare_ = false;
  uint64_t spare_ = 0;
};

// Words [0, count) of RandomStream(seed, stream, index), count <= 2 * kMaxBlocks, into
// out: the same numbers, but the Philox blocks run in lockstep so their rounds overlap
// (about 1.3x faster than one block after the other when a draw needs several).
constexpr int kMaxBlocks = 8;
inline void random_words(uint64_t seed, RngStream stream, uint64_t index, int count, uint64_t* out) {
  constexpr uint64_t kMul = 0xD2B74407B1CE6E93ULL, kWeyl = 0x9E3779B97F4A7C15ULL;
  const int blocks = (count + 1) / 2;
  uint64_t c0[kMaxBlocks], c1[kMaxBlocks];
  for (int j = 0; j < blocks; ++j) {
    c0[j] = index;
    c1[j] = (static_cast<uint64_t>(stream) << 32) | static_cast<uint32_t>(j);
  }
  uint64_t key = seed;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) key += kWeyl;
    for (int j = 0; j < blocks; ++j) {
      const unsigned __int128 p = static_cast<unsigned __int128>(kMul) * c0[j];
      const uint64_t hi = static_cast<uint64_t>(p >> 64), lo = static_cast<uint64_t>(p);
      c0[j] = hi ^ key ^ c1[j];
      c1[j] = lo;
    }
  }
  for (int w = 0; w < count; ++w) out[w] = (w & 1) ? c1[w / 2] : c0[w / 2];
}

// An unbiased draw from [0, range), range >= 1 (Lemire, "Fast random integer generation
// in an interval", 2019): multiply-shift, rejecting the few low products that would make
// some results more likely. `next` returns uniform 64-bit words.
template <class Next>
uint64_t bounded(Next& next, uint64_t range) {
  unsigned __int128 p = static_cast<unsigned __int128>(next()) * range;
  uint64_t low = static_cast<uint64_t>(p);
  if (low < range) {
    const uint64_t threshold = (0 - range) % range;  // 2^64 mod range
    while (low < threshold) {
      p = static_cast<unsigned __int128>(next()) * range;
      low = static_cast<uint64_t>(p);
    }
  }
  return static_cast<uint64_t>(p >> 64);
}

// A double uniform in (0, 1]: 53 random bits, 0 excluded, 1 included.
inline double unit_interval_open_closed(uint64_t x) { return static_cast<double>((x >> 11) + 1) * 0x1.0p-53; }

}  // namespace sg
