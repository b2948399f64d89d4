// Picking the next token of each row from its logits, as src/model/sampling.ts does in
// TypeScript (the same candidates, weights and inversion at the caller's uniform u, in
// double precision), for a batch of rows at once.
#pragma once
#include <cstdint>

namespace dpo {

struct SamplingSettings {
  double temperature;  // <= 0: the most likely token
  int64_t topK;        // <= 0 or >= V: all
  double topP;         // >= 1: all
};

// tokens (rows) from logits (rows, V) and uniforms (rows) in [0, 1).
void sampleRows(const float* logits, const double* uniforms, int32_t* tokens, int64_t rows, int64_t V, const SamplingSettings& s);

}  // namespace dpo
