// Node-API entry points. Every kernel computes in place on memory JS hands it: each tensor
// argument is a TypedArray over exactly that tensor's memory (see napiArgs.h), checked
// against the elements the kernel touches before any pointer is formed. The same entry
// points serve the wasm backend (views of its heap) and the native-cpu backend (the
// Float32Arrays and Int32Arrays its tensors live in).
#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

#include "copy.h"
#include "cpuFeatures.h"
#include "elementwise.h"
#include "fusedBindings.h"
#include "gemm.h"
#include "napiArgs.h"
#include "transpose.h"

namespace {

using namespace dpo::napi;

// info() -> "BLIS 0.9.0 zen3, avx2 fma"
napi_value Info(napi_env env, napi_callback_info) {
  const std::string text = std::string(dpo::gemmLibrary()) + ", " + dpo::compiledFor();
  napi_value value;
  napi_create_string_utf8(env, text.c_str(), NAPI_AUTO_LENGTH, &value);
  return value;
}

// matMul(a, b, c, offsets Float64Array [a0, b0, c0, a1, ...] in elements, m, n, k, transA, transB,
//        bias (TypedArray of n or 1 floats, or null), activation, leakyAlpha)
napi_value MatMul(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 12);
    const std::vector<double> offsets = args.numbers(3);
    dpo::GemmShape shape{args.integer(4), args.integer(5), args.integer(6), args.boolean(7), args.boolean(8)};
    if (shape.m < 0 || shape.n < 0 || shape.k < 0) throw ArgError{"negative matrix dimension"};
    dpo::Epilogue epilogue;
    if (!args.isNull(9)) {
      epilogue.biasLength = static_cast<int64_t>(args.tensorSpan(9).bytes / sizeof(float));
      if (epilogue.biasLength != shape.n && epilogue.biasLength != 1) throw ArgError{"the bias must hold n or 1 floats"};
      epilogue.bias = args.tensor<const float>(9, epilogue.biasLength);
    }
    epilogue.activation = static_cast<int>(args.integer(10));
    epilogue.leakyAlpha = static_cast<float>(args.number(11));
    if (offsets.size() % 3 != 0) throw ArgError{"offsets must come in (a, b, c) triples"};
    std::vector<dpo::GemmItem> items(offsets.size() / 3);
    for (size_t i = 0; i < items.size(); ++i) {
      items[i].a = args.tensor<const float>(0, shape.m * shape.k, static_cast<int64_t>(offsets[3 * i]));
      items[i].b = args.tensor<const float>(1, shape.k * shape.n, static_cast<int64_t>(offsets[3 * i + 1]));
      items[i].c = args.tensor<float>(2, shape.m * shape.n, static_cast<int64_t>(offsets[3 * i + 2]));
    }
    dpo::gemmBatch(items.data(), items.size(), shape, epilogue);
    return undefinedValue(env);
  });
}

// transpose(x, out, shape Float64Array, perm Float64Array), 4-byte elements
napi_value Transpose(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4);
    const std::vector<double> shapeValues = args.numbers(2), permValues = args.numbers(3);
    std::vector<int64_t> shape(shapeValues.begin(), shapeValues.end()), perm(permValues.begin(), permValues.end());
    if (shape.size() != perm.size()) throw ArgError{"shape and perm differ in length"};
    std::vector<bool> seen(perm.size(), false);
    int64_t size = 1;
    for (size_t i = 0; i < perm.size(); ++i) {
      if (perm[i] < 0 || perm[i] >= static_cast<int64_t>(perm.size()) || seen[perm[i]]) throw ArgError{"perm is not a permutation"};
      seen[perm[i]] = true;
      if (shape[i] < 0) throw ArgError{"negative dimension"};
      size *= shape[i];
    }
    dpo::transpose4(args.tensor<const uint32_t>(0, size), args.tensor<uint32_t>(1, size), shape, perm);
    return undefinedValue(env);
  });
}

// unary(op, x, y, n)
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4);
    const int op = static_cast<int>(args.integer(0));
    const int64_t n = args.integer(3);
    if (op < 0 || op >= dpo::kUnaryOps) throw ArgError{"unknown unary op"};
    dpo::unary(static_cast<dpo::Unary>(op), args.tensor<const float>(1, n), args.tensor<float>(2, n), n);
    return undefinedValue(env);
  });
}

// Elements a strided operand reaches: 1 + sum over axes of (size - 1) * stride.
int64_t reach(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  int64_t last = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] <= 0) return 0;
    if (strides[d] < 0) throw ArgError{"negative stride"};
    last += (shape[d] - 1) * strides[d];
  }
  return last + 1;
}

std::vector<int64_t> integers(const std::vector<double>& values) {
  return std::vector<int64_t>(values.begin(), values.end());
}

// binary(op, a, b, out, shape, aStrides, bStrides)
napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7);
    const int op = static_cast<int>(args.integer(0));
    if (op < 0 || op >= dpo::kBinaryOps) throw ArgError{"unknown binary op"};
    const std::vector<int64_t> shape = integers(args.numbers(4)), sa = integers(args.numbers(5)), sb = integers(args.numbers(6));
    if (shape.empty() || sa.size() != shape.size() || sb.size() != shape.size()) throw ArgError{"shape and strides differ in length"};
    std::vector<int64_t> dense(shape.size(), 1);
    for (size_t d = shape.size() - 1; d-- > 0;) dense[d] = dense[d + 1] * shape[d + 1];
    const int64_t size = reach(shape, dense);
    if (size == 0) return undefinedValue(env);
    dpo::binary(op, args.tensor<const float>(1, reach(shape, sa)), args.tensor<const float>(2, reach(shape, sb)),
                args.tensor<float>(3, size), shape, sa, sb);
    return undefinedValue(env);
  });
}

// sumBlocks(x, out, outer, reduce, inner, scale)
napi_value SumBlocks(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 6);
    const int64_t outer = args.integer(2), reduce = args.integer(3), inner = args.integer(4);
    if (outer < 0 || reduce < 0 || inner < 0) throw ArgError{"negative block size"};
    dpo::sumBlocks(args.tensor<const float>(0, outer * reduce * inner), args.tensor<float>(1, outer * inner), outer, reduce, inner,
                   static_cast<float>(args.number(5)));
    return undefinedValue(env);
  });
}

// maxBlocks(x, out, outer, reduce, inner), reduce >= 1
napi_value MaxBlocks(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 5);
    const int64_t outer = args.integer(2), reduce = args.integer(3), inner = args.integer(4);
    if (outer < 0 || reduce < 1 || inner < 0) throw ArgError{"bad max block size"};
    dpo::maxBlocks(args.tensor<const float>(0, outer * reduce * inner), args.tensor<float>(1, outer * inner), outer, reduce, inner);
    return undefinedValue(env);
  });
}

// gather(x, indices, out, outer, axisLength, inner, count) -> false (nothing written) on a bad index
napi_value Gather(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7);
    const int64_t outer = args.integer(3), axisLength = args.integer(4), inner = args.integer(5), count = args.integer(6);
    if (outer < 0 || axisLength < 0 || inner < 0 || count < 0) throw ArgError{"negative gather size"};
    const bool gathered = dpo::gatherAxis(args.tensor<const uint32_t>(0, outer * axisLength * inner), args.tensor<const int32_t>(1, count),
                                          args.tensor<uint32_t>(2, outer * count * inner), outer, axisLength, inner, count);
    return booleanValue(env, gathered);
  });
}

// split(x, outs Array, sizes Float64Array, outer, axisLength, inner)
napi_value Split(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 6);
    const std::vector<Span> spans = args.tensors(1);
    const std::vector<int64_t> sizes = integers(args.numbers(2));
    const int64_t outer = args.integer(3), axisLength = args.integer(4), inner = args.integer(5);
    if (spans.size() != sizes.size()) throw ArgError{"one size per output"};
    if (outer < 0 || inner < 0) throw ArgError{"negative split size"};
    int64_t total = 0;
    std::vector<uint32_t*> outs;
    for (size_t p = 0; p < sizes.size(); ++p) {
      if (sizes[p] < 0) throw ArgError{"negative split size"};
      total += sizes[p];
      outs.push_back(elements<uint32_t>(spans[p], outer * sizes[p] * inner, 0, "output " + std::to_string(p)));
    }
    if (total != axisLength) throw ArgError{"split sizes do not add up to the axis"};
    dpo::splitAxis(args.tensor<const uint32_t>(0, outer * axisLength * inner), outs, sizes, outer, axisLength, inner);
    return undefinedValue(env);
  });
}

// concat(parts Array, sizes Float64Array, out, outer, inner)
napi_value Concat(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 5);
    const std::vector<Span> spans = args.tensors(0);
    const std::vector<int64_t> sizes = integers(args.numbers(1));
    const int64_t outer = args.integer(3), inner = args.integer(4);
    if (spans.size() != sizes.size()) throw ArgError{"one size per part"};
    if (outer < 0 || inner < 0) throw ArgError{"negative concat size"};
    std::vector<const uint32_t*> parts;
    int64_t total = 0;
    for (size_t p = 0; p < sizes.size(); ++p) {
      if (sizes[p] < 0) throw ArgError{"negative part size"};
      total += sizes[p];
      parts.push_back(elements<const uint32_t>(spans[p], outer * sizes[p] * inner, 0, "part " + std::to_string(p)));
    }
    dpo::concatAxis(parts, sizes, args.tensor<uint32_t>(2, outer * total * inner), outer, inner);
    return undefinedValue(env);
  });
}

// addN(parts Array, out, n)
napi_value AddN(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 3);
    const int64_t n = args.integer(2);
    std::vector<const float*> parts;
    const std::vector<Span> spans = args.tensors(0);
    for (size_t p = 0; p < spans.size(); ++p) parts.push_back(elements<const float>(spans[p], n, 0, "part " + std::to_string(p)));
    dpo::addN(parts, args.tensor<float>(1, n), n);
    return undefinedValue(env);
  });
}

// segmentSum(x, ids, out, rows, inner, numSegments)
napi_value SegmentSum(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 6);
    const int64_t rows = args.integer(3), inner = args.integer(4), numSegments = args.integer(5);
    if (rows < 0 || inner < 0 || numSegments < 0) throw ArgError{"negative segment sum size"};
    dpo::segmentSum(args.tensor<const float>(0, rows * inner), args.tensor<const int32_t>(1, rows), args.tensor<float>(2, numSegments * inner),
                    rows, inner, numSegments);
    return undefinedValue(env);
  });
}

// The elements from `offset` a strided walk over shape reaches: [first, last], checked to start at 0 or after.
struct Reach {
  int64_t first, last;
};

Reach stridedReach(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides, int64_t offset) {
  Reach r{offset, offset};
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0) throw ArgError{"negative dimension"};
    if (strides[d] < 0) r.first += (shape[d] - 1) * strides[d];
    else r.last += (shape[d] - 1) * strides[d];
  }
  if (r.first < 0) throw ArgError{"a strided copy reaches before its tensor"};
  return r;
}

// stridedCopy(x, out, shape, xStrides, xOffset, outStrides, outOffset), 4-byte elements
napi_value StridedCopy(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7);
    const std::vector<int64_t> shape = integers(args.numbers(2)), xs = integers(args.numbers(3)), os = integers(args.numbers(5));
    if (xs.size() != shape.size() || os.size() != shape.size()) throw ArgError{"shape and strides differ in length"};
    for (int64_t d : shape) if (d <= 0) return undefinedValue(env);
    const Reach x = stridedReach(shape, xs, args.integer(4)), out = stridedReach(shape, os, args.integer(6));
    const uint32_t* from = args.tensor<const uint32_t>(0, x.last - x.first + 1, x.first) + (args.integer(4) - x.first);
    uint32_t* to = args.tensor<uint32_t>(1, out.last - out.first + 1, out.first) + (args.integer(6) - out.first);
    dpo::stridedCopy(from, to, shape, xs, os);
    return undefinedValue(env);
  });
}

// fill(out, bits (the element's 32 bits as an unsigned number), n)
napi_value Fill(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 3);
    const int64_t n = args.integer(2);
    dpo::fill4(args.tensor<uint32_t>(0, n), static_cast<uint32_t>(args.number(1)), n);
    return undefinedValue(env);
  });
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor properties[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matMul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gather", nullptr, Gather, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"split", nullptr, Split, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"concat", nullptr, Concat, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumBlocks", nullptr, SumBlocks, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxBlocks", nullptr, MaxBlocks, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addN", nullptr, AddN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"segmentSum", nullptr, SegmentSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stridedCopy", nullptr, StridedCopy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fill", nullptr, Fill, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  dpo::defineFusedBindings(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
