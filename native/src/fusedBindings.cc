#include "fusedBindings.h"

#include "attention.h"
#include "decode.h"
#include "fused.h"
#include "napiArgs.h"
#include "sampling.h"

namespace dpo {
namespace {

using namespace dpo::napi;

// layerNorm(x, gain, bias, y, rows, C, eps)
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7);
    const int64_t rows = args.integer(4), C = args.integer(5);
    layerNormForward(args.tensor<const float>(0, rows * C), args.tensor<const float>(1, C), args.tensor<const float>(2, C),
                     args.tensor<float>(3, rows * C), rows, C, static_cast<float>(args.number(6)));
    return undefinedValue(env);
  });
}

// layerNormGrad(dy, x, gain, dx, dgain, dbias, rows, C, eps)
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 9);
    const int64_t rows = args.integer(6), C = args.integer(7);
    layerNormBackward(args.tensor<const float>(0, rows * C), args.tensor<const float>(1, rows * C), args.tensor<const float>(2, C),
                      args.tensor<float>(3, rows * C), args.tensor<float>(4, C), args.tensor<float>(5, C), rows, C,
                      static_cast<float>(args.number(8)));
    return undefinedValue(env);
  });
}

// gelu(x, y, n)
napi_value Gelu(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 3);
    const int64_t n = args.integer(2);
    geluForward(args.tensor<const float>(0, n), args.tensor<float>(1, n), n);
    return undefinedValue(env);
  });
}

// geluGrad(dy, x, dx, n)
napi_value GeluGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4);
    const int64_t n = args.integer(3);
    geluBackward(args.tensor<const float>(0, n), args.tensor<const float>(1, n), args.tensor<float>(2, n), n);
    return undefinedValue(env);
  });
}

// targetLogProbs(logits, targets, logp, N, V) -> false (nothing written) on a target outside [0, V)
napi_value TargetLogProbs(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 5);
    const int64_t N = args.integer(3), V = args.integer(4);
    return booleanValue(env, targetLogProbsForward(args.tensor<const float>(0, N * V), args.tensor<const int32_t>(1, N),
                                                   args.tensor<float>(2, N), N, V));
  });
}

// targetLogProbsGrad(dy, logits, targets, logp, dlogits, N, V) -> false on a bad target
napi_value TargetLogProbsGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7);
    const int64_t N = args.integer(5), V = args.integer(6);
    return booleanValue(env, targetLogProbsBackward(args.tensor<const float>(0, N), args.tensor<const float>(1, N * V),
                                                    args.tensor<const int32_t>(2, N), args.tensor<const float>(3, N),
                                                    args.tensor<float>(4, N * V), N, V));
  });
}

// adam(theta, grad, m, v, thetaOut, mOut, vOut, n, lr, beta1, beta2, eps, weightDecay, correction1, correction2)
napi_value Adam(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 15);
    const int64_t n = args.integer(7);
    const AdamStep step{static_cast<float>(args.number(8)), static_cast<float>(args.number(9)), static_cast<float>(args.number(10)),
                        static_cast<float>(args.number(11)), static_cast<float>(args.number(12)), static_cast<float>(args.number(13)),
                        static_cast<float>(args.number(14))};
    adamUpdate(args.tensor<const float>(0, n), args.tensor<const float>(1, n), args.tensor<const float>(2, n), args.tensor<const float>(3, n),
               args.tensor<float>(4, n), args.tensor<float>(5, n), args.tensor<float>(6, n), n, step);
    return undefinedValue(env);
  });
}

// rmsprop(theta, grad, v, thetaOut, vOut, n, lr, rho, eps)
napi_value Rmsprop(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 9);
    const int64_t n = args.integer(5);
    rmspropUpdate(args.tensor<const float>(0, n), args.tensor<const float>(1, n), args.tensor<const float>(2, n), args.tensor<float>(3, n),
                  args.tensor<float>(4, n), n, static_cast<float>(args.number(6)), static_cast<float>(args.number(7)),
                  static_cast<float>(args.number(8)));
    return undefinedValue(env);
  });
}

// The shape arguments of attention and attentionGrad: batch, heads, T, Tk, D, biasPerBatch, scale.
AttentionShape attentionShape(Args& args, size_t first) {
  const AttentionShape s{args.integer(first), args.integer(first + 1), args.integer(first + 2), args.integer(first + 3),
                         args.integer(first + 4), args.boolean(first + 5), static_cast<float>(args.number(first + 6))};
  if (s.batch < 0 || s.heads < 0 || s.T < 0 || s.Tk < 0 || s.D < 0) throw ArgError{"negative attention size"};
  return s;
}

// attention(q, key, value, bias, y, batch, heads, T, Tk, D, biasPerBatch, scale)
napi_value Attention(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 12);
    const AttentionShape s = attentionShape(args, 5);
    const int64_t items = s.batch * s.heads;
    attentionForward(args.tensor<const float>(0, items * s.T * s.D), args.tensor<const float>(1, items * s.Tk * s.D),
                     args.tensor<const float>(2, items * s.Tk * s.D), args.tensor<const float>(3, (s.biasPerBatch ? s.batch : 1) * s.T * s.Tk),
                     args.tensor<float>(4, items * s.T * s.D), s);
    return undefinedValue(env);
  });
}

// attentionGrad(dy, q, key, value, bias, dq, dkey, dvalue, batch, heads, T, Tk, D, biasPerBatch, scale)
napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 15);
    const AttentionShape s = attentionShape(args, 8);
    const int64_t items = s.batch * s.heads, queries = items * s.T * s.D, keys = items * s.Tk * s.D;
    attentionBackward(args.tensor<const float>(0, queries), args.tensor<const float>(1, queries), args.tensor<const float>(2, keys),
                      args.tensor<const float>(3, keys), args.tensor<const float>(4, (s.biasPerBatch ? s.batch : 1) * s.T * s.Tk),
                      args.tensor<float>(5, queries), args.tensor<float>(6, keys), args.tensor<float>(7, keys), s);
    return undefinedValue(env);
  });
}

// decodeBlock(tensors [x, y, keyCache, valueCache, mask, ln1Gain, ln1Bias, attnWeight, attnBias, projWeight,
//             projBias, ln2Gain, ln2Bias, fcWeight, fcBias, outWeight, outBias], B, C, heads, capacity, position, epsilon)
napi_value DecodeBlock(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7);
    const std::vector<Span> t = args.tensors(0);
    if (t.size() != 17) throw ArgError{"decodeBlock needs 17 tensors"};
    const DecodeShape s{args.integer(1), args.integer(2), args.integer(3), args.integer(4), args.integer(5),
                        static_cast<float>(args.number(6))};
    if (s.B < 0 || s.C <= 0 || s.heads <= 0 || s.C % s.heads != 0 || s.position < 0 || s.position >= s.capacity) {
      throw ArgError{"bad decode shape"};
    }
    const int64_t B = s.B, C = s.C, cache = B * s.capacity * C;
    auto in = [&](size_t i, int64_t count) { return elements<const float>(t[i], count, 0, "tensor " + std::to_string(i)); };
    auto out = [&](size_t i, int64_t count) { return elements<float>(t[i], count, 0, "tensor " + std::to_string(i)); };
    const BlockWeights w{in(5, C), in(6, C), in(7, C * 3 * C), in(8, 3 * C), in(9, C * C), in(10, C),
                         in(11, C), in(12, C), in(13, C * 4 * C), in(14, 4 * C), in(15, 4 * C * C), in(16, C)};
    decodeBlock(in(0, B * C), out(1, B * C), out(2, cache), out(3, cache), in(4, B * s.capacity), w, s);
    return undefinedValue(env);
  });
}

// sampleTokens(logits, tokens, uniforms Float64Array (rows), V, temperature, topK, topP)
napi_value SampleTokens(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7);
    const std::vector<double> uniforms = args.numbers(2);
    const int64_t rows = static_cast<int64_t>(uniforms.size()), V = args.integer(3);
    if (V <= 0) throw ArgError{"an empty vocabulary"};
    const SamplingSettings s{args.number(4), args.integer(5), args.number(6)};
    sampleRows(args.tensor<const float>(0, rows * V), uniforms.data(), args.tensor<int32_t>(1, rows), rows, V, s);
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
