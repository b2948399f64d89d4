#include "attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "parallel.h"
#include "vectorMath.h"

namespace dpo {
namespace {

// Multiply-adds from which a second thread pays.
constexpr double kSplitWork = 1 << 16;

// y += alpha x over n floats.
void axpy(float alpha, const float* x, float* y, int64_t n) {
  int64_t i = 0;
#if defined(__AVX2__) && defined(__FMA__)
  const __m256 a = _mm256_set1_ps(alpha);
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
#endif
  for (; i < n; ++i) y[i] += alpha * x[i];
}


// A bias at or below this hides its key (src/model/layers.ts attentionBias uses -1e9): its
// weight is exactly 0 either way, so its product is skipped.
constexpr float kMaskedBias = -1e8f;

#if defined(__AVX2__) && defined(__FMA__)
float horizontalSum(__m256 v) {
  const __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pair = _mm_add_ps(half, _mm_movehl_ps(half, half));
  return _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps(pair, pair, 1)));
}
#endif

// out[i] = a . rows[i * stride] for the four rows from `rows`, over n floats (independent
// chains, so the four run side by side).
void dot4(const float* a, const float* rows, int64_t stride, int64_t n, float* out) {
#if defined(__AVX2__) && defined(__FMA__)
  if (n % 8 == 0) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t i = 0; i < n; i += 8) {
      const __m256 x = _mm256_loadu_ps(a + i);
      for (int r = 0; r < 4; ++r) acc[r] = _mm256_fmadd_ps(x, _mm256_loadu_ps(rows + r * stride + i), acc[r]);
    }
    for (int r = 0; r < 4; ++r) out[r] = horizontalSum(acc[r]);
    return;
  }
#endif
  for (int r = 0; r < 4; ++r) out[r] = dot(a, rows + r * stride, n);
}

// out[j] = a . rows[j * stride] for j in [0, count) where live[j], four at a time where
// four in a row are live (the causal prefix).
template <typename Live>
void dots(const float* a, const float* rows, int64_t stride, int64_t count, int64_t n, const Live& live, float* out) {
  int64_t j = 0;
  while (j < count) {
    if (j + 4 <= count && live(j) && live(j + 1) && live(j + 2) && live(j + 3)) {
      dot4(a, rows + j * stride, stride, n, out + j);
      j += 4;
    } else {
      if (live(j)) out[j] = dot(a, rows + j * stride, n);
      ++j;
    }
  }
}

// out (n) = sum over j of w[j] rows[j * stride] (the rows with w[j] = 0 skipped), the sum
// kept in registers across the rows where n is a multiple of 8 up to 64.
void weightedSum(const float* w, const float* rows, int64_t stride, int64_t count, int64_t n, float* out) {
#if defined(__AVX2__) && defined(__FMA__)
  if (n % 8 == 0 && n <= 64) {
    const int64_t lanes = n / 8;
    __m256 acc[8];
    for (int64_t l = 0; l < lanes; ++l) acc[l] = _mm256_setzero_ps();
    for (int64_t j = 0; j < count; ++j) {
      if (w[j] == 0.f) continue;
      const __m256 x = _mm256_set1_ps(w[j]);
      const float* row = rows + j * stride;
      for (int64_t l = 0; l < lanes; ++l) acc[l] = _mm256_fmadd_ps(x, _mm256_loadu_ps(row + 8 * l), acc[l]);
    }
    for (int64_t l = 0; l < lanes; ++l) _mm256_storeu_ps(out + 8 * l, acc[l]);
    return;
  }
#endif
  std::fill(out, out + n, 0.f);
  for (int64_t j = 0; j < count; ++j)
    if (w[j] != 0.f) axpy(w[j], rows + j * stride, out, n);
}

// p (Tk) = softmax(scale q . key[j] + bias[j]) for one query row; key rows `stride` apart.
// Hidden keys (bias <= kMaskedBias) get weight 0 without their product, unless every key
// is hidden (then, as the composed ops, all count).
void weightsRow(const float* q, const float* key, int64_t stride, const float* biasRow, float* p, int64_t Tk, int64_t D, float scale) {
  bool anyVisible = false;
  for (int64_t j = 0; j < Tk && !anyVisible; ++j) anyVisible = biasRow[j] > kMaskedBias;
  auto live = [&](int64_t j) { return !anyVisible || biasRow[j] > kMaskedBias; };
  dots(q, key, stride, Tk, D, live, p);
  float max = -INFINITY;
  for (int64_t j = 0; j < Tk; ++j) {
    p[j] = live(j) ? scale * p[j] + biasRow[j] : -INFINITY;
    max = std::max(max, p[j]);
  }
  for (int64_t j = 0; j < Tk; ++j) p[j] -= max;
  expSpan(p, p, Tk);
  float total = 0.f;
  for (int64_t j = 0; j < Tk; ++j) total += p[j];
  const float inverse = 1.f / total;
  for (int64_t j = 0; j < Tk; ++j) p[j] *= inverse;
}

// Whether a (batch, head) loop of this shape is worth two threads.
bool splitAttention(const AttentionShape& s) {
  return double(s.batch) * s.heads * s.T * s.Tk * s.D >= kSplitWork;
}

const float* biasOf(const float* bias, int64_t item, const AttentionShape& s) {
  return bias + (s.biasPerBatch ? (item / s.heads) * s.T * s.Tk : 0);
}

}  // namespace

// Where one item's rows start, and the stride between its rows, in a heads-last layout.
struct Rows {
  int64_t queries, keys, stride;
};

Rows rowsOf(int64_t item, const AttentionShape& s) {
  const int64_t b = item / s.heads, h = item % s.heads;
  const int64_t keyRows = s.keyRows > 0 ? s.keyRows : s.Tk;
  return {(b * s.T * s.heads + h) * s.D, (b * keyRows * s.heads + h) * s.D, s.heads * s.D};
}

void attentionForward(const float* q, const float* key, const float* value, const float* bias, float* y, const AttentionShape& s) {
  splitInTwo(s.batch * s.heads, splitAttention(s), [&](int64_t begin, int64_t end) {
    std::vector<float> p(s.Tk);
    for (int64_t item = begin; item < end; ++item) {
      const Rows r = rowsOf(item, s);
      const float* K = key + r.keys;
      const float* V = value + r.keys;
      const float* B = biasOf(bias, item, s);
      for (int64_t t = 0; t < s.T; ++t) {
        weightsRow(q + r.queries + t * r.stride, K, r.stride, B + t * s.Tk, p.data(), s.Tk, s.D, s.scale);
        weightedSum(p.data(), V, r.stride, s.Tk, s.D, y + r.queries + t * r.stride);
      }
    }
  });
}

void attentionBackward(const float* dy, const float* q, const float* key, const float* value, const float* bias, float* dq,
                       float* dkey, float* dvalue, const AttentionShape& s) {
  splitInTwo(s.batch * s.heads, splitAttention(s), [&](int64_t begin, int64_t end) {
    std::vector<float> p(s.Tk), dp(s.Tk), ds(s.Tk);
    for (int64_t item = begin; item < end; ++item) {
      const Rows r = rowsOf(item, s);
      const float* K = key + r.keys;
      const float* V = value + r.keys;
      float* dK = dkey + r.keys;
      float* dV = dvalue + r.keys;
      for (int64_t j = 0; j < s.Tk; ++j) {
        std::fill(dK + j * r.stride, dK + j * r.stride + s.D, 0.f);
        std::fill(dV + j * r.stride, dV + j * r.stride + s.D, 0.f);
      }
      const float* B = biasOf(bias, item, s);
      for (int64_t t = 0; t < s.T; ++t) {
        const float* qRow = q + r.queries + t * r.stride;
        const float* dyRow = dy + r.queries + t * r.stride;
        weightsRow(qRow, K, r.stride, B + t * s.Tk, p.data(), s.Tk, s.D, s.scale);
        // dP[j] = dy . v[j]; dS[j] = P[j] (dP[j] - sum_j' P[j'] dP[j'])
        float expected = 0.f;
        dots(dyRow, V, r.stride, s.Tk, s.D, [&](int64_t j) { return p[j] != 0.f; }, dp.data());
        for (int64_t j = 0; j < s.Tk; ++j)
          if (p[j] != 0.f) expected += p[j] * dp[j];
        for (int64_t j = 0; j < s.Tk; ++j) {
          ds[j] = p[j] == 0.f ? 0.f : p[j] * (dp[j] - expected) * s.scale;  // masked keys get nothing
          if (p[j] == 0.f) continue;
          axpy(p[j], dyRow, dV + j * r.stride, s.D);
          axpy(ds[j], qRow, dK + j * r.stride, s.D);
        }
        weightedSum(ds.data(), K, r.stride, s.Tk, s.D, dq + r.queries + t * r.stride);
      }
    }
  });
}

}  // namespace dpo
