/**
 * Optimizers over a named map of variables, written out so that their state can be saved
 * with a checkpoint and restored on resume: AdamW (Loshchilov & Hutter, decoupled weight
 * decay), Adam (AdamW with no decay) and RMSprop (the DPO paper's optimizer for DPO).
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdate, rmspropUpdate } from './optimizerUpdate.ts';

export type OptimizerName = 'adamw' | 'adam' | 'rmsprop';

export interface OptimizerSettings {
  name: OptimizerName;
  /** Decoupled weight decay (AdamW); applied to matrices only, not to biases and LayerNorm gains. */
  weight_decay: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export interface Optimizer {
  /** One update of `variables` along `grads` (same names) with learning rate `lr`. */
  step(variables: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void;
  /** The state as named tensors (copies) and the step count, for a checkpoint. */
  state(): { step: number; tensors: Record<string, tf.Tensor> };
  /** Restores what `state()` gave. */
  restore(step: number, tensors: Record<string, tf.Tensor>): void;
  dispose(): void;
}

/** Which variables weight decay applies to: 2-D weights (not biases, LayerNorm, or embeddings' positions). */
export function decays(name: string, variable: tf.Variable): boolean {
  return variable.rank >= 2 && !name.includes('ln_');
}

class AdamW implements Optimizer {
  private t = 0;
  private m = new Map<string, tf.Variable>();
  private v = new Map<string, tf.Variable>();

  constructor(private readonly settings: OptimizerSettings) {}

  step(variables: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const { beta1, beta2, eps, weight_decay } = this.settings;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    for (const [name, grad] of Object.entries(grads)) {
      const variable = variables.get(name)!;
      const m = slot(this.m, name, variable);
      const v = slot(this.v, name, variable);
      tf.tidy(() => {
        // theta <- theta - lr * (m_hat / (sqrt(v_hat) + eps) + wd * theta)
        const weightDecay = weight_decay > 0 && decays(name, variable) ? weight_decay : 0;
        const next = adamUpdate(variable, grad, m, v, { lr, beta1, beta2, eps, weightDecay, correction1, correction2 });
        m.assign(next.m);
        v.assign(next.v);
        variable.assign(next.theta);
      });
    }
  }

  state() {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, m] of this.m) tensors[`m.${name}`] = m.clone();
    for (const [name, v] of this.v) tensors[`v.${name}`] = v.clone();
    return { step: this.t, tensors };
  }

  restore(step: number, tensors: Record<string, tf.Tensor>): void {
    this.dispose();
    this.t = step;
    for (const [key, tensor] of Object.entries(tensors)) {
      const [slotName, ...rest] = key.split('.');
      const map = slotName === 'm' ? this.m : this.v;
      map.set(rest.join('.'), tf.variable(tensor, false));
    }
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

class RMSprop implements Optimizer {
  private t = 0;
  private v = new Map<string, tf.Variable>();

  constructor(private readonly settings: OptimizerSettings) {}

  step(variables: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const { beta2: rho, eps } = this.settings;
    for (const [name, grad] of Object.entries(grads)) {
      const variable = variables.get(name)!;
      const v = slot(this.v, name, variable);
      tf.tidy(() => {
        // v <- rho v + (1 - rho) g^2 ; theta <- theta - lr g / (sqrt(v) + eps)
        const next = rmspropUpdate(variable, grad, v, { lr, rho, eps });
        v.assign(next.v);
        variable.assign(next.theta);
      });
    }
  }

  state() {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, v] of this.v) tensors[`v.${name}`] = v.clone();
    return { step: this.t, tensors };
  }

  restore(step: number, tensors: Record<string, tf.Tensor>): void {
    this.dispose();
    this.t = step;
    for (const [key, tensor] of Object.entries(tensors)) this.v.set(key.slice(2), tf.variable(tensor, false));
  }

  dispose(): void {
    for (const x of this.v.values()) x.dispose();
    this.v.clear();
  }
}

function slot(map: Map<string, tf.Variable>, name: string, like: tf.Variable): tf.Variable {
  let s = map.get(name);
  if (!s) {
    const zeros = tf.zerosLike(like);
    s = tf.variable(zeros, false);
    zeros.dispose(); // the variable holds its own reference to the data
    map.set(name, s);
  }
  return s;
}

const optimizers: Record<OptimizerName, (s: OptimizerSettings) => Optimizer> = {
  adamw: (s) => new AdamW(s),
  adam: (s) => new AdamW({ ...s, weight_decay: 0 }),
  rmsprop: (s) => new RMSprop(s),
};

export function createOptimizer(settings: OptimizerSettings): Optimizer {
  return optimizers[settings.name](settings);
}
