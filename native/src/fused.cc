#include "fused.h"

#include <algorithm>
#include <cmath>
#include <vector>


#include "parallel.h"
#include "vectorMath.h"

namespace dpo {
namespace {

// Elements from which a second thread pays (the per-call hand-off costs a few microseconds).
constexpr int64_t kSplitElements = 1 << 15;
constexpr float kGeluScale = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float kGeluCubic = 0.044715f;
constexpr int64_t kChunk = 256;  // floats per block of the vector tanh/exp


struct RowMoments {
  float mean, rstd;
};

RowMoments moments(const float* row, int64_t C, float eps) {
  const float mean = sum8(row, C) / static_cast<float>(C);
  float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= C; j += 8)
    for (int k = 0; k < 8; ++k) p[k] += (row[j + k] - mean) * (row[j + k] - mean);
  float squares = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  for (; j < C; ++j) squares += (row[j] - mean) * (row[j] - mean);
  return {mean, 1.f / std::sqrt(squares / static_cast<float>(C) + eps)};
}

// Log of the sum of exp(row - max) plus max, with the exps computed a block at a time.
float logSumExp(const float* row, int64_t V) {
  float max = row[0];
  for (int64_t j = 1; j < V; ++j) max = std::max(max, row[j]);
  float block[kChunk];
  float total = 0.f;
  for (int64_t j = 0; j < V; j += kChunk) {
    const int64_t n = std::min(kChunk, V - j);
    for (int64_t k = 0; k < n; ++k) block[k] = row[j + k] - max;
    expSpan(block, block, n);
    total += sum8(block, n);
  }
  return std::log(total) + max;
}

}  // namespace

void layerNormForward(const float* x, const float* gain, const float* bias, float* y, int64_t rows, int64_t C, float eps) {
  splitInTwo(rows, rows * C >= kSplitElements, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* row = x + r * C;
      float* out = y + r * C;
      const RowMoments s = moments(row, C, eps);
      for (int64_t j = 0; j < C; ++j) out[j] = (row[j] - s.mean) * s.rstd * gain[j] + bias[j];
    }
  });
}

void layerNormBackward(const float* dy, const float* x, const float* gain, float* dx, float* dgain, float* dbias,
                       int64_t rows, int64_t C, float eps) {
  // Each half accumulates its own dgain and dbias; the two are added at the end.
  std::vector<float> partial(4 * C, 0.f);
  splitInTwo(rows, rows * C >= kSplitElements, [&](int64_t begin, int64_t end) {
    float* pg = partial.data() + (begin == 0 ? 0 : 2 * C);
    float* pb = pg + C;
    std::vector<float> g(C), xhat(C);
    for (int64_t r = begin; r < end; ++r) {
      const float* row = x + r * C;
      const float* d = dy + r * C;
      const RowMoments s = moments(row, C, eps);
      for (int64_t j = 0; j < C; ++j) {
        xhat[j] = (row[j] - s.mean) * s.rstd;
        g[j] = d[j] * gain[j];
        pg[j] += d[j] * xhat[j];
        pb[j] += d[j];
      }
      float p1[8] = {0, 0, 0, 0, 0, 0, 0, 0}, p2[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t j = 0;
      for (; j + 8 <= C; j += 8)
        for (int k = 0; k < 8; ++k) {
          p1[k] += g[j + k];
          p2[k] += g[j + k] * xhat[j + k];
        }
      float sumG = 0.f, sumGX = 0.f;
      for (int k = 0; k < 8; ++k) {
        sumG += p1[k];
        sumGX += p2[k];
      }
      for (; j < C; ++j) {
        sumG += g[j];
        sumGX += g[j] * xhat[j];
      }
      const float meanG = sumG / static_cast<float>(C), meanGX = sumGX / static_cast<float>(C);
      float* out = dx + r * C;
      for (int64_t j = 0; j < C; ++j) out[j] = s.rstd * (g[j] - meanG - xhat[j] * meanGX);
    }
  });
  for (int64_t j = 0; j < C; ++j) {
    dgain[j] = partial[j] + partial[2 * C + j];
    dbias[j] = partial[C + j] + partial[3 * C + j];
  }
}

namespace {

// Calls finish(start, count, t) for each block of up to kChunk floats of x, where t[k] =
// tanh(sqrt(2/pi) (x + 0.044715 x^3)) at x[start + k]: the part GELU and its gradient share.
template <typename Finish>
void geluBlocks(const float* x, int64_t n, const Finish& finish) {
  const int64_t blocks = (n + kChunk - 1) / kChunk;
  splitInTwo(blocks, blocks * kChunk >= kSplitElements, [&](int64_t begin, int64_t end) {
    float t[kChunk];
    for (int64_t b = begin; b < end; ++b) {
      const int64_t start = b * kChunk, count = std::min(kChunk, n - start);
      const float* in = x + start;
      for (int64_t k = 0; k < count; ++k) t[k] = kGeluScale * (in[k] + kGeluCubic * in[k] * in[k] * in[k]);
      tanhSpan(t, t, count);
      finish(start, count, t);
    }
  });
}

}  // namespace

void geluForward(const float* x, float* y, int64_t n) {
  geluBlocks(x, n, [&](int64_t start, int64_t count, const float* t) {
    for (int64_t k = 0; k < count; ++k) y[start + k] = 0.5f * x[start + k] * (1.f + t[k]);
  });
}

void geluBackward(const float* dy, const float* x, float* dx, int64_t n) {
  geluBlocks(x, n, [&](int64_t start, int64_t count, const float* t) {
    for (int64_t k = 0; k < count; ++k) {
      const float v = x[start + k];
      const float dInner = kGeluScale * (1.f + 3.f * kGeluCubic * v * v);
      dx[start + k] = dy[start + k] * (0.5f * (1.f + t[k]) + 0.5f * v * (1.f - t[k] * t[k]) * dInner);
    }
  });
}

bool targetLogProbsForward(const float* logits, const int32_t* targets, float* logp, int64_t N, int64_t V) {
  for (int64_t i = 0; i < N; ++i)
    if (targets[i] < 0 || targets[i] >= V) return false;
  splitInTwo(N, N * V >= kSplitElements, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float* row = logits + i * V;
      logp[i] = row[targets[i]] - logSumExp(row, V);
    }
  });
  return true;
}

bool targetLogProbsBackward(const float* dy, const float* logits, const int32_t* targets, const float* logp,
                            float* dlogits, int64_t N, int64_t V) {
  for (int64_t i = 0; i < N; ++i)
    if (targets[i] < 0 || targets[i] >= V) return false;
  splitInTwo(N, N * V >= kSplitElements, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float* row = logits + i * V;
      float* out = dlogits + i * V;
      const float lse = row[targets[i]] - logp[i];
      const float scale = -dy[i];
      for (int64_t j = 0; j < V; j += kChunk) {
        const int64_t n = std::min(kChunk, V - j);
        for (int64_t k = 0; k < n; ++k) out[j + k] = row[j + k] - lse;
        expSpan(out + j, out + j, n);
        for (int64_t k = 0; k < n; ++k) out[j + k] *= scale;
      }
      out[targets[i]] += dy[i];
    }
  });
  return true;
}

void adamUpdate(const float* theta, const float* grad, const float* m, const float* v, float* thetaOut, float* mOut,
                float* vOut, int64_t n, const AdamStep& s) {
  splitInTwo(n, n >= kSplitElements, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float g = grad[i];
      const float mNext = m[i] * s.beta1 + g * (1.f - s.beta1);
      const float vNext = v[i] * s.beta2 + g * g * (1.f - s.beta2);
      const float update = (mNext / s.correction1) / (std::sqrt(vNext / s.correction2) + s.eps);
      mOut[i] = mNext;
      vOut[i] = vNext;
      thetaOut[i] = theta[i] - (update + theta[i] * s.weightDecay) * s.lr;
    }
  });
}

void rmspropUpdate(const float* theta, const float* grad, const float* v, float* thetaOut, float* vOut, int64_t n,
                   float lr, float rho, float eps) {
  splitInTwo(n, n >= kSplitElements, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float g = grad[i];
      const float vNext = v[i] * rho + g * g * (1.f - rho);
      vOut[i] = vNext;
      thetaOut[i] = theta[i] - g / (std::sqrt(vNext) + eps) * lr;
    }
  });
}

}  // namespace dpo
