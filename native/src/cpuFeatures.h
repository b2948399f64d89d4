// Which instruction set this build of the addon was compiled for. native/build.mjs builds
// one variant per instruction-set level (avx2: AVX2, FMA, F16C, BMI; baseline: x86-64),
// and src/backend/native/addon.ts loads the one the running CPU supports; BLIS picks its
// own GEMM kernels from the CPU at run time in either.
#pragma once

namespace dpo {

inline const char* compiledFor() {
#if defined(__AVX512F__)
  return "avx512";
#elif defined(__AVX2__) && defined(__FMA__)
  return "avx2 fma";
#elif defined(__x86_64__)
  return "x86-64 baseline (sse2)";
#else
  return "generic";
#endif
}

}  // namespace dpo
