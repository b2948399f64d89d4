/**
 * Puts the engines' figures for one model side by side: ms per step, the ratio of each
 * TensorFlow.js run's time to PyTorch's (1.0 = as fast; below 1, faster), and for the
 * training steps the losses, which agree when both engines compute the same model from
 * the same weights (float32 rounding: ~1e-6; more than LOSS_TOLERANCE is a warning).
 */
import type { EngineFigures, StepFigures, StepKind } from './measure.ts';

export const LOSS_TOLERANCE = 1e-3;

const TFJS_ENGINES = ['native_cpu', 'native', 'stock_wasm'] as const;
type TfjsEngine = (typeof TFJS_ENGINES)[number];

export interface Engines {
  /** The native-cpu backend (--backend native-cpu): tensors in ordinary memory. */
  native_cpu?: EngineFigures;
  /** wasm with the native kernels; absent when they are not loaded, or on native-cpu. */
  native?: EngineFigures;
  /** wasm's stock kernels; absent on native-cpu. */
  stock_wasm?: EngineFigures;
  /** Absent when PyTorch could not run. */
  pytorch?: EngineFigures;
}

type ByEngine<T> = Record<'pytorch' | TfjsEngine, T | null>;
type ByTfjsEngine<T> = Record<TfjsEngine, T | null>;

export interface StepComparison {
  ms: ByEngine<number>;
  /** TensorFlow.js ms / PyTorch ms. */
  ratio: ByTfjsEngine<number>;
  tokens_per_second?: ByEngine<number>;
  first_loss?: ByEngine<number>;
  /** |TensorFlow.js - PyTorch| of the first step's loss (the starting weights'). */
  first_loss_difference?: ByTfjsEngine<number>;
  /** The largest |TensorFlow.js - PyTorch| over every step's loss (updates included). */
  max_loss_difference?: ByTfjsEngine<number>;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The comparison of one step kind, and a warning for each loss that disagrees. */
export function compareStep(kind: StepKind, engines: Engines, where: string): { comparison: StepComparison; warnings: string[] } {
  const get = (engine: keyof Engines): StepFigures | undefined => engines[engine]?.[kind];
  const torch = get('pytorch');
  const each = <T>(f: (figures: StepFigures) => T | undefined) => ({
    pytorch: torch ? (f(torch) ?? null) : null,
    native_cpu: mapOr(get('native_cpu'), f),
    native: mapOr(get('native'), f),
    stock_wasm: mapOr(get('stock_wasm'), f),
  });
  const versusTorch = <T>(f: (tfjs: StepFigures, torch: StepFigures) => T) =>
    Object.fromEntries(TFJS_ENGINES.map((e) => [e, torch && get(e) ? f(get(e)!, torch) : null])) as ByTfjsEngine<T>;

  const comparison: StepComparison = {
    ms: each((f) => round(f.ms, 1)),
    ratio: versusTorch((tfjs, t) => round(tfjs.ms / t.ms, 2)),
  };
  const warnings: string[] = [];
  if (kind === 'generation') {
    comparison.tokens_per_second = each((f) => (f.tokens_per_second === undefined ? undefined : round(f.tokens_per_second, 1)));
    return { comparison, warnings };
  }
  comparison.first_loss = each((f) => f.losses?.[0]);
  comparison.first_loss_difference = versusTorch((tfjs, t) => Math.abs(tfjs.losses![0] - t.losses![0]));
  comparison.max_loss_difference = versusTorch((tfjs, t) => Math.max(...t.losses!.map((loss, i) => Math.abs(tfjs.losses![i] - loss))));
  for (const engine of TFJS_ENGINES) {
    const difference = comparison.max_loss_difference[engine];
    if (difference !== null && !(difference <= LOSS_TOLERANCE)) {
      warnings.push(`${where} ${kind}: TensorFlow.js (${engine}) and PyTorch losses differ by ${difference} (> ${LOSS_TOLERANCE}); they are not computing the same model`);
    }
  }
  return { comparison, warnings };
}

function mapOr<T>(figures: StepFigures | undefined, f: (figures: StepFigures) => T | undefined): T | null {
  return figures ? (f(figures) ?? null) : null;
}
