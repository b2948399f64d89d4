// Kernels that only move 4-byte elements: gather, split and concatenate along an axis.
#pragma once
#include <cstdint>
#include <vector>

namespace dpo {

// x viewed as (outer, axisLength, inner): out (outer, count, inner) = x[:, indices, :].
// Returns false, writing nothing, when an index lies outside [0, axisLength).
bool gatherAxis(const uint32_t* x, const int32_t* indices, uint32_t* out, int64_t outer, int64_t axisLength,
                int64_t inner, int64_t count);

// x viewed as (outer, axisLength, inner), cut along the axis into pieces of the given sizes.
void splitAxis(const uint32_t* x, const std::vector<uint32_t*>& outs, const std::vector<int64_t>& sizes,
               int64_t outer, int64_t axisLength, int64_t inner);

// The inverse of splitAxis: out (outer, sum of sizes, inner) from the pieces in order.
void concatAxis(const std::vector<const uint32_t*>& parts, const std::vector<int64_t>& sizes, uint32_t* out,
                int64_t outer, int64_t inner);

}  // namespace dpo

namespace dpo {

// For every index i of shape: out[sum_d i_d outStrides[d]] = x[sum_d i_d xStrides[d]], with x
// and out already at the first element. Strides may be 0 (broadcast) or negative (reverse).
// Slice, strided slice, pad (into a filled output), tile and broadcast are all this copy.
void stridedCopy(const uint32_t* x, uint32_t* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& xStrides,
                 const std::vector<int64_t>& outStrides);

// out[i] = value for i in [0, n).
void fill4(uint32_t* out, uint32_t value, int64_t n);

}  // namespace dpo
