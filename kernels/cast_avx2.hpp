// double -> int64 casts four lanes at a time on AVX2 CPUs (kernels/eval_elementwise.cpp), with
// the bits of kernels/convert.hpp's saturating convert().
//
// AVX2 has no packed double -> int64 conversion, and the scalar one (with its NaN and range
// fix-ups) made the cast the costliest op of a BFS epilogue. Instead: truncate, add 1.5 * 2^52
// (exact for an integer below 2^51 in magnitude), and the low bits of the sum are the integer.
// NaN, infinities and values past int64 get convert()'s results by blends; a group of four with a
// value between 2^51 and 2^63 in magnitude (exact integers, never produced by a traversal) goes
// through convert() lane by lane.
#pragma once
#include <cstdint>

#include "kernels/convert.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace sg::kernels {

__attribute__((target("avx2"))) inline void cast_f64_i64_avx2(const double* __restrict in, int64_t* __restrict out,
                                                              int64_t len) {
  const __m256d magic = _mm256_set1_pd(6755399441055744.0);    // 1.5 * 2^52
  const __m256d exact = _mm256_set1_pd(2251799813685248.0);    // 2^51
  const __m256d past = _mm256_set1_pd(9223372036854775808.0);  // 2^63: saturates
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m256i largest = _mm256_set1_epi64x(INT64_MAX);
  int64_t i = 0;
  for (; i + 4 <= len; i += 4) {
    const __m256d x = _mm256_loadu_pd(in + i);
    const __m256d t = _mm256_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256d size = _mm256_andnot_pd(sign, t);
    const __m256d small = _mm256_cmp_pd(size, exact, _CMP_LT_OQ);  // false for NaN
    const __m256d big = _mm256_cmp_pd(size, past, _CMP_GE_OQ);
    const __m256d nan = _mm256_cmp_pd(x, x, _CMP_UNORD_Q);
    if (_mm256_movemask_pd(_mm256_or_pd(_mm256_or_pd(small, big), nan)) != 0xF) {
      for (int k = 0; k < 4; ++k) out[i + k] = convert<double, int64_t>(in[i + k]);
      continue;
    }
    const __m256i v = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(t, magic)), _mm256_castpd_si256(magic));
    // Past int64: INT64_MAX, plus one (wrapping to INT64_MIN) when x is negative.
    const __m256i saturated = _mm256_add_epi64(largest, _mm256_srli_epi64(_mm256_castpd_si256(x), 63));
    const __m256d r = _mm256_blendv_pd(_mm256_castsi256_pd(v), _mm256_castsi256_pd(saturated), big);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_castpd_si256(_mm256_andnot_pd(nan, r)));
  }
  for (; i < len; ++i) out[i] = convert<double, int64_t>(in[i]);
}

}  // namespace sg::kernels
#endif
