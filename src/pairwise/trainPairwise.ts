/**
 * The training loop shared by the stages that learn from preference pairs (dpo,
 * preferred_ft, unlikelihood); the objective (objectives.ts) is what differs.
 *
 * Reads top to bottom: inputs, the reference log-probabilities (once, before training),
 * resume, then per step: batch, forward and loss, gradients, clip, step, log, eval,
 * checkpoint, tick; then the final model in `<outDir>/model/` and the summary.
 * Dropout is off throughout (the forward passes do not train dropout).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { StageError } from '../core/errors.ts';
import { disposeModel, loadStageModel, modelDir, saveModel, type GPT } from '../model/index.ts';
import type { StageContext } from '../core/stageContract.ts';
import { clipByGlobalNorm } from '../training/clip.ts';
import { latestCheckpoint, resumeFrom, saveCheckpoint } from '../training/checkpoints.ts';
import { dropMetricsAfter } from '../training/resumeFiles.ts';
import { disposeGradients, modelGradients } from '../training/gradients.ts';
import { isEvery, lrAt, optimizerFor, totalSteps, type TrainSettings } from '../training/settings.ts';
import { batchSchedule } from './batch.ts';
import { evaluatePairs, referenceBatch } from './evaluate.ts';
import { onlyInput } from '../core/onlyInput.ts';
import { pairLogps } from './logps.ts';
import type { PairwiseObjective } from './objectives.ts';
import { readPairsFor, type PairRecord } from '../data/pairs.ts';
import { cachedReferenceLogps, computeReferenceLogps, type ReferenceLogps, type ReferenceOrigin } from './reference.ts';

/** The settings every pairwise stage has: the names of its policy and pairs stages, and its training loop. */
export interface PairwiseStageSettings {
  policy: string;
  pairs: string;
  train: TrainSettings;
}

export async function trainPairwise(ctx: StageContext<PairwiseStageSettings>, objective: PairwiseObjective): Promise<void> {
  const { train } = ctx.settings;

  // Inputs: the policy (trainable; it is also the reference) and the pairs in its tokens.
  const policyInput = onlyInput(ctx, 'policy');
  const pairsInput = onlyInput(ctx, 'pairs');
  const { model: initial, tokenizer } = await loadStageModel(policyInput.dir, { trainable: true });
  const pairs = await readPairsFor(pairsInput.dir, tokenizer, initial.config.contextLength);
  const trainIndices = indicesOf(pairs, 'train');
  const evalIndices = indicesOf(pairs, 'test').slice(0, train.eval_size);
  if (trainIndices.length === 0) throw new StageError(`${pairsInput.id}: no train pairs to learn from`);
  if (evalIndices.length === 0) ctx.log('no held-out (test) pairs: no evaluation');
  const pad = tokenizer.pad;

  // The reference log-probabilities: the initial policy's, for every pair, once.
  const forwardPasses = { policy: 0, reference: 0 };
  let reference: ReferenceLogps | undefined;
  let referenceOrigin: ReferenceOrigin | 'none' = 'none';
  if (objective.usesReference) {
    const cached = await cachedReferenceLogps({
      outDir: ctx.outDir,
      policyModelDir: modelDir(policyInput.dir),
      pairsDir: pairsInput.dir,
      pairs,
      compute: async () => {
        ctx.log(`computing the reference log-probabilities of ${pairs.length} pairs`);
        ctx.progress.start(pairs.length, 'reference');
        const { logps, forwardPasses: passes } = await computeReferenceLogps(initial, pairs, {
          pad,
          batchSize: train.batch_size,
          onBatch: async (done) => {
            ctx.progress.update(done);
            await ctx.tick();
          },
        });
        ctx.progress.stop();
        forwardPasses.reference += passes;
        return logps;
      },
    });
    reference = cached.logps;
    referenceOrigin = cached.origin;
    if (cached.origin !== 'computed') ctx.log(`reference log-probabilities from ${cached.origin === 'stage' ? 'this stage' : cached.sharedFile}`);
  }
  const evalPairs = evalIndices.map((i) => pairs[i]);
  const evalReference = reference && select(reference, evalIndices);

  // Resume from the last checkpoint, if an earlier attempt left one.
  const optimizer = optimizerFor(train);
  let model: GPT = initial;
  let step = 0;
  const checkpoint = await latestCheckpoint(ctx.outDir);
  if (checkpoint) {
    const resumed = await resumeFrom(checkpoint, optimizer);
    disposeModel(initial);
    model = resumed.model;
    step = resumed.state.step;
    await dropMetricsAfter(join(ctx.outDir, 'metrics.csv'), step);
    ctx.log(`resuming from step ${step}`);
  }
  const total = totalSteps(train, trainIndices.length);
  const schedule = batchSchedule(trainIndices.length, train.batch_size, total, ctx.random.fork());
  const columns = ['step', 'epoch', 'loss', ...objective.metrics, 'grad_norm', 'lr', 'eval/loss', ...objective.metrics.map((m) => `eval/${m}`)];
  const metrics = ctx.metrics(columns);
  let last: Record<string, number> = {};
  let lastEval: Record<string, number> = {};

  ctx.progress.start(total, ctx.id);
  try {
    while (step < total) {
      // Batch: this step's pairs and their reference log-probabilities.
      const batch = schedule[step].map((i) => trainIndices[i]);
      const batchPairs = batch.map((i) => pairs[i]);
      const batchReference = reference && select(reference, batch);
      const lr = lrAt(train, step, total);

      // Forward and loss, gradients (the metrics are kept out of the gradient's tidy).
      let kept: tf.Tensor | undefined;
      const { loss, grads } = modelGradients([model], () => {
        const logps = pairLogps(model, batchPairs, pad, { rejected: objective.usesRejected });
        const out = objective.loss(logps, referenceBatch(batchReference, 0, batch.length));
        kept = tf.keep(tf.stack(objective.metrics.map((m) => out.metrics[m]))); // (M,)
        return out.loss;
      });
      forwardPasses.policy++;
      const values = kept ? Array.from(await kept.data()) : [];
      kept?.dispose();
      if (!Number.isFinite(loss)) {
        disposeGradients(grads);
        throw new StageError(
          `${ctx.id}: the loss is ${loss} at step ${step + 1}; stopped (the last good checkpoint is kept)`,
          'lower train.lr or beta, or check the pairs',
        );
      }

      // Clip, step.
      const clipped = clipByGlobalNorm(grads, train.max_grad_norm);
      optimizer.step(model.params, clipped.grads, lr);
      disposeGradients(clipped.grads);
      step++;

      // Log, eval.
      last = { loss, ...Object.fromEntries(objective.metrics.map((m, i) => [m, values[i]])), grad_norm: clipped.norm, lr };
      const evaluate = evalPairs.length > 0 && isEvery(train.eval_every, step, total);
      let evalRow: Record<string, number> = {};
      if (evaluate) {
        lastEval = await evaluatePairs(model, objective, evalPairs, evalReference, { pad, batchSize: train.batch_size });
        forwardPasses.policy += Math.ceil(evalPairs.length / train.batch_size);
        evalRow = Object.fromEntries(Object.entries(lastEval).map(([k, v]) => [`eval/${k}`, v]));
      }
      if (evaluate || isEvery(train.log_every, step, total)) {
        metrics.log({ step, epoch: (step * train.batch_size) / trainIndices.length, ...last, ...evalRow });
      }
      ctx.progress.update(step, { loss });

      // Checkpoint.
      if (isEvery(train.checkpoint_every, step, total)) {
        await saveCheckpoint(ctx.outDir, {
          model,
          optimizer,
          tokenizerJson: tokenizer.toJSON(),
          state: { step, optimizerStep: 0, random: [], extra: {} }, // saveCheckpoint records the optimizer's own step; the batch schedule needs no state
        });
      }
      await ctx.tick();
    }
    // The final model.
    await saveModel(modelDir(ctx.outDir), model, tokenizer.toJSON());
  } finally {
    ctx.progress.stop();
    await metrics.close();
    disposeModel(model);
    optimizer.dispose();
  }
  await ctx.summary({
    steps: total,
    pairs: { train: trainIndices.length, eval: evalPairs.length },
    final: last,
    eval: lastEval,
    reference_logps: referenceOrigin,
    forward_passes: forwardPasses,
  });
}

function indicesOf(pairs: PairRecord[], split: PairRecord['split']): number[] {
  return pairs.flatMap((p, i) => (p.split === split ? [i] : []));
}

function select(reference: ReferenceLogps, indices: number[]): ReferenceLogps {
  return { chosen: indices.map((i) => reference.chosen[i]), rejected: indices.map((i) => reference.rejected[i]) };
}
