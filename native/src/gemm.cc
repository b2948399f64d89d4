#include "gemm.h"

#include <blis.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "parallel.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace dpo {
namespace {

// Below this many multiply-adds per call a second thread costs more than it saves.
constexpr double kSplitMultiplyAdds = 1 << 18;

// Row and column strides of op(A), op(B) and C in row-major storage.
struct Strides {
  inc_t rsA, csA, rsB, csB;
};

Strides stridesOf(const GemmShape& s) {
  Strides t;
  if (s.transA) { t.rsA = 1; t.csA = s.m; } else { t.rsA = s.k; t.csA = 1; }
  if (s.transB) { t.rsB = 1; t.csB = s.k; } else { t.rsB = s.n; t.csB = 1; }
  return t;
}

float activate(float x, const Epilogue& e) {
  switch (e.activation) {
    case kRelu: return x > 0.f ? x : 0.f;
    case kRelu6: return std::min(std::max(x, 0.f), 6.f);
    case kLeakyRelu: return x < 0.f ? e.leakyAlpha * x : x;
    case kSigmoid: return 1.f / (1.f + std::exp(-x));
    case kElu: return x >= 0.f ? x : std::exp(x) - 1.f;
    default: return x;
  }
}

// Adds the bias and applies the activation to rows [0, rows) x columns [n0, n1) of C.
void applyEpilogue(float* c, int64_t rows, int64_t n, int64_t n0, int64_t n1, const Epilogue& e) {
  if (e.bias == nullptr && e.activation == kLinear) return;
  if (e.activation == kLinear && e.biasLength != 1) {  // the common case: a bias row, vectorised
    for (int64_t i = 0; i < rows; ++i) {
      float* row = c + i * n;
      for (int64_t j = n0; j < n1; ++j) row[j] += e.bias[j];
    }
    return;
  }
  for (int64_t i = 0; i < rows; ++i) {
    float* row = c + i * n;
    for (int64_t j = n0; j < n1; ++j) {
      float x = row[j];
      if (e.bias != nullptr) x += e.biasLength == 1 ? e.bias[0] : e.bias[j];
      row[j] = activate(x, e);
    }
  }
}

// Up to this many rows of A, a plain (non-transposed) product skips BLIS, whose packing
// costs more than the arithmetic (one generated token per row, for example).
constexpr int64_t kSmallRows = 16;
// How many rows of B ahead the small GEMM prefetches.
constexpr int64_t kPrefetchRows = 16;

// C (m, n) columns [n0, n1) = A (m, k) . B (k, n), row-major, for m <= kSmallRows: with
// a multiple of eight rows, strips of 8 columns eight rows at a time; otherwise strips of
// 16 columns four rows at a time.
void smallGemm(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, int64_t n0, int64_t n1) {
  int64_t j = n0;
#if defined(__AVX2__) && defined(__FMA__)
  // Eight rows at a time over strips of 8 columns: each B strip is read once for all eight.
  if (m % 8 == 0) {
    for (; j + 8 <= n1; j += 8) {
      for (int64_t i = 0; i < m; i += 8) {
        __m256 acc[8];
        for (auto& row : acc) row = _mm256_setzero_ps();
        for (int64_t p = 0; p < k; ++p) {
          // B's rows are n floats apart, a stride the hardware prefetcher does not follow
          // when the weights are cold (as they are for each layer in generation).
          _mm_prefetch(reinterpret_cast<const char*>(b + (p + kPrefetchRows) * n + j), _MM_HINT_T0);
          const __m256 bp = _mm256_loadu_ps(b + p * n + j);
          for (int r = 0; r < 8; ++r) acc[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(a + (i + r) * k + p), bp, acc[r]);
        }
        for (int r = 0; r < 8; ++r) _mm256_storeu_ps(c + (i + r) * n + j, acc[r]);
      }
    }
  }
  for (; j + 16 <= n1; j += 16) {
    int64_t i = 0;
    for (; i + 4 <= m; i += 4) {
      __m256 acc[4][2];
      for (auto& row : acc) row[0] = row[1] = _mm256_setzero_ps();
      for (int64_t p = 0; p < k; ++p) {
        const __m256 b0 = _mm256_loadu_ps(b + p * n + j), b1 = _mm256_loadu_ps(b + p * n + j + 8);
        for (int r = 0; r < 4; ++r) {
          const __m256 x = _mm256_broadcast_ss(a + (i + r) * k + p);
          acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
          acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
        }
      }
      for (int r = 0; r < 4; ++r) {
        _mm256_storeu_ps(c + (i + r) * n + j, acc[r][0]);
        _mm256_storeu_ps(c + (i + r) * n + j + 8, acc[r][1]);
      }
    }
    for (; i < m; ++i) {
      __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps();
      for (int64_t p = 0; p < k; ++p) {
        const __m256 x = _mm256_broadcast_ss(a + i * k + p);
        c0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b + p * n + j), c0);
        c1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b + p * n + j + 8), c1);
      }
      _mm256_storeu_ps(c + i * n + j, c0);
      _mm256_storeu_ps(c + i * n + j + 8, c1);
    }
  }
#endif
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t jj = j; jj < n1; ++jj) {
      float total = 0.f;
      for (int64_t p = 0; p < k; ++p) total += a[i * k + p] * b[p * n + jj];
      c[i * n + jj] = total;
    }
  }
}

// C rows [m0, m1) x columns [n0, n1) of one product, then its epilogue.
void gemmBlock(const GemmItem& item, const GemmShape& s, const Strides& t, const Epilogue& e,
               int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  float* c = item.c + m0 * s.n;
  if (m1 <= m0 || n1 <= n0) return;
  if (s.k == 0) {
    for (int64_t i = 0; i < m1 - m0; ++i) std::fill(c + i * s.n + n0, c + i * s.n + n1, 0.f);
  } else if (!s.transA && !s.transB && m1 - m0 <= kSmallRows) {
    smallGemm(item.a + m0 * s.k, item.b, c, m1 - m0, s.n, s.k, n0, n1);
  } else {
    float one = 1.f, zero = 0.f;
    bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m1 - m0, n1 - n0, s.k, &one,
              const_cast<float*>(item.a) + m0 * t.rsA, t.rsA, t.csA,
              const_cast<float*>(item.b) + n0 * t.csB, t.rsB, t.csB,
              &zero, c + n0, s.n, 1);
  }
  applyEpilogue(c, m1 - m0, s.n, n0, n1, e);
}

}  // namespace

void gemmBatch(const GemmItem* items, int64_t count, const GemmShape& s, const Epilogue& e) {
  if (count == 0 || s.m == 0 || s.n == 0) return;
  const Strides t = stridesOf(s);
  const double work = double(count) * s.m * s.n * std::max<int64_t>(s.k, 1);
  if (work < kSplitMultiplyAdds) {
    for (int64_t i = 0; i < count; ++i) gemmBlock(items[i], s, t, e, 0, s.m, 0, s.n);
    return;
  }
  if (count >= 2) {  // whole products to each thread
    runInTwo([&](int part) {
      const int64_t begin = part == 0 ? 0 : count / 2, end = part == 0 ? count / 2 : count;
      for (int64_t i = begin; i < end; ++i) gemmBlock(items[i], s, t, e, 0, s.m, 0, s.n);
    });
    return;
  }
  // One product: split its larger output side in two.
  runInTwo([&](int part) {
    if (s.m >= s.n) {
      const int64_t half = s.m / 2;
      if (part == 0) gemmBlock(items[0], s, t, e, 0, half, 0, s.n);
      else gemmBlock(items[0], s, t, e, half, s.m, 0, s.n);
    } else {
      const int64_t half = s.n / 2;
      if (part == 0) gemmBlock(items[0], s, t, e, 0, s.m, 0, half);
      else gemmBlock(items[0], s, t, e, 0, s.m, half, s.n);
    }
  });
}

const char* gemmLibrary() {
  static const std::string name = [] {
    // BLIS picks its kernels once, from CPUID, at initialisation; say which it chose.
    bli_init();
    return std::string("BLIS ") + bli_info_get_version_str() + " " + bli_arch_string(bli_arch_query_id());
  }();
  return name.c_str();
}

}  // namespace dpo
