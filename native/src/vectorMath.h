// The small vector helpers the kernels share: exp, tanh, log and log1p over a span (glibc's libmvec
// 8-lane AVX2 versions, within 4 ulp, where the compiler targets AVX2), and sums and dot
// products in eight partial sums (vectorisable without -ffast-math, and closer to the
// exact value than one running sum).
#pragma once
#include <cmath>
#include <cstdint>

#if defined(__AVX2__)
#include <immintrin.h>
extern "C" __m256 _ZGVdN8v_expf(__m256);
extern "C" __m256 _ZGVdN8v_tanhf(__m256);
extern "C" __m256 _ZGVdN8v_logf(__m256);
extern "C" __m256 _ZGVdN8v_log1pf(__m256);
#endif

namespace dpo {

// y[i] = exp(x[i]) for i in [0, n); y may be x.
inline void expSpan(const float* x, float* y, int64_t n) {
  int64_t i = 0;
#if defined(__AVX2__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _ZGVdN8v_expf(_mm256_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) y[i] = std::exp(x[i]);
}

// y[i] = tanh(x[i]) for i in [0, n); y may be x.
inline void tanhSpan(const float* x, float* y, int64_t n) {
  int64_t i = 0;
#if defined(__AVX2__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _ZGVdN8v_tanhf(_mm256_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) y[i] = std::tanh(x[i]);
}

// y[i] = log(x[i]) for i in [0, n); y may be x.
inline void logSpan(const float* x, float* y, int64_t n) {
  int64_t i = 0;
#if defined(__AVX2__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _ZGVdN8v_logf(_mm256_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) y[i] = std::log(x[i]);
}

// y[i] = log(1 + x[i]) for i in [0, n); y may be x.
inline void log1pSpan(const float* x, float* y, int64_t n) {
  int64_t i = 0;
#if defined(__AVX2__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _ZGVdN8v_log1pf(_mm256_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) y[i] = std::log1p(x[i]);
}

// sum of x[i] * (y ? y[i] : 1) over [0, n), in eight partial sums.
inline float partialSums(const float* x, const float* y, int64_t n) {
  float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  if (y == nullptr) {
    for (; i + 8 <= n; i += 8)
      for (int k = 0; k < 8; ++k) p[k] += x[i + k];
  } else {
    for (; i + 8 <= n; i += 8)
      for (int k = 0; k < 8; ++k) p[k] += x[i + k] * y[i + k];
  }
  float total = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  for (; i < n; ++i) total += y == nullptr ? x[i] : x[i] * y[i];
  return total;
}

inline float sum8(const float* x, int64_t n) { return partialSums(x, nullptr, n); }
inline float dot(const float* a, const float* b, int64_t n) { return partialSums(a, b, n); }

}  // namespace dpo
