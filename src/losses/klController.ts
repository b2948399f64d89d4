/**
 * The coefficient of PPO's per-token KL penalty to the reference: fixed, or adapted to a
 * target KL (Ziegler et al. 2019, "Fine-Tuning Language Models from Human Preferences").
 * The state is plain JSON so that a resumed run continues with the same coefficient.
 */
import { UserError } from '../core/errors.ts';

export type KLControllerState =
  | { kind: 'fixed'; value: number }
  | { kind: 'adaptive'; value: number; target: number; horizon: number };

export interface KLController {
  /** The current kl_coef. */
  readonly value: number;
  /** After an iteration that measured `currentKl` over `nSteps` samples. */
  update(currentKl: number, nSteps: number): void;
  state(): KLControllerState;
}

export class FixedKLController implements KLController {
  constructor(readonly value: number) {}
  update(_currentKl: number, _nSteps: number): void {}
  state(): KLControllerState {
    return { kind: 'fixed', value: this.value };
  }
}

/**
 * e = clip(KL / target - 1, -0.2, 0.2);  kl_coef <- kl_coef (1 + e nSteps / horizon).
 * KL above target raises the coefficient, KL below lowers it, by at most 20% per horizon.
 */
export class AdaptiveKLController implements KLController {
  value: number;
  constructor(initKlCoef: number, readonly target: number, readonly horizon: number) {
    if (!(target > 0) || !(horizon > 0)) {
      throw new UserError(`adaptive KL control needs a positive target and horizon, got target ${target}, horizon ${horizon}`);
    }
    this.value = initKlCoef;
  }

  update(currentKl: number, nSteps: number): void {
    const proportionalError = Math.min(Math.max(currentKl / this.target - 1, -0.2), 0.2);
    this.value *= 1 + (proportionalError * nSteps) / this.horizon;
  }

  state(): KLControllerState {
    return { kind: 'adaptive', value: this.value, target: this.target, horizon: this.horizon };
  }
}

/** Rebuilds a controller from `state()`, with the coefficient it had. */
export function restoreKLController(state: KLControllerState): KLController {
  return state.kind === 'fixed' ? new FixedKLController(state.value) : new AdaptiveKLController(state.value, state.target, state.horizon);
}
