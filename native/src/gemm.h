// Matrix products on raw float pointers through BLIS, with an optional fused epilogue
// (bias and activation) and a two-way split of large work across threads.
#pragma once
#include <cstdint>

namespace dpo {

// Activation codes: the same numbers as tfjs-backend-wasm's FusableActivation enum.
enum Activation : int { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 4, kSigmoid = 5, kElu = 6 };

struct GemmShape {
  int64_t m, n, k;      // C (m, n) = op(A) (m, k) . op(B) (k, n)
  bool transA, transB;  // A stored (k, m) / B stored (n, k) when set
};

struct Epilogue {
  const float* bias = nullptr;  // length n (or 1 when biasLength == 1), added to each row
  int64_t biasLength = 0;
  int activation = kLinear;
  float leakyAlpha = 0.f;
};

// One product of the batch: where its operands and output start.
struct GemmItem {
  const float* a;
  const float* b;
  float* c;
};

// Runs count products of one shape, splitting the work across two threads when it pays.
void gemmBatch(const GemmItem* items, int64_t count, const GemmShape& shape, const Epilogue& epilogue);

// "BLIS 0.9.0 zen3": the library and the kernel set its runtime detection chose.
const char* gemmLibrary();

}  // namespace dpo
