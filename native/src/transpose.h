// Permutes the axes of a tensor of 4-byte elements (float32 or int32).
#pragma once
#include <cstdint>
#include <vector>

namespace dpo {

// out = x.transpose(perm); shape is x's shape, perm a permutation of 0..rank-1.
void transpose4(const uint32_t* x, uint32_t* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm);

}  // namespace dpo
