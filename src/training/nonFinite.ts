/**
 * The one rule for a step that goes non-finite, in every training stage: a loss or a
 * gradient norm that is NaN or infinite stops the stage before the optimizer steps, with
 * an error naming the step and saying truthfully which checkpoint is kept, if any.
 */
import { StageError } from '../core/errors.ts';
import type { Checkpoint } from './checkpoints.ts';

export class NonFiniteError extends StageError {
  /**
   * @param step the step that went non-finite, counted from 1 (PPO: the iteration)
   * @param checkpoint the last checkpoint saved or resumed from before it, kept in the output folder; undefined for none
   */
  constructor(
    readonly id: string,
    readonly step: number,
    readonly loss: number,
    readonly gradNorm: number,
    readonly checkpoint: Checkpoint | undefined,
    /** Which of the step's optimizer updates (PPO has several per step), as `k of n`; empty for one. */
    update = '',
  ) {
    const what = Number.isFinite(loss) ? `the gradient norm is ${gradNorm}` : `the loss is ${loss}`;
    const kept = checkpoint ? `the last good checkpoint, ${checkpoint.dir}, is kept` : 'no checkpoint was saved before it';
    super(`${id}: at step ${step}${update && ` (update ${update})`} ${what}; ${kept}`, 'lower train.lr, add warm-up (train.warmup_steps), or clip gradients (train.max_grad_norm)');
  }
}

/** Whether a step's loss and gradient norm are both finite. */
export function isFiniteStep(loss: number, gradNorm: number): boolean {
  return Number.isFinite(loss) && Number.isFinite(gradNorm);
}
