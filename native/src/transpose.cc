#include "transpose.h"

#include <algorithm>
#include <cstring>

namespace dpo {
namespace {

constexpr int64_t kTile = 16;

// The same permutation on fewer axes: size-1 axes dropped, and input axes that stay
// neighbours in the output merged into one.
void simplify(const std::vector<int64_t>& shape, const std::vector<int64_t>& perm,
              std::vector<int64_t>& outShape, std::vector<int64_t>& outPerm) {
  const int64_t rank = shape.size();
  std::vector<int64_t> newIndex(rank, -1);  // input axis -> index among kept axes
  int64_t kept = 0;
  for (int64_t i = 0; i < rank; ++i) if (shape[i] != 1) newIndex[i] = kept++;
  std::vector<int64_t> keptShape, keptPerm;
  for (int64_t i = 0; i < rank; ++i) if (shape[i] != 1) keptShape.push_back(shape[i]);
  for (int64_t i = 0; i < rank; ++i) if (newIndex[perm[i]] >= 0) keptPerm.push_back(newIndex[perm[i]]);
  // Groups of output axes whose input axes are consecutive.
  std::vector<std::vector<int64_t>> groups;
  for (int64_t axis : keptPerm) {
    if (!groups.empty() && groups.back().back() + 1 == axis) groups.back().push_back(axis);
    else groups.push_back({axis});
  }
  // Merged input axes in input order; each output group maps to one of them.
  std::vector<int64_t> order(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) order[g] = g;
  std::sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return groups[x][0] < groups[y][0]; });
  std::vector<int64_t> groupToInput(groups.size());
  outShape.assign(groups.size(), 1);
  for (size_t i = 0; i < order.size(); ++i) {
    groupToInput[order[i]] = i;
    for (int64_t axis : groups[order[i]]) outShape[i] *= keptShape[axis];
  }
  outPerm.resize(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) outPerm[g] = groupToInput[g];
}

// Visits every index over the given axes (row-major), calling visit(inOffset, outOffset).
template <typename Visit>
void odometer(const std::vector<int64_t>& counts, const std::vector<int64_t>& inStrides,
              const std::vector<int64_t>& outStrides, Visit visit) {
  const size_t n = counts.size();
  for (int64_t c : counts) if (c == 0) return;
  std::vector<int64_t> index(n, 0);
  int64_t in = 0, out = 0;
  for (;;) {
    visit(in, out);
    size_t d = n;
    while (d > 0) {
      --d;
      if (++index[d] < counts[d]) { in += inStrides[d]; out += outStrides[d]; break; }
      in -= inStrides[d] * (counts[d] - 1);
      out -= outStrides[d] * (counts[d] - 1);
      index[d] = 0;
      if (d == 0) return;
    }
    if (n == 0) return;
  }
}

}  // namespace

void transpose4(const uint32_t* x, uint32_t* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm) {
  int64_t size = 1;
  for (int64_t d : shape) size *= d;
  if (size == 0) return;
  std::vector<int64_t> s, p;
  simplify(shape, perm, s, p);
  const int64_t rank = s.size();
  if (rank <= 1) {
    std::memcpy(out, x, size * sizeof(uint32_t));
    return;
  }
  std::vector<int64_t> inStride(rank), outShape(rank), outStride(rank);
  inStride[rank - 1] = 1;
  for (int64_t i = rank - 2; i >= 0; --i) inStride[i] = inStride[i + 1] * s[i + 1];
  for (int64_t i = 0; i < rank; ++i) outShape[i] = s[p[i]];
  outStride[rank - 1] = 1;
  for (int64_t i = rank - 2; i >= 0; --i) outStride[i] = outStride[i + 1] * outShape[i + 1];

  if (p[rank - 1] == rank - 1) {  // the last axis stays last: copy whole rows
    const int64_t run = s[rank - 1];
    std::vector<int64_t> counts(outShape.begin(), outShape.end() - 1), inS, outS(outStride.begin(), outStride.end() - 1);
    for (int64_t i = 0; i < rank - 1; ++i) inS.push_back(inStride[p[i]]);
    odometer(counts, inS, outS, [&](int64_t inBase, int64_t outBase) {
      std::memcpy(out + outBase, x + inBase, run * sizeof(uint32_t));
    });
    return;
  }
  // The output axis that reads the input's contiguous axis, and the output's last axis,
  // are walked in tiles; every other output axis by the odometer.
  int64_t j = 0;
  while (p[j] != rank - 1) ++j;
  const int64_t rows = outShape[j], cols = outShape[rank - 1];
  const int64_t colInStride = inStride[p[rank - 1]], rowOutStride = outStride[j];
  std::vector<int64_t> counts, inS, outS;
  for (int64_t i = 0; i < rank - 1; ++i) {
    if (i == j) continue;
    counts.push_back(outShape[i]);
    inS.push_back(inStride[p[i]]);
    outS.push_back(outStride[i]);
  }
  odometer(counts, inS, outS, [&](int64_t inBase, int64_t outBase) {
    const uint32_t* src = x + inBase;
    uint32_t* dst = out + outBase;
    for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
      const int64_t r1 = std::min(rows, r0 + kTile);
      for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
        const int64_t c1 = std::min(cols, c0 + kTile);
        for (int64_t r = r0; r < r1; ++r) {
          uint32_t* d = dst + r * rowOutStride;
          const uint32_t* sp = src + r;
          for (int64_t c = c0; c < c1; ++c) d[c] = sp[c * colInStride];
        }
      }
    }
  });
}

}  // namespace dpo
