// Node-API entry points. Every kernel computes in place on the TensorFlow.js wasm heap:
// JS passes a Uint8Array view of the whole heap and byte offsets into it, and each
// offset range is checked against the heap before any pointer is formed.
#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

#include "copy.h"
#include "elementwise.h"
#include "fusedBindings.h"
#include "gemm.h"
#include "napiArgs.h"
#include "transpose.h"

namespace {

using namespace dpo::napi;

// info() -> "BLIS 0.9.0 zen3"
napi_value Info(napi_env env, napi_callback_info) {
  napi_value value;
  napi_create_string_utf8(env, dpo::gemmLibrary(), NAPI_AUTO_LENGTH, &value);
  return value;
}

// matMul(heap, offsets [a0, b0, c0, a1, ...] bytes, m, n, k, transA, transB,
//        biasOffset (-1: none), biasLength, activation, leakyAlpha)
napi_value MatMul(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 11);
    size_t heapLength;
    uint8_t* heap = args.heap(0, &heapLength);
    const std::vector<double> offsets = args.numbers(1);
    dpo::GemmShape shape{args.integer(2), args.integer(3), args.integer(4), args.boolean(5), args.boolean(6)};
    dpo::Epilogue epilogue;
    const double biasOffset = args.number(7);
    epilogue.biasLength = args.integer(8);
    epilogue.activation = static_cast<int>(args.integer(9));
    epilogue.leakyAlpha = static_cast<float>(args.number(10));
    if (biasOffset >= 0) epilogue.bias = at<const float>(heap, heapLength, biasOffset, epilogue.biasLength);
    if (offsets.size() % 3 != 0) throw ArgError{"offsets must come in (a, b, c) triples"};
    std::vector<dpo::GemmItem> items(offsets.size() / 3);
    for (size_t i = 0; i < items.size(); ++i) {
      items[i].a = at<const float>(heap, heapLength, offsets[3 * i], shape.m * shape.k);
      items[i].b = at<const float>(heap, heapLength, offsets[3 * i + 1], shape.k * shape.n);
      items[i].c = at<float>(heap, heapLength, offsets[3 * i + 2], shape.m * shape.n);
    }
    dpo::gemmBatch(items.data(), items.size(), shape, epilogue);
    return undefinedValue(env);
  });
}

// transpose(heap, xOffset, outOffset, shape Float64Array, perm Float64Array), 4-byte elements
napi_value Transpose(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 5);
    size_t heapLength;
    uint8_t* heap = args.heap(0, &heapLength);
    const std::vector<double> shapeValues = args.numbers(3), permValues = args.numbers(4);
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
    const uint32_t* x = at<const uint32_t>(heap, heapLength, args.number(1), size);
    uint32_t* out = at<uint32_t>(heap, heapLength, args.number(2), size);
    dpo::transpose4(x, out, shape, perm);
    return undefinedValue(env);
  });
}

// unary(heap, op, xOffset, yOffset, n)
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 5);
    size_t heapLength;
    uint8_t* heap = args.heap(0, &heapLength);
    const int op = static_cast<int>(args.integer(1));
    const int64_t n = args.integer(4);
    if (op != dpo::kExp && op != dpo::kTanh) throw ArgError{"unknown unary op"};
    dpo::unary(op, at<const float>(heap, heapLength, args.number(2), n), at<float>(heap, heapLength, args.number(3), n), n);
    return undefinedValue(env);
  });
}

// Elements a strided operand reaches: 1 + sum over axes of (size - 1) * stride.
int64_t reach(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  int64_t last = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return 0;
    if (strides[d] < 0) throw ArgError{"negative stride"};
    last += (shape[d] - 1) * strides[d];
  }
  return last + 1;
}

std::vector<int64_t> integers(const std::vector<double>& values) {
  return std::vector<int64_t>(values.begin(), values.end());
}

// binary(heap, op, aOffset, bOffset, outOffset, shape, aStrides, bStrides)
napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 8);
    size_t heapLength;
    uint8_t* heap = args.heap(0, &heapLength);
    const int op = static_cast<int>(args.integer(1));
    if (op < dpo::kAdd || op > dpo::kDiv) throw ArgError{"unknown binary op"};
    const std::vector<int64_t> shape = integers(args.numbers(5)), sa = integers(args.numbers(6)), sb = integers(args.numbers(7));
    if (shape.empty() || sa.size() != shape.size() || sb.size() != shape.size()) throw ArgError{"shape and strides differ in length"};
    std::vector<int64_t> dense(shape.size(), 1);
    for (size_t d = shape.size() - 1; d-- > 0;) dense[d] = dense[d + 1] * shape[d + 1];
    const int64_t size = reach(shape, dense);
    if (size == 0) return undefinedValue(env);
    const float* a = at<const float>(heap, heapLength, args.number(2), reach(shape, sa));
    const float* b = at<const float>(heap, heapLength, args.number(3), reach(shape, sb));
    float* out = at<float>(heap, heapLength, args.number(4), size);
    dpo::binary(op, a, b, out, shape, sa, sb);
    return undefinedValue(env);
  });
}

// sumBlocks(heap, xOffset, outOffset, outer, reduce, inner, scale)
napi_value SumBlocks(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7);
    size_t heapLength;
    uint8_t* heap = args.heap(0, &heapLength);
    const int64_t outer = args.integer(3), reduce = args.integer(4), inner = args.integer(5);
    const float* x = at<const float>(heap, heapLength, args.number(1), outer * reduce * inner);
    float* out = at<float>(heap, heapLength, args.number(2), outer * inner);
    dpo::sumBlocks(x, out, outer, reduce, inner, static_cast<float>(args.number(6)));
    return undefinedValue(env);
  });
}

// gather(heap, xOffset, indicesOffset, outOffset, outer, axisLength, inner, count) -> false on a bad index
napi_value Gather(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 8);
    size_t heapLength;
    uint8_t* heap = args.heap(0, &heapLength);
    const int64_t outer = args.integer(4), axisLength = args.integer(5), inner = args.integer(6), count = args.integer(7);
    const uint32_t* x = at<const uint32_t>(heap, heapLength, args.number(1), outer * axisLength * inner);
    const int32_t* indices = at<const int32_t>(heap, heapLength, args.number(2), count);
    uint32_t* out = at<uint32_t>(heap, heapLength, args.number(3), outer * count * inner);
    napi_value result;
    napi_get_boolean(env, dpo::gatherAxis(x, indices, out, outer, axisLength, inner, count), &result);
    return result;
  });
}

// split(heap, xOffset, outOffsets Float64Array, sizes Float64Array, outer, axisLength, inner)
napi_value Split(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7);
    size_t heapLength;
    uint8_t* heap = args.heap(0, &heapLength);
    const std::vector<double> offsets = args.numbers(2), sizeValues = args.numbers(3);
    const int64_t outer = args.integer(4), axisLength = args.integer(5), inner = args.integer(6);
    if (offsets.size() != sizeValues.size()) throw ArgError{"one size per output"};
    std::vector<int64_t> sizes(sizeValues.begin(), sizeValues.end());
    int64_t total = 0;
    std::vector<uint32_t*> outs;
    for (size_t p = 0; p < sizes.size(); ++p) {
      if (sizes[p] < 0) throw ArgError{"negative split size"};
      total += sizes[p];
      outs.push_back(at<uint32_t>(heap, heapLength, offsets[p], outer * sizes[p] * inner));
    }
    if (total != axisLength) throw ArgError{"split sizes do not add up to the axis"};
    dpo::splitAxis(at<const uint32_t>(heap, heapLength, args.number(1), outer * axisLength * inner), outs, sizes, outer, axisLength, inner);
    return undefinedValue(env);
  });
}

// concat(heap, partOffsets Float64Array, sizes Float64Array, outOffset, outer, inner)
napi_value Concat(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 6);
    size_t heapLength;
    uint8_t* heap = args.heap(0, &heapLength);
    const std::vector<double> offsets = args.numbers(1), sizeValues = args.numbers(2);
    const int64_t outer = args.integer(4), inner = args.integer(5);
    if (offsets.size() != sizeValues.size()) throw ArgError{"one size per part"};
    std::vector<int64_t> sizes(sizeValues.begin(), sizeValues.end());
    std::vector<const uint32_t*> parts;
    int64_t total = 0;
    for (size_t p = 0; p < sizes.size(); ++p) {
      if (sizes[p] < 0) throw ArgError{"negative part size"};
      total += sizes[p];
      parts.push_back(at<const uint32_t>(heap, heapLength, offsets[p], outer * sizes[p] * inner));
    }
    dpo::concatAxis(parts, sizes, at<uint32_t>(heap, heapLength, args.number(3), outer * total * inner), outer, inner);
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
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  dpo::defineFusedBindings(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
