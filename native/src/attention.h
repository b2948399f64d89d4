// Scaled dot-product attention over (batch x head) items, forward and backward, on raw float
// pointers: y = softmax(scale q k^T + bias) v for each item, with the softmax weights
// recomputed in the backward pass instead of stored. Items are split across two threads.
#pragma once
#include <cstdint>

namespace dpo {

struct AttentionShape {
  int64_t batch, heads;  // items = batch * heads
  int64_t T, Tk, D;      // queries, keys (cached ones included), head size
  bool biasPerBatch;     // bias (batch, 1, T, Tk) when set, else (1, 1, T, Tk)
  float scale;
  int64_t keyRows = 0;   // rows per batch row in the key and value buffers (a cache may hold more than Tk); 0: Tk
};

// Heads-last layouts, as the projections produce them (no transposes): q (B, T, H, D), key
// and value (B, Tk, H, D), bias (B|1, 1, T, Tk) -> y (B, T, H, D).
void attentionForward(const float* q, const float* key, const float* value, const float* bias, float* y, const AttentionShape& s);

// The gradients of attentionForward given dy (B, T, H, D): dq, dkey and dvalue.
void attentionBackward(const float* dy, const float* q, const float* key, const float* value, const float* bias, float* dq,
                       float* dkey, float* dvalue, const AttentionShape& s);

}  // namespace dpo
