#include "copy.h"

#include <cstring>

namespace dpo {

bool gatherAxis(const uint32_t* x, const int32_t* indices, uint32_t* out, int64_t outer, int64_t axisLength,
                int64_t inner, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    if (indices[i] < 0 || indices[i] >= axisLength) return false;
  }
  const size_t rowBytes = inner * sizeof(uint32_t);
  for (int64_t o = 0; o < outer; ++o) {
    const uint32_t* source = x + o * axisLength * inner;
    uint32_t* target = out + o * count * inner;
    for (int64_t i = 0; i < count; ++i) std::memcpy(target + i * inner, source + indices[i] * inner, rowBytes);
  }
  return true;
}

void splitAxis(const uint32_t* x, const std::vector<uint32_t*>& outs, const std::vector<int64_t>& sizes,
               int64_t outer, int64_t axisLength, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    const uint32_t* source = x + o * axisLength * inner;
    for (size_t p = 0; p < outs.size(); ++p) {
      const int64_t length = sizes[p] * inner;
      std::memcpy(outs[p] + o * length, source, length * sizeof(uint32_t));
      source += length;
    }
  }
}

void concatAxis(const std::vector<const uint32_t*>& parts, const std::vector<int64_t>& sizes, uint32_t* out,
                int64_t outer, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t p = 0; p < parts.size(); ++p) {
      const int64_t length = sizes[p] * inner;
      std::memcpy(out, parts[p] + o * length, length * sizeof(uint32_t));
      out += length;
    }
  }
}

}  // namespace dpo
