#include "copy.h"

#include <algorithm>
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

namespace dpo {
namespace {

// The same copy on fewer axes: size-1 axes dropped, and neighbouring axes merged where
// both operands step over them as one.
void simplify(std::vector<int64_t>& shape, std::vector<int64_t>& xs, std::vector<int64_t>& os) {
  std::vector<int64_t> s, a, b;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!s.empty() && a.back() == xs[d] * shape[d] && b.back() == os[d] * shape[d]) {
      s.back() *= shape[d];
      a.back() = xs[d];
      b.back() = os[d];
    } else {
      s.push_back(shape[d]);
      a.push_back(xs[d]);
      b.push_back(os[d]);
    }
  }
  shape.swap(s);
  xs.swap(a);
  os.swap(b);
}

}  // namespace

void stridedCopy(const uint32_t* x, uint32_t* out, const std::vector<int64_t>& shapeIn, const std::vector<int64_t>& xStridesIn,
                 const std::vector<int64_t>& outStridesIn) {
  for (int64_t d : shapeIn) if (d == 0) return;
  std::vector<int64_t> shape = shapeIn, xs = xStridesIn, os = outStridesIn;
  simplify(shape, xs, os);
  if (shape.empty()) {
    out[0] = x[0];
    return;
  }
  const size_t rank = shape.size();
  const int64_t inner = shape[rank - 1], xStep = xs[rank - 1], oStep = os[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; ++d) rows *= shape[d];
  std::vector<int64_t> index(rank, 0);
  int64_t xAt = 0, oAt = 0;
  for (int64_t row = 0; row < rows; ++row) {
    const uint32_t* from = x + xAt;
    uint32_t* to = out + oAt;
    if (xStep == 1 && oStep == 1) {
      std::memcpy(to, from, inner * sizeof(uint32_t));
    } else if (xStep == 0 && oStep == 1) {
      std::fill_n(to, inner, from[0]);  // a broadcast row
    } else {
      for (int64_t i = 0; i < inner; ++i) to[i * oStep] = from[i * xStep];
    }
    // Next row: an odometer over the outer axes.
    for (size_t d = rank - 1; d-- > 0;) {
      if (++index[d] < shape[d]) {
        xAt += xs[d];
        oAt += os[d];
        break;
      }
      xAt -= xs[d] * (shape[d] - 1);
      oAt -= os[d] * (shape[d] - 1);
      index[d] = 0;
    }
  }
}

void fill4(uint32_t* out, uint32_t value, int64_t n) { std::fill_n(out, n, value); }

}  // namespace dpo
