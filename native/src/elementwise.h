// Element-wise kernels on raw float pointers: unary maps, broadcasting binary ops, and
// sums (and means) over a block of axes. Large work is split across two threads.
#pragma once
#include <cstdint>
#include <vector>

namespace dpo {

// The unary maps, as TensorFlow.js's cpu kernels define them (NaN in, NaN out).
enum class Unary : int {
  Exp = 0, Tanh = 1, Square = 2, Neg = 3, Log = 4, Sqrt = 5, Rsqrt = 6, Sigmoid = 7, Softplus = 8, Abs = 9, Relu = 10,
  Log1p = 11, Reciprocal = 12,
};
constexpr int kUnaryOps = 13;
// Maximum and Minimum give NaN where either operand is NaN.
enum BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kMax = 4, kMin = 5, kBinaryOps = 6 };

void unary(Unary op, const float* x, float* y, int64_t n);

// out[i] = sum over the parts of part[i], added in the parts' order, over n floats.
void addN(const std::vector<const float*>& parts, float* out, int64_t n);

// out (numSegments, inner) = for each segment s, the sum of the rows i of x (rows, inner)
// with ids[i] == s, in row order; rows whose id is outside [0, numSegments) are dropped.
void segmentSum(const float* x, const int32_t* ids, float* out, int64_t rows, int64_t inner, int64_t numSegments);

// out (shape) = a op b, where a and b are read at the given per-axis element strides
// (0 on a broadcast axis). shape, aStrides and bStrides have the same length (>= 1).
void binary(int op, const float* a, const float* b, float* out, const std::vector<int64_t>& shape,
            const std::vector<int64_t>& aStrides, const std::vector<int64_t>& bStrides);

// x viewed as (outer, reduce, inner): out (outer, inner) = scale * sum over the reduce axis.
void sumBlocks(const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner, float scale);

// x viewed as (outer, reduce, inner), reduce >= 1: out (outer, inner) = the largest value over
// the reduce axis, NaN where one is NaN (as TensorFlow.js's cpu Max).
void maxBlocks(const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner);

}  // namespace dpo
