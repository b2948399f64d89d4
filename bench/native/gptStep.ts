/**
 * A GPT-shaped training workload in plain tf ops, the same as bench/peer.py computes in
 * PyTorch: token and position embeddings, pre-LayerNorm blocks (causal self-attention,
 * GELU MLP), a tied output head. One SFT step is cross-entropy forward + backward + Adam;
 * one DPO step runs the policy on chosen and rejected with gradients and the reference
 * without, then the sigmoid DPO loss + backward + Adam. The ops follow src/model/forward.ts
 * (split, reshape and transpose for the heads; x*x*x in GELU).
 */
import * as tf from '@tensorflow/tfjs';

export interface BenchShape {
  vocab: number;
  context: number;
  width: number;
  layers: number;
  heads: number;
  /** Sequences per SFT step; preference pairs per DPO step. */
  batch: number;
}

export const GPT_SHAPE: BenchShape = { vocab: 2048, context: 64, width: 128, layers: 4, heads: 4, batch: 8 };

type Weights = Record<string, tf.Variable>;

export function createWeights(s: BenchShape, seed: number, trainable = true): Weights {
  const w: Weights = {};
  let n = seed;
  const add = (name: string, initial: tf.Tensor) => {
    w[name] = tf.variable(initial, trainable);
    initial.dispose(); // the variable holds its own reference to the data
  };
  const normal = (name: string, shape: number[], std = 0.02) => add(name, tf.randomNormal(shape, 0, std, 'float32', n++));
  const constant = (name: string, shape: number[], value: number) => add(name, tf.fill(shape, value));
  normal('wte', [s.vocab, s.width]);
  normal('wpe', [s.context, s.width]);
  for (let l = 0; l < s.layers; l++) {
    constant(`ln1g${l}`, [s.width], 1); constant(`ln1b${l}`, [s.width], 0);
    normal(`qkv${l}`, [s.width, 3 * s.width]); constant(`qkvb${l}`, [3 * s.width], 0);
    normal(`proj${l}`, [s.width, s.width]); constant(`projb${l}`, [s.width], 0);
    constant(`ln2g${l}`, [s.width], 1); constant(`ln2b${l}`, [s.width], 0);
    normal(`fc${l}`, [s.width, 4 * s.width]); constant(`fcb${l}`, [4 * s.width], 0);
    normal(`out${l}`, [4 * s.width, s.width]); constant(`outb${l}`, [s.width], 0);
  }
  constant('lnfg', [s.width], 1); constant('lnfb', [s.width], 0);
  return w;
}

function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(1e-5))).mul(g).add(b);
}

/** GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(0.5).mul(tf.tanh(inner).add(1));
}

/** ids (B, T) -> logits (B, T, V). */
export function forward(w: Weights, s: BenchShape, ids: tf.Tensor2D): tf.Tensor3D {
  const [B, T] = ids.shape;
  const C = s.width, H = s.heads, D = C / H;
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0).sub(1).mul(1e9); // (T, T): 0 or -1e9
  let x = tf.gather(w.wte, ids.flatten()).reshape([B, T, C]).add(w.wpe.slice([0, 0], [T, C])); // (B, T, C)
  for (let l = 0; l < s.layers; l++) {
    const h = layerNorm(x, w[`ln1g${l}`], w[`ln1b${l}`]).reshape([B * T, C]);
    const qkv = tf.matMul(h, w[`qkv${l}`]).add(w[`qkvb${l}`]); // (B*T, 3C)
    const [q, k, v] = tf.split(qkv, 3, 1).map((t) => t.reshape([B, T, H, D]).transpose([0, 2, 1, 3])); // (B, H, T, D)
    const att = tf.softmax(tf.matMul(q.mul(1 / Math.sqrt(D)), k, false, true).add(causal)); // (B, H, T, T)
    const y = tf.matMul(att, v).transpose([0, 2, 1, 3]).reshape([B * T, C]);
    x = x.add(tf.matMul(y, w[`proj${l}`]).add(w[`projb${l}`]).reshape([B, T, C]));
    const m = layerNorm(x, w[`ln2g${l}`], w[`ln2b${l}`]).reshape([B * T, C]);
    const f = gelu(tf.matMul(m, w[`fc${l}`]).add(w[`fcb${l}`]));
    x = x.add(tf.matMul(f, w[`out${l}`]).add(w[`outb${l}`]).reshape([B, T, C]));
  }
  const hf = layerNorm(x, w.lnfg, w.lnfb).reshape([B * T, C]);
  return tf.matMul(hf, w.wte, false, true).reshape([B, T, s.vocab]) as tf.Tensor3D;
}

/** log p(targets) per sequence, summed over positions: logits (B, T, V), targets (B, T) -> (B). */
function sequenceLogps(logits: tf.Tensor3D, targets: tf.Tensor2D, vocab: number): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  return logp.mul(tf.oneHot(targets, vocab)).sum([1, 2]) as tf.Tensor1D;
}

export interface Trainer {
  sftStep(): number;
  dpoStep(): number;
  dispose(): void;
}

/** Fixed random token batches and Adam on the policy; each step returns its loss. */
export function createTrainer(s: BenchShape, seed: number): Trainer {
  const policy = createWeights(s, seed), reference = createWeights(s, seed, false);
  const optimizer = tf.train.adam(1e-4);
  const tokens = (n: number, salt: number) => tf.randomUniform([n, s.context + 1], 0, s.vocab, 'int32', seed + salt);
  const sftTokens = tokens(s.batch, 1), pairTokens = tokens(2 * s.batch, 2); // chosen rows, then rejected rows
  const split = (t: tf.Tensor) => [t.slice([0, 0], [-1, s.context]) as tf.Tensor2D, t.slice([0, 1], [-1, s.context]) as tf.Tensor2D];
  const [sftIds, sftTargets] = split(sftTokens), [pairIds, pairTargets] = split(pairTokens);
  const vars = Object.values(policy);
  const step = (loss: () => tf.Scalar) => {
    const value = optimizer.minimize(loss, true, vars)!;
    const result = value.dataSync()[0];
    value.dispose();
    return result;
  };
  return {
    sftStep: () => step(() => tf.tidy(() => {
      const logps = sequenceLogps(forward(policy, s, sftIds), sftTargets, s.vocab); // (B)
      return logps.sum().div(-s.batch * s.context) as tf.Scalar; // mean token cross-entropy
    })),
    dpoStep: () => {
      const referenceLogps = tf.tidy(() => sequenceLogps(forward(reference, s, pairIds), pairTargets, s.vocab)); // (2P)
      const loss = step(() => tf.tidy(() => {
        const logratios = sequenceLogps(forward(policy, s, pairIds), pairTargets, s.vocab).sub(referenceLogps); // (2P)
        const [chosen, rejected] = tf.split(logratios, 2);
        const z = chosen.sub(rejected).mul(0.1); // beta = 0.1
        return tf.softplus(z.neg()).mean() as tf.Scalar; // -log sigmoid(z)
      }));
      referenceLogps.dispose();
      return loss;
    },
    dispose: () => {
      tf.dispose([...Object.values(policy), ...Object.values(reference), sftTokens, pairTokens, sftIds, sftTargets, pairIds, pairTargets]);
      optimizer.dispose();
    },
  };
}
