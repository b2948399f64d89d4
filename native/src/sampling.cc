#include "sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#if defined(__AVX2__)
#include <immintrin.h>
// glibc's libmvec: 4-lane AVX2 exp in double precision (within 4 ulp).
extern "C" __m256d _ZGVdN4v_exp(__m256d);
#endif

#include "parallel.h"

namespace dpo {
namespace {

int32_t argmax(const float* row, int64_t V) {
  int64_t best = 0;
  for (int64_t i = 1; i < V; ++i)
    if (row[i] > row[best]) best = i;
  return static_cast<int32_t>(best);
}

// The k ids of the highest logits, highest first, ties to the lower id (one pass).
void topKIds(const float* row, int64_t V, int64_t k, std::vector<int32_t>& ids) {
  ids.clear();
  for (int64_t i = 0; i < V; ++i) {
    const bool full = static_cast<int64_t>(ids.size()) == k;
    if (full && !(row[i] > row[ids[k - 1]])) continue;
    int64_t pos = full ? k - 1 : static_cast<int64_t>(ids.size());
    if (!full) ids.push_back(static_cast<int32_t>(i));
    while (pos > 0 && row[ids[pos - 1]] < row[i]) {
      ids[pos] = ids[pos - 1];
      --pos;
    }
    ids[pos] = static_cast<int32_t>(i);
  }
}

int32_t sampleRow(const float* row, int64_t V, double u, const SamplingSettings& s, std::vector<int32_t>& ids,
                  std::vector<double>& weights) {
  if (s.temperature <= 0) return argmax(row, V);
  const int64_t k = s.topK > 0 ? std::min(s.topK, V) : V;
  const bool all = k == V && s.topP >= 1;
  if (k < V) {
    topKIds(row, V, k, ids);
  } else if (!all) {  // top-p alone: every id, sorted by logit
    ids.resize(V);
    std::iota(ids.begin(), ids.end(), 0);
    std::sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
  }
  const int64_t n = all ? V : static_cast<int64_t>(ids.size());
  auto id = [&](int64_t i) { return all ? static_cast<int32_t>(i) : ids[i]; };
  double max = -INFINITY;
  for (int64_t i = 0; i < n; ++i) max = std::max(max, static_cast<double>(row[id(i)]));
  weights.resize(n);
  for (int64_t i = 0; i < n; ++i) weights[i] = (static_cast<double>(row[id(i)]) - max) / s.temperature;
  int64_t i = 0;
#if defined(__AVX2__)
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(weights.data() + i, _ZGVdN4v_exp(_mm256_loadu_pd(weights.data() + i)));
#endif
  for (; i < n; ++i) weights[i] = std::exp(weights[i]);
  double total = 0;
  for (int64_t j = 0; j < n; ++j) total += weights[j];  // in order, as the TypeScript does
  int64_t kept = n;
  if (s.topP < 1) {  // the smallest prefix whose weight reaches topP of the total
    double cumulative = 0;
    kept = 0;
    while (kept < n && cumulative < s.topP * total) cumulative += weights[kept++];
    kept = std::max<int64_t>(kept, 1);
    total = 0;
    for (int64_t i = 0; i < kept; ++i) total += weights[i];
  }
  double threshold = u * total;
  for (int64_t i = 0; i < kept; ++i) {
    threshold -= weights[i];
    if (threshold < 0) return id(i);
  }
  return id(kept - 1);
}

}  // namespace

void sampleRows(const float* logits, const double* uniforms, int32_t* tokens, int64_t rows, int64_t V, const SamplingSettings& s) {
  auto range = [&](int64_t begin, int64_t end) {
    std::vector<int32_t> ids;
    std::vector<double> weights;
    for (int64_t r = begin; r < end; ++r) tokens[r] = sampleRow(logits + r * V, V, uniforms[r], s, ids, weights);
  };
  splitInTwo(rows, rows * V >= (1 << 14), range);
}

}  // namespace dpo
