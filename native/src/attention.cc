#include "attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

void expInPlace(float* x, int64_t n) {
  int64_t i = 0;
#if defined(__AVX2__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _ZGVdN8v_expf(_mm256_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) x[i] = std::exp(x[i]);
}

// p (Tk) = softmax(scale q . key[j] + bias[j]) for one query row.
void weightsRow(const float* q, const float* key, const float* biasRow, float* p, int64_t Tk, int64_t D, float scale) {
  float max = -INFINITY;
  for (int64_t j = 0; j < Tk; ++j) {
    p[j] = scale * dot(q, key + j * D, D) + biasRow[j];
    max = std::max(max, p[j]);
  }
  for (int64_t j = 0; j < Tk; ++j) p[j] -= max;
  expInPlace(p, Tk);
  float total = 0.f;
  for (int64_t j = 0; j < Tk; ++j) total += p[j];
  const float inverse = 1.f / total;
  for (int64_t j = 0; j < Tk; ++j) p[j] *= inverse;
}

// Calls body(item) for every (batch, head) item, on two threads when the work is large.
template <typename Body>
void forItems(const AttentionShape& s, const Body& body) {
  const int64_t items = s.batch * s.heads;
  const double work = double(items) * s.T * s.Tk * s.D;
  if (items < 2 || work < kSplitWork) {
    for (int64_t i = 0; i < items; ++i) body(i);
    return;
  }
  runInTwo([&](int part) {
    const int64_t begin = part == 0 ? 0 : items / 2, end = part == 0 ? items / 2 : items;
    for (int64_t i = begin; i < end; ++i) body(i);
  });
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
  return {(b * s.T * s.heads + h) * s.D, (b * s.Tk * s.heads + h) * s.D, s.heads * s.D};
}

void attentionForward(const float* q, const float* key, const float* value, const float* bias, float* y, const AttentionShape& s) {
  forItems(s, [&](int64_t item) {
    std::vector<float> p(s.Tk), keys(s.Tk * s.D), values(s.Tk * s.D);
    const Rows r = rowsOf(item, s);
    // This item's keys and values, gathered contiguous once.
    for (int64_t j = 0; j < s.Tk; ++j) {
      std::memcpy(keys.data() + j * s.D, key + r.keys + j * r.stride, s.D * sizeof(float));
      std::memcpy(values.data() + j * s.D, value + r.keys + j * r.stride, s.D * sizeof(float));
    }
    const float* B = biasOf(bias, item, s);
    for (int64_t t = 0; t < s.T; ++t) {
      weightsRow(q + r.queries + t * r.stride, keys.data(), B + t * s.Tk, p.data(), s.Tk, s.D, s.scale);
      float* out = y + r.queries + t * r.stride;
      std::fill(out, out + s.D, 0.f);
      for (int64_t j = 0; j < s.Tk; ++j) axpy(p[j], values.data() + j * s.D, out, s.D);
    }
  });
}

void attentionBackward(const float* dy, const float* q, const float* key, const float* value, const float* bias, float* dq,
                       float* dkey, float* dvalue, const AttentionShape& s) {
  forItems(s, [&](int64_t item) {
    std::vector<float> p(s.Tk), dp(s.Tk), keys(s.Tk * s.D), values(s.Tk * s.D), dK(s.Tk * s.D, 0.f), dV(s.Tk * s.D, 0.f);
    const Rows r = rowsOf(item, s);
    for (int64_t j = 0; j < s.Tk; ++j) {
      std::memcpy(keys.data() + j * s.D, key + r.keys + j * r.stride, s.D * sizeof(float));
      std::memcpy(values.data() + j * s.D, value + r.keys + j * r.stride, s.D * sizeof(float));
    }
    const float* B = biasOf(bias, item, s);
    for (int64_t t = 0; t < s.T; ++t) {
      const float* qRow = q + r.queries + t * r.stride;
      const float* dyRow = dy + r.queries + t * r.stride;
      weightsRow(qRow, keys.data(), B + t * s.Tk, p.data(), s.Tk, s.D, s.scale);
      // dP[j] = dy . v[j]; dS[j] = P[j] (dP[j] - sum_j' P[j'] dP[j'])
      float expected = 0.f;
      for (int64_t j = 0; j < s.Tk; ++j) {
        dp[j] = dot(dyRow, values.data() + j * s.D, s.D);
        expected += p[j] * dp[j];
      }
      float* dqRow = dq + r.queries + t * r.stride;
      std::fill(dqRow, dqRow + s.D, 0.f);
      for (int64_t j = 0; j < s.Tk; ++j) {
        if (p[j] == 0.f) continue;  // masked keys get nothing
        axpy(p[j], dyRow, dV.data() + j * s.D, s.D);
        const float ds = p[j] * (dp[j] - expected) * s.scale;
        axpy(ds, keys.data() + j * s.D, dqRow, s.D);
        axpy(ds, qRow, dK.data() + j * s.D, s.D);
      }
    }
    for (int64_t j = 0; j < s.Tk; ++j) {
      std::memcpy(dkey + r.keys + j * r.stride, dK.data() + j * s.D, s.D * sizeof(float));
      std::memcpy(dvalue + r.keys + j * r.stride, dV.data() + j * s.D, s.D * sizeof(float));
    }
  });
}

}  // namespace dpo
