// Fused kernels of a GPT training step on raw float pointers: LayerNorm, GELU and the
// target log-probabilities of a softmax, each forward and backward, and the Adam(W) and
// RMSprop updates. Each is one pass (or two) over memory where the composed TensorFlow.js
// ops take five to twenty kernels; large work is split across two threads.
#pragma once
#include <cstdint>

namespace dpo {

// y (rows, C) = (x - mean) / sqrt(var + eps) * gain + bias, over each row of x (rows, C).
void layerNormForward(const float* x, const float* gain, const float* bias, float* y, int64_t rows, int64_t C, float eps);

// The gradients of layerNormForward given dy (rows, C): dx (rows, C), dgain (C), dbias (C).
// The row statistics are recomputed from x.
void layerNormBackward(const float* dy, const float* x, const float* gain, float* dx, float* dgain, float* dbias,
                       int64_t rows, int64_t C, float eps);

// GELU, tanh form: y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), over n floats.
void geluForward(const float* x, float* y, int64_t n);

// dx = dy * GELU'(x), over n floats.
void geluBackward(const float* dy, const float* x, float* dx, int64_t n);

// logp (N) = logits[i, targets[i]] - logsumexp(logits[i, :]) over logits (N, V).
// Returns false (nothing written) when a target is outside [0, V).
bool targetLogProbsForward(const float* logits, const int32_t* targets, float* logp, int64_t N, int64_t V);

// dlogits (N, V) = dy[i] * (onehot(targets[i]) - softmax(logits[i, :])), where the row's
// logsumexp is recovered from the forward output as logits[i, targets[i]] - logp[i].
bool targetLogProbsBackward(const float* dy, const float* logits, const int32_t* targets, const float* logp,
                            float* dlogits, int64_t N, int64_t V);

struct AdamStep {
  float lr, beta1, beta2, eps, weightDecay;
  float correction1, correction2;  // 1 - beta1^t, 1 - beta2^t
};

// m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2;
// theta' = theta - lr ((m' / c1) / (sqrt(v' / c2) + eps) + wd theta), over n floats.
void adamUpdate(const float* theta, const float* grad, const float* m, const float* v, float* thetaOut, float* mOut,
                float* vOut, int64_t n, const AdamStep& step);

// v' = rho v + (1 - rho) g^2; theta' = theta - lr g / (sqrt(v') + eps), over n floats.
void rmspropUpdate(const float* theta, const float* grad, const float* v, float* thetaOut, float* vOut, int64_t n,
                   float lr, float rho, float eps);

}  // namespace dpo
