/**
 * The `reward_model` stage: a Bradley-Terry reward model r(x, y), a GPT backbone started
 * from an upstream model with a new scalar head read at the last token of
 * [bos, prompt completion], trained on a preferences stage's pairs with
 *
 *   loss = -log sigma(r(x, y_w) - r(x, y_l) - margin)
 *
 * and evaluated on the held-out pairs. Its model/ is what `reward: {kind: reward_model}` loads.
 */
import * as tf from '@tensorflow/tfjs';
import { StageError } from '../core/errors.ts';
import { bradleyTerryLoss } from '../losses/bradleyTerry.ts';
import { mean } from '../losses/statistics.ts';
import { disposeModel, lastTokenScores, loadStageModel, modelDir, saveModel, withScalarHead, type GPT } from '../model/index.ts';
import { readPairs, type PairRecord } from '../data/pairs.ts';
import { batchAt } from '../training/batches.ts';
import { evaluatePairs } from '../rewards/scalarHeadEvaluate.ts';
import { ScalarScorer } from '../rewards/scorer.ts';
import { encodeForScore, joinPromptAndCompletion, padRight } from '../rewards/sequences.ts';
import { resumeOrStart } from '../training/scalarHeadResume.ts';
import { onlyInput } from '../core/onlyInput.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { saveCheckpoint } from '../training/checkpoints.ts';
import { clipByGlobalNorm } from '../training/clip.ts';
import { disposeGradients, modelGradients } from '../training/gradients.ts';
import { isEvery, lrAt, optimizerFor, totalSteps } from '../training/settings.ts';
import { readStageSchema } from '../core/stageSchema.ts';
import type { RewardModelSettings } from '../core/settings/rewardModel.ts';
import type { StageKind } from '../core/stageContract.ts';

const COLUMNS = ['step', 'epoch', 'loss', 'accuracy', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'grad_norm', 'lr', 'eval/loss', 'eval/accuracy'];

export const reward_model: StageKind<RewardModelSettings> = {
  kind: 'reward_model',
  schema: readStageSchema('reward_model'),
  references: [
    { path: 'init', accepts: ['model'] },
    { path: 'pairs', accepts: ['pairs'] },
  ],
  produces: ['reward_model'],

  async run(ctx) {
    const { train, margin } = ctx.settings;
    const pairsDir = onlyInput(ctx, 'pairs').dir;
    const trainPairs = await readPairs(pairsDir, 'train');
    const heldOut = await readPairs(pairsDir, 'test');
    if (trainPairs.length === 0) throw new StageError(`${pairsDir}: no train pairs to learn from`, 'give the preferences stage more prompts, or a smaller tie margin');
    const evalPairs = heldOut.slice(0, train.eval_size);
    const total = totalSteps(train, trainPairs.length);

    // Resume from the last checkpoint, or start from the init model with a new scalar head.
    const optimizer = optimizerFor(train);
    const { model, tokenizer, step: resumedStep } = await resumeOrStart(ctx, optimizer, async () => {
      const init = await loadStageModel(onlyInput(ctx, 'init').dir, { trainable: true });
      return { model: withScalarHead(init.model, ctx.seed), tokenizer: init.tokenizer };
    });
    let step = resumedStep;
    const scorer = new ScalarScorer(model, tokenizer);
    const metrics = ctx.metrics(COLUMNS);
    ctx.log(`${trainPairs.length} train pairs, ${heldOut.length} held-out; ${total} steps`);
    ctx.progress.start(total, 'reward_model');

    try {
      while (step < total) {
        // Batch: chosen rows then rejected rows, one forward pass.
        const { indices, epoch } = batchAt(trainPairs.length, train.batch_size, step, ctx.seed);
        const batch = indices.map((i) => trainPairs[i]);
        const sequences = pairSequences(batch, tokenizer, model.config.contextLength);
        const B = batch.length;

        // Forward, loss and gradients.
        let rewards: tf.Tensor1D | undefined;
        const { loss, grads } = modelGradients([model], () => {
          const { ids, attentionMask } = padRight(sequences, tokenizer.pad);
          const r = lastTokenScores(model, ids, attentionMask); // (2B,)
          rewards = tf.keep(r.clone());
          return bradleyTerryLoss(r.slice(0, B), r.slice(B, B), margin);
        });
        const r = await rewards!.data();
        rewards!.dispose();
        if (!Number.isFinite(loss)) {
          disposeGradients(grads);
          throw new StageError(`step ${step + 1}: the loss is ${loss}; the last good checkpoint is kept`, 'lower train.lr or set train.max_grad_norm');
        }

        // Clip and step.
        const clipped = clipByGlobalNorm(grads, train.max_grad_norm);
        const lr = lrAt(train, step, total);
        optimizer.step(model.params, clipped.grads, lr);
        disposeGradients(clipped.grads);
        step += 1;

        // Log and evaluate.
        const evaluation = isEvery(train.eval_every, step, total) ? await evaluatePairs(scorer, evalPairs, margin) : undefined;
        if (isEvery(train.log_every, step, total) || evaluation) {
          const chosen = Array.from(r.subarray(0, B));
          const rejected = Array.from(r.subarray(B, 2 * B));
          metrics.log({
            step,
            epoch,
            loss,
            accuracy: mean(chosen.map((c, i) => (c > rejected[i] ? 1 : 0))),
            'rewards/chosen': mean(chosen),
            'rewards/rejected': mean(rejected),
            'rewards/margins': mean(chosen.map((c, i) => c - rejected[i])),
            grad_norm: clipped.norm,
            lr,
            'eval/loss': evaluation?.loss,
            'eval/accuracy': evaluation?.accuracy,
          });
        }
        ctx.progress.update(step, { loss });

        // Checkpoint.
        if (isEvery(train.checkpoint_every, step, total)) {
          await saveCheckpoint(ctx.outDir, { model, optimizer, tokenizerJson: tokenizer.toJSON(), state: { step, optimizerStep: 0, random: ctx.random.state(), extra: {} } });
        }
        await ctx.tick();
      }
      ctx.progress.stop();
      await metrics.close();

      // The final model, and its accuracy on every held-out pair.
      await saveModel(modelDir(ctx.outDir), model, tokenizer.toJSON());
      const final = await evaluatePairs(scorer, heldOut, margin);
      ctx.log(`held-out accuracy ${final.accuracy.toFixed(3)} on ${heldOut.length} pairs`);
      await ctx.summary({ steps: total, train_pairs: trainPairs.length, heldout_pairs: heldOut.length, 'eval/loss': final.loss, 'eval/accuracy': final.accuracy });
    } finally {
      disposeModel(model);
      optimizer.dispose();
    }
  },
};

/** [bos, x y_w] for each pair, then [bos, x y_l] for each, cut to the context. */
function pairSequences(pairs: readonly PairRecord[], tokenizer: Tokenizer, contextLength: number): number[][] {
  const encode = (completion: 'chosen' | 'rejected') =>
    pairs.map((p) => encodeForScore(tokenizer, joinPromptAndCompletion(p.prompt, p[completion]), contextLength));
  return [...encode('chosen'), ...encode('rejected')];
}
