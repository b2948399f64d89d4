#include "attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#if defined(__AVX2__)
#include <immintrin.h>
extern "C" __m256 _ZGVdN8v_expf(__m256);
#endif

#include "parallel.h"

namespace dpo {
namespace {

// Multiply-adds from which a second thread pays.
constexpr double kSplitWork = 1 << 16;

// Eight partial sums: vectorisable without -ffast-math, and no horizontal sum per call
// (which costs more than the products at a head size of 32).
float dot(const float* a, const float* b, int64_t n) {
  float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) p[k] += a[i + k] * b[i + k];
  float total = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  for (; i < n; ++i) total += a[i] * b[i];
  return total;
}

// y += alpha x over n floats.
void axpy(float alpha, const float* x, float* y, int64_t n) {
  int64_t i = 0;
#if defined(__AVX2__) && defined(__FMA__)
  const __m256 a = _mm256_set1_ps(alpha);
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
#endif
  for (; i < n; ++i) y[i] += alpha * x[i];
}

void expInPlace(float* x, int64_t n) {
  int64_t i = 0;
#if defined(__AVX2__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _ZGVdN8v_expf(_mm256_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) x[i] = std::exp(x[i]);
}

// p (Tk) = softmax(scale q . key[j] + bias[j]) for one query row; key rows `stride` apart.
void weightsRow(const float* q, const float* key, int64_t stride, const float* biasRow, float* p, int64_t Tk, int64_t D, float scale) {
  float max = -INFINITY;
  for (int64_t j = 0; j < Tk; ++j) {
    p[j] = scale * dot(q, key + j * stride, D) + biasRow[j];
    max = std::max(max, p[j]);
  }
  for (int64_t j = 0; j < Tk; ++j) p[j] -= max;
  expInPlace(p, Tk);
  float total = 0.f;
  for (int64_t j = 0; j < Tk; ++j) total += p[j];
  const float inverse = 1.f / total;
  for (int64_t j = 0; j < Tk; ++j) p[j] *= inverse;
}

// Calls body(begin, end) over the (batch, head) items, on two threads when the work is large.
template <typename Body>
void forItems(const AttentionShape& s, const Body& body) {
  const int64_t items = s.batch * s.heads;
  const double work = double(items) * s.T * s.Tk * s.D;
  if (items < 2 || work < kSplitWork) {
    body(int64_t{0}, items);
    return;
  }
  runInTwo([&](int part) { part == 0 ? body(int64_t{0}, items / 2) : body(items / 2, items); });
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
  forItems(s, [&](int64_t begin, int64_t end) {
    std::vector<float> p(s.Tk);
    for (int64_t item = begin; item < end; ++item) {
      const Rows r = rowsOf(item, s);
      const float* K = key + r.keys;
      const float* V = value + r.keys;
      const float* B = biasOf(bias, item, s);
      for (int64_t t = 0; t < s.T; ++t) {
        weightsRow(q + r.queries + t * r.stride, K, r.stride, B + t * s.Tk, p.data(), s.Tk, s.D, s.scale);
        float* out = y + r.queries + t * r.stride;
        std::fill(out, out + s.D, 0.f);
        for (int64_t j = 0; j < s.Tk; ++j) axpy(p[j], V + j * r.stride, out, s.D);
      }
    }
  });
}

void attentionBackward(const float* dy, const float* q, const float* key, const float* value, const float* bias, float* dq,
                       float* dkey, float* dvalue, const AttentionShape& s) {
  forItems(s, [&](int64_t begin, int64_t end) {
    std::vector<float> p(s.Tk), dp(s.Tk);
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
        for (int64_t j = 0; j < s.Tk; ++j) {
          dp[j] = dot(dyRow, V + j * r.stride, s.D);
          expected += p[j] * dp[j];
        }
        float* dqRow = dq + r.queries + t * r.stride;
        std::fill(dqRow, dqRow + s.D, 0.f);
        for (int64_t j = 0; j < s.Tk; ++j) {
          if (p[j] == 0.f) continue;  // masked keys get nothing
          axpy(p[j], dyRow, dV + j * r.stride, s.D);
          const float ds = p[j] * (dp[j] - expected) * s.scale;
          axpy(ds, K + j * r.stride, dqRow, s.D);
          axpy(ds, qRow, dK + j * r.stride, s.D);
        }
      }
    }
  });
}

}  // namespace dpo
