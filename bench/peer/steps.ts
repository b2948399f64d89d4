/**
 * The three things bench:peer times, each through the project's own code paths:
 *
 *   SFT step         languageModelLoss, modelGradients, clipByGlobalNorm, AdamW
 *   DPO step         the reference's pairLogps without gradients, then the policy's pairLogps
 *                    on chosen and rejected, dpoObjective (sigmoid), gradients, clip, Adam
 *   generation       generate() with the KV cache, batch prompts, maxNewTokens new tokens each
 *
 * Each trainer trains its own copy of the workload's policy, so every run starts from the
 * same weights; step() returns the loss of the step (computed before its update).
 */
import * as tf from '@tensorflow/tfjs';
import { cloneModel, disposeModel, generate, tokenLogProbs, type GPT } from '../../src/model/index.ts';
import { pairLogps } from '../../src/pairwise/logps.ts';
import { dpoObjective, type ReferenceBatch } from '../../src/pairwise/objectives.ts';
import { Random } from '../../src/core/random.ts';
import { disposeBatch, exampleBatch } from '../../src/sft/examples.ts';
import { languageModelLoss } from '../../src/losses/languageModel.ts';
import { clipByGlobalNorm } from '../../src/training/clip.ts';
import { disposeGradients, modelGradients } from '../../src/training/gradients.ts';
import { createOptimizer, type Optimizer } from '../../src/training/optimizer.ts';
import { PEER_SETTINGS, type Workload } from './workload.ts';

export interface Trainer {
  /** One training step; returns its loss. */
  step(): number;
  dispose(): void;
}

/** Gradients of `loss` for `policy`, clipped, applied by `optimizer`; returns the loss. */
function update(policy: GPT, optimizer: Optimizer, loss: () => tf.Scalar): number {
  const { loss: value, grads } = modelGradients([policy], loss);
  const clipped = clipByGlobalNorm(grads, PEER_SETTINGS.maxGradNorm);
  optimizer.step(policy.params, clipped.grads, PEER_SETTINGS.lr);
  disposeGradients(clipped.grads);
  return value;
}

export function sftTrainer(workload: Workload): Trainer {
  const policy = cloneModel(workload.policy, { trainable: true });
  const optimizer = createOptimizer(PEER_SETTINGS.sft.optimizer);
  const batch = exampleBatch(workload.examples, PEER_SETTINGS.pad); // ids (B, T), lossMask (B, T-1)
  return {
    step: () => update(policy, optimizer, () => languageModelLoss(tokenLogProbs(policy, { ids: batch.ids }), batch.lossMask)),
    dispose() {
      disposeBatch(batch);
      optimizer.dispose();
      disposeModel(policy);
    },
  };
}

export function dpoTrainer(workload: Workload): Trainer {
  const { pairs, reference } = workload;
  const { pad } = PEER_SETTINGS;
  const policy = cloneModel(workload.policy, { trainable: true });
  const optimizer = createOptimizer(PEER_SETTINGS.dpo.optimizer);
  const objective = dpoObjective({ beta: PEER_SETTINGS.dpo.beta, loss: 'sigmoid', labelSmoothing: 0, referenceFree: false, sftWeight: 0 });
  return {
    step() {
      // log pi_ref(y_w|x), log pi_ref(y_l|x): (B,) each, outside the gradient tape.
      const referenceLogps: ReferenceBatch = tf.tidy(() => {
        const out = pairLogps(reference, pairs, pad, { rejected: true });
        return { chosen: out.chosenLogps, rejected: out.rejected!.logps };
      });
      try {
        return update(policy, optimizer, () => objective.loss(pairLogps(policy, pairs, pad, { rejected: true }), referenceLogps).loss);
      } finally {
        tf.dispose([referenceLogps.chosen, referenceLogps.rejected]);
      }
    },
    dispose() {
      optimizer.dispose();
      disposeModel(policy);
    },
  };
}

/** One call of KV-cached generation from the workload's policy (sampling drawn from `seed`). */
export function generationRun(workload: Workload, seed: number): () => Promise<number[][]> {
  const random = new Random(seed);
  return () => generate(workload.policy, workload.prompts, { temperature: PEER_SETTINGS.temperature, maxNewTokens: workload.maxNewTokens, random, useCache: true });
}
