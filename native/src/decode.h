// One transformer block for one new token per row, with the keys and values of earlier
// positions in a preallocated cache: the whole block (LayerNorm, attention projection,
// attention over the cache, output projection, LayerNorm, GELU MLP, both residuals) in
// one call, where the composed ops take about twenty kernels. For generation only (no
// gradients).
#pragma once
#include <cstdint>

namespace dpo {

// GPT-2 names: ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj. Weights are
// stored [in, out].
struct BlockWeights {
  const float *ln1Gain, *ln1Bias, *attnWeight, *attnBias, *projWeight, *projBias;
  const float *ln2Gain, *ln2Bias, *fcWeight, *fcBias, *outWeight, *outBias;
};

struct DecodeShape {
  int64_t B, C, heads;
  int64_t capacity;  // positions the caches hold per row
  int64_t position;  // where this token's key and value go; it attends to 0..position
  float epsilon;
};

// x (B, C) -> y (B, C); writes this token's keys and values into keyCache and valueCache
// (B, capacity, heads, C / heads) at `position`. mask (B, capacity): 1 for real tokens,
// 0 for padding (padded keys are not attended to).
void decodeBlock(const float* x, float* y, float* keyCache, float* valueCache, const float* mask, const BlockWeights& w,
                 const DecodeShape& s);

}  // namespace dpo
