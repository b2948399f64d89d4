#include "decode.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "attention.h"
#include "fused.h"
#include "gemm.h"

namespace dpo {
namespace {

// out (rows, n) = in (rows, k) . weight (k, n) + bias, through the GEMM (small-row path, two threads when large).
void linear(const float* in, const float* weight, const float* bias, float* out, int64_t rows, int64_t k, int64_t n) {
  const GemmItem item{in, weight, out};
  Epilogue epilogue;
  epilogue.bias = bias;
  epilogue.biasLength = n;
  gemmBatch(&item, 1, GemmShape{rows, n, k, false, false}, epilogue);
}

}  // namespace

void decodeBlock(const float* x, float* y, float* keyCache, float* valueCache, const float* mask, const BlockWeights& w,
                 const DecodeShape& s) {
  const int64_t B = s.B, C = s.C, H = s.heads, D = C / H, Tk = s.position + 1;
  // Scratch, kept between calls: one decode step calls this once per layer.
  thread_local std::vector<float> normed, qkv, attended, hidden, bias;
  normed.resize(B * C);
  qkv.resize(B * 3 * C);
  attended.resize(B * C);
  hidden.resize(B * 4 * C);
  bias.resize(B * Tk);

  // Attention: ln_1, c_attn, this token's key and value into the cache, attention over 0..position.
  layerNormForward(x, w.ln1Gain, w.ln1Bias, normed.data(), B, C, s.epsilon);
  linear(normed.data(), w.attnWeight, w.attnBias, qkv.data(), B, C, 3 * C);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t at = (b * s.capacity + s.position) * C;
    std::memcpy(keyCache + at, qkv.data() + b * 3 * C + C, C * sizeof(float));
    std::memcpy(valueCache + at, qkv.data() + b * 3 * C + 2 * C, C * sizeof(float));
    // The additive bias of src/model/layers.ts attentionBias: (allowed - 1) * 1e9.
    for (int64_t j = 0; j < Tk; ++j) bias[b * Tk + j] = (mask[b * s.capacity + j] - 1.f) * 1e9f;
  }
  // The queries are the first C of each row of qkv: a (B, 1, H, D) layout with rows 3C apart,
  // so copy them out contiguous first.
  for (int64_t b = 0; b < B; ++b) std::memcpy(normed.data() + b * C, qkv.data() + b * 3 * C, C * sizeof(float));
  AttentionShape shape{B, H, 1, Tk, D, true, 1.f / std::sqrt(static_cast<float>(D))};
  shape.keyRows = s.capacity;
  attentionForward(normed.data(), keyCache, valueCache, bias.data(), attended.data(), shape);
  linear(attended.data(), w.projWeight, w.projBias, y, B, C, C);
  for (int64_t i = 0; i < B * C; ++i) y[i] += x[i];

  // MLP: ln_2, c_fc, GELU, c_proj, residual.
  layerNormForward(y, w.ln2Gain, w.ln2Bias, normed.data(), B, C, s.epsilon);
  linear(normed.data(), w.fcWeight, w.fcBias, hidden.data(), B, C, 4 * C);
  geluForward(hidden.data(), hidden.data(), B * 4 * C);
  linear(hidden.data(), w.outWeight, w.outBias, attended.data(), B, 4 * C, C);
  for (int64_t i = 0; i < B * C; ++i) y[i] += attended[i];
}

}  // namespace dpo
