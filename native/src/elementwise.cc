#include "elementwise.h"

#include <algorithm>
#include <cmath>


#include "parallel.h"
#include "vectorMath.h"

namespace dpo {
namespace {

// Element counts from which a second thread pays: transcendental maps are compute-bound,
// simple arithmetic is memory-bound.
constexpr int64_t kSplitTranscendental = 1 << 14;
constexpr int64_t kSplitArithmetic = 1 << 18;


template <typename Op>
void binaryRow(Op op, const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = op(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = op(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = op(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = op(a[i * sa], b[i * sb]);
  }
}

template <typename Op>
void binaryOp(Op op, const float* a, const float* b, float* out, const std::vector<int64_t>& shape,
              const std::vector<int64_t>& sa, const std::vector<int64_t>& sb) {
  const size_t rank = shape.size();
  const int64_t inner = shape[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; ++d) rows *= shape[d];
  if (rows == 0 || inner == 0) return;
  if (rows == 1) {  // one long row (same-shape operands merge into one): split it
    splitInTwo(inner, inner >= kSplitArithmetic, [&](int64_t begin, int64_t end) {
      binaryRow(op, a + begin * sa[rank - 1], sa[rank - 1], b + begin * sb[rank - 1], sb[rank - 1], out + begin, end - begin);
    }, 8);
    return;
  }
  splitInTwo(rows, rows >= std::max<int64_t>(1, kSplitArithmetic / inner), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t rest = row, offA = 0, offB = 0;
      for (size_t d = rank - 1; d-- > 0;) {
        const int64_t index = rest % shape[d];
        rest /= shape[d];
        offA += index * sa[d];
        offB += index * sb[d];
      }
      binaryRow(op, a + offA, sa[rank - 1], b + offB, sb[rank - 1], out + row * inner, inner);
    }
  }, 8);
}

}  // namespace

namespace {

// softplus as TensorFlow.js's cpu kernel computes it: exp(x) far below 0, x far above, log1p(exp(x)) between.
constexpr float kSoftplusThreshold = -13.942385152878742f;  // log(float32 epsilon) + 2

// y = op(x) over one span; transcendental maps a block at a time through the vector helpers.
void unarySpan(Unary op, const float* x, float* y, int64_t n) {
  switch (op) {
    case Unary::Exp: return expSpan(x, y, n);
    case Unary::Tanh: return tanhSpan(x, y, n);
    case Unary::Log: return logSpan(x, y, n);
    case Unary::Log1p: return log1pSpan(x, y, n);
    case Unary::Square: for (int64_t i = 0; i < n; ++i) y[i] = x[i] * x[i]; return;
    case Unary::Neg: for (int64_t i = 0; i < n; ++i) y[i] = -x[i]; return;
    case Unary::Sqrt: for (int64_t i = 0; i < n; ++i) y[i] = std::sqrt(x[i]); return;
    case Unary::Rsqrt: for (int64_t i = 0; i < n; ++i) y[i] = 1.f / std::sqrt(x[i]); return;
    case Unary::Reciprocal: for (int64_t i = 0; i < n; ++i) y[i] = 1.f / x[i]; return;
    case Unary::Abs: for (int64_t i = 0; i < n; ++i) y[i] = std::fabs(x[i]); return;
    case Unary::Relu: for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0.f ? 0.f : x[i]; return;
    default: break;
  }
  float block[256];
  for (int64_t start = 0; start < n; start += 256) {
    const int64_t count = std::min<int64_t>(256, n - start);
    const float* in = x + start;
    float* out = y + start;
    if (op == Unary::Sigmoid) {  // 1 / (1 + exp(-x))
      for (int64_t i = 0; i < count; ++i) block[i] = -in[i];
      expSpan(block, block, count);
      for (int64_t i = 0; i < count; ++i) out[i] = 1.f / (1.f + block[i]);
    } else {  // Unary::Softplus
      expSpan(in, block, count);
      float e[256];
      std::copy(block, block + count, e);
      log1pSpan(block, block, count);
      for (int64_t i = 0; i < count; ++i) {
        out[i] = in[i] < kSoftplusThreshold ? e[i] : in[i] > -kSoftplusThreshold ? in[i] : block[i];
      }
    }
  }
}

bool transcendental(Unary op) { return op == Unary::Exp || op == Unary::Tanh || op == Unary::Log || op == Unary::Log1p || op == Unary::Sigmoid || op == Unary::Softplus; }

}  // namespace

void unary(Unary op, const float* x, float* y, int64_t n) {
  const int64_t split = transcendental(op) ? kSplitTranscendental : kSplitArithmetic;
  splitInTwo(n, n >= split, [&](int64_t begin, int64_t end) { unarySpan(op, x + begin, y + begin, end - begin); }, 8);
}

void addN(const std::vector<const float*>& parts, float* out, int64_t n) {
  splitInTwo(n, n >= kSplitArithmetic, [&](int64_t begin, int64_t end) {
    if (parts.empty()) {
      std::fill(out + begin, out + end, 0.f);
      return;
    }
    std::copy(parts[0] + begin, parts[0] + end, out + begin);
    for (size_t p = 1; p < parts.size(); ++p) {
      const float* part = parts[p];
      for (int64_t i = begin; i < end; ++i) out[i] += part[i];
    }
  }, 8);
}

void segmentSum(const float* x, const int32_t* ids, float* out, int64_t rows, int64_t inner, int64_t numSegments) {
  // Columns split between the threads: each adds whole rows' halves, in row order, without races.
  splitInTwo(inner, rows * inner >= kSplitArithmetic && inner >= 16, [&](int64_t begin, int64_t end) {
    for (int64_t s = 0; s < numSegments; ++s) std::fill(out + s * inner + begin, out + s * inner + end, 0.f);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t s = ids[r];
      if (s < 0 || s >= numSegments) continue;
      const float* row = x + r * inner;
      float* acc = out + s * inner;
      for (int64_t i = begin; i < end; ++i) acc[i] += row[i];
    }
  }, 8);
}

void binary(int op, const float* a, const float* b, float* out, const std::vector<int64_t>& shape,
            const std::vector<int64_t>& sa, const std::vector<int64_t>& sb) {
  switch (op) {
    case kAdd: return binaryOp([](float x, float y) { return x + y; }, a, b, out, shape, sa, sb);
    case kSub: return binaryOp([](float x, float y) { return x - y; }, a, b, out, shape, sa, sb);
    case kMul: return binaryOp([](float x, float y) { return x * y; }, a, b, out, shape, sa, sb);
    case kDiv: return binaryOp([](float x, float y) { return x / y; }, a, b, out, shape, sa, sb);
    case kMax: return binaryOp([](float x, float y) { return x != x || y != y ? NAN : x > y ? x : y; }, a, b, out, shape, sa, sb);
    default: return binaryOp([](float x, float y) { return x != x || y != y ? NAN : x < y ? x : y; }, a, b, out, shape, sa, sb);
  }
}

void sumBlocks(const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner, float scale) {
  if (inner == 1) {
    splitInTwo(outer, outer >= std::max<int64_t>(1, kSplitArithmetic / std::max<int64_t>(reduce, 1)), [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) out[o] = sum8(x + o * reduce, reduce) * scale;
    }, 8);
    return;
  }
  // Sums of rows: accumulate whole rows of `inner` into the output, a vectorisable loop.
  auto columns = [&](int64_t o, int64_t begin, int64_t end) {
    float* acc = out + o * inner;
    std::fill(acc + begin, acc + end, 0.f);
    for (int64_t r = 0; r < reduce; ++r) {
      const float* row = x + (o * reduce + r) * inner;
      for (int64_t i = begin; i < end; ++i) acc[i] += row[i];
    }
    if (scale != 1.f) for (int64_t i = begin; i < end; ++i) acc[i] *= scale;
  };
  const int64_t work = outer * reduce * inner;
  if (outer == 1) {
    splitInTwo(inner, work >= kSplitArithmetic && inner >= 16, [&](int64_t begin, int64_t end) { columns(0, begin, end); }, 8);
  } else {
    splitInTwo(outer, work >= kSplitArithmetic, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) columns(o, 0, inner);
    }, 8);
  }
}

void maxBlocks(const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner) {
  auto larger = [](float m, float v) { return v != v || v > m ? v : m; };  // NaN wins, and stays
  if (inner == 1) {
    splitInTwo(outer, outer * reduce >= kSplitArithmetic, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        const float* row = x + o * reduce;
        float m = row[0];
        for (int64_t r = 1; r < reduce; ++r) m = larger(m, row[r]);
        out[o] = m;
      }
    });
    return;
  }
  splitInTwo(outer, outer * reduce * inner >= kSplitArithmetic, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      float* acc = out + o * inner;
      std::copy(x + o * reduce * inner, x + o * reduce * inner + inner, acc);
      for (int64_t r = 1; r < reduce; ++r) {
        const float* row = x + (o * reduce + r) * inner;
        for (int64_t i = 0; i < inner; ++i) acc[i] = larger(acc[i], row[i]);
      }
    }
  });
}

}  // namespace dpo
