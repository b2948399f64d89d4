#include "fusedBindings.h"

#include "attention.h"
#include "decode.h"
#include "fused.h"
#include "sampling.h"
#include "napiArgs.h"

namespace dpo {
namespace {

using namespace dpo::napi;

napi_value boolean(napi_env env, bool value) {
  napi_value result;
  napi_get_boolean(env, value, &result);
  return result;
}

// layerNorm(heap, xOffset, gainOffset, biasOffset, yOffset, rows, C, eps)
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 8);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const int64_t rows = args.integer(5), C = args.integer(6);
    layerNormForward(at<const float>(heap, length, args.number(1), rows * C), at<const float>(heap, length, args.number(2), C),
                     at<const float>(heap, length, args.number(3), C), at<float>(heap, length, args.number(4), rows * C), rows, C,
                     static_cast<float>(args.number(7)));
    return undefinedValue(env);
  });
}

// layerNormGrad(heap, dyOffset, xOffset, gainOffset, dxOffset, dgainOffset, dbiasOffset, rows, C, eps)
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 10);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const int64_t rows = args.integer(7), C = args.integer(8);
    layerNormBackward(at<const float>(heap, length, args.number(1), rows * C), at<const float>(heap, length, args.number(2), rows * C),
                      at<const float>(heap, length, args.number(3), C), at<float>(heap, length, args.number(4), rows * C),
                      at<float>(heap, length, args.number(5), C), at<float>(heap, length, args.number(6), C), rows, C,
                      static_cast<float>(args.number(9)));
    return undefinedValue(env);
  });
}

// gelu(heap, xOffset, yOffset, n)
napi_value Gelu(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const int64_t n = args.integer(3);
    geluForward(at<const float>(heap, length, args.number(1), n), at<float>(heap, length, args.number(2), n), n);
    return undefinedValue(env);
  });
}

// geluGrad(heap, dyOffset, xOffset, dxOffset, n)
napi_value GeluGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 5);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const int64_t n = args.integer(4);
    geluBackward(at<const float>(heap, length, args.number(1), n), at<const float>(heap, length, args.number(2), n),
                 at<float>(heap, length, args.number(3), n), n);
    return undefinedValue(env);
  });
}

// targetLogProbs(heap, logitsOffset, targetsOffset, logpOffset, N, V) -> false on a target outside [0, V)
napi_value TargetLogProbs(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 6);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const int64_t N = args.integer(4), V = args.integer(5);
    return boolean(env, targetLogProbsForward(at<const float>(heap, length, args.number(1), N * V),
                                              at<const int32_t>(heap, length, args.number(2), N),
                                              at<float>(heap, length, args.number(3), N), N, V));
  });
}

// targetLogProbsGrad(heap, dyOffset, logitsOffset, targetsOffset, logpOffset, dlogitsOffset, N, V) -> false on a bad target
napi_value TargetLogProbsGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 8);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const int64_t N = args.integer(6), V = args.integer(7);
    return boolean(env, targetLogProbsBackward(at<const float>(heap, length, args.number(1), N),
                                               at<const float>(heap, length, args.number(2), N * V),
                                               at<const int32_t>(heap, length, args.number(3), N),
                                               at<const float>(heap, length, args.number(4), N),
                                               at<float>(heap, length, args.number(5), N * V), N, V));
  });
}

// adam(heap, offsets [theta, grad, m, v, thetaOut, mOut, vOut], n, lr, beta1, beta2, eps, weightDecay, correction1, correction2)
napi_value Adam(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 10);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const std::vector<double> o = args.numbers(1);
    if (o.size() != 7) throw ArgError{"adam needs 7 offsets"};
    const int64_t n = args.integer(2);
    const AdamStep step{static_cast<float>(args.number(3)), static_cast<float>(args.number(4)), static_cast<float>(args.number(5)),
                        static_cast<float>(args.number(6)), static_cast<float>(args.number(7)), static_cast<float>(args.number(8)),
                        static_cast<float>(args.number(9))};
    adamUpdate(at<const float>(heap, length, o[0], n), at<const float>(heap, length, o[1], n), at<const float>(heap, length, o[2], n),
               at<const float>(heap, length, o[3], n), at<float>(heap, length, o[4], n), at<float>(heap, length, o[5], n),
               at<float>(heap, length, o[6], n), n, step);
    return undefinedValue(env);
  });
}

// rmsprop(heap, offsets [theta, grad, v, thetaOut, vOut], n, lr, rho, eps)
napi_value Rmsprop(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 6);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const std::vector<double> o = args.numbers(1);
    if (o.size() != 5) throw ArgError{"rmsprop needs 5 offsets"};
    const int64_t n = args.integer(2);
    rmspropUpdate(at<const float>(heap, length, o[0], n), at<const float>(heap, length, o[1], n), at<const float>(heap, length, o[2], n),
                  at<float>(heap, length, o[3], n), at<float>(heap, length, o[4], n), n, static_cast<float>(args.number(3)),
                  static_cast<float>(args.number(4)), static_cast<float>(args.number(5)));
    return undefinedValue(env);
  });
}

// The shape arguments of attention and attentionGrad: batch, heads, T, Tk, D, biasPerBatch, scale.
AttentionShape attentionShape(Args& args, size_t first) {
  return {args.integer(first), args.integer(first + 1), args.integer(first + 2), args.integer(first + 3),
          args.integer(first + 4), args.boolean(first + 5), static_cast<float>(args.number(first + 6))};
}

// attention(heap, qOffset, keyOffset, valueOffset, biasOffset, yOffset, batch, heads, T, Tk, D, biasPerBatch, scale)
napi_value Attention(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 13);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const AttentionShape s = attentionShape(args, 6);
    const int64_t items = s.batch * s.heads;
    attentionForward(at<const float>(heap, length, args.number(1), items * s.T * s.D),
                     at<const float>(heap, length, args.number(2), items * s.Tk * s.D),
                     at<const float>(heap, length, args.number(3), items * s.Tk * s.D),
                     at<const float>(heap, length, args.number(4), (s.biasPerBatch ? s.batch : 1) * s.T * s.Tk),
                     at<float>(heap, length, args.number(5), items * s.T * s.D), s);
    return undefinedValue(env);
  });
}

// attentionGrad(heap, dyOffset, qOffset, keyOffset, valueOffset, biasOffset, dqOffset, dkeyOffset, dvalueOffset,
//               batch, heads, T, Tk, D, biasPerBatch, scale)
napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 16);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const AttentionShape s = attentionShape(args, 9);
    const int64_t items = s.batch * s.heads, queries = items * s.T * s.D, keys = items * s.Tk * s.D;
    attentionBackward(at<const float>(heap, length, args.number(1), queries), at<const float>(heap, length, args.number(2), queries),
                      at<const float>(heap, length, args.number(3), keys), at<const float>(heap, length, args.number(4), keys),
                      at<const float>(heap, length, args.number(5), (s.biasPerBatch ? s.batch : 1) * s.T * s.Tk),
                      at<float>(heap, length, args.number(6), queries), at<float>(heap, length, args.number(7), keys),
                      at<float>(heap, length, args.number(8), keys), s);
    return undefinedValue(env);
  });
}

// decodeBlock(heap, offsets [x, y, keyCache, valueCache, mask, ln1Gain, ln1Bias, attnWeight, attnBias,
//             projWeight, projBias, ln2Gain, ln2Bias, fcWeight, fcBias, outWeight, outBias], B, C, heads,
//             capacity, position, epsilon)
napi_value DecodeBlock(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 8);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const std::vector<double> o = args.numbers(1);
    if (o.size() != 17) throw ArgError{"decodeBlock needs 17 offsets"};
    const DecodeShape s{args.integer(2), args.integer(3), args.integer(4), args.integer(5), args.integer(6),
                        static_cast<float>(args.number(7))};
    if (s.heads <= 0 || s.C % s.heads != 0 || s.position < 0 || s.position >= s.capacity) throw ArgError{"bad decode shape"};
    const int64_t B = s.B, C = s.C, cache = B * s.capacity * C;
    auto in = [&](size_t i, int64_t count) { return at<const float>(heap, length, o[i], count); };
    const BlockWeights w{in(5, C), in(6, C), in(7, C * 3 * C), in(8, 3 * C), in(9, C * C), in(10, C),
                         in(11, C), in(12, C), in(13, C * 4 * C), in(14, 4 * C), in(15, 4 * C * C), in(16, C)};
    decodeBlock(in(0, B * C), at<float>(heap, length, o[1], B * C), at<float>(heap, length, o[2], cache),
                at<float>(heap, length, o[3], cache), in(4, B * s.capacity), w, s);
    return undefinedValue(env);
  });
}

// sampleTokens(heap, logitsOffset, tokensOffset, uniforms Float64Array (rows), V, temperature, topK, topP)
napi_value SampleTokens(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 8);
    size_t length;
    uint8_t* heap = args.heap(0, &length);
    const std::vector<double> uniforms = args.numbers(3);
    const int64_t rows = static_cast<int64_t>(uniforms.size()), V = args.integer(4);
    if (V <= 0) throw ArgError{"an empty vocabulary"};
    const SamplingSettings s{args.number(5), args.integer(6), args.number(7)};
    sampleRows(at<const float>(heap, length, args.number(1), rows * V), uniforms.data(), at<int32_t>(heap, length, args.number(2), rows),
               rows, V, s);
    return undefinedValue(env);
  });
}

}  // namespace

void defineFusedBindings(napi_env env, napi_value exports) {
  const napi_property_descriptor properties[] = {
      {"layerNorm", nullptr, LayerNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormGrad", nullptr, LayerNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gelu", nullptr, Gelu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluGrad", nullptr, GeluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"targetLogProbs", nullptr, TargetLogProbs, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"targetLogProbsGrad", nullptr, TargetLogProbsGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rmsprop", nullptr, Rmsprop, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attention", nullptr, Attention, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attentionGrad", nullptr, AttentionGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"decodeBlock", nullptr, DecodeBlock, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sampleTokens", nullptr, SampleTokens, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
}

}  // namespace dpo
