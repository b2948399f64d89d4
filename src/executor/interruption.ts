/**
 * Interruption by the user. The first Ctrl-C (SIGINT, or a SIGTERM) aborts a signal that
 * `ctx.tick()` checks, so the running stage stops at its next step and the run is marked
 * interrupted. A second Ctrl-C stops at once: the registered last words (the manifest)
 * are written synchronously and the process exits 130.
 */
import { EXIT } from '../core/errors.ts';
import type { Output } from './progress.ts';

export interface Interruption {
  signal: AbortSignal;
  /** Registers something to do before a forced exit; returns its removal. */
  atForcedExit(fn: () => void): () => void;
  /** Stops listening. */
  dispose(): void;
}

/** An interruption driven by code (tests, and callers with their own signal). */
export function manualInterruption(signal: AbortSignal = new AbortController().signal): Interruption {
  return { signal, atForcedExit: () => () => {}, dispose: () => {} };
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function interruptOnSignals(output: Output): Interruption {
  const controller = new AbortController();
  const lastWords = new Set<() => void>();
  const handler = () => {
    if (!controller.signal.aborted) {
      output.write('\ninterrupting: stopping after the current step (press Ctrl-C again to stop now)\n');
      controller.abort();
      return;
    }
    for (const fn of lastWords) fn();
    process.exit(EXIT.interrupted);
  };
  for (const name of SIGNALS) process.on(name, handler);
  return {
    signal: controller.signal,
    atForcedExit(fn) {
      lastWords.add(fn);
      return () => lastWords.delete(fn);
    },
    dispose() {
      for (const name of SIGNALS) process.off(name, handler);
    },
  };
}
