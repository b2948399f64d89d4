// Element-wise kernels on raw float pointers: unary maps, broadcasting binary ops, and
// sums (and means) over a block of axes. Large work is split across two threads.
#pragma once
#include <cstdint>
#include <vector>

namespace dpo {

enum UnaryOp : int { kExp = 0, kTanh = 1 };
enum BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };

void unary(int op, const float* x, float* y, int64_t n);

// out (shape) = a op b, where a and b are read at the given per-axis element strides
// (0 on a broadcast axis). shape, aStrides and bStrides have the same length (>= 1).
void binary(int op, const float* a, const float* b, float* out, const std::vector<int64_t>& shape,
            const std::vector<int64_t>& aStrides, const std::vector<int64_t>& bStrides);

// x viewed as (outer, reduce, inner): out (outer, inner) = scale * sum over the reduce axis.
void sumBlocks(const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner, float scale);

}  // namespace dpo
