/**
 * The `reward_model` stage: a Bradley-Terry reward model r(x, y), a GPT backbone started
 * from an upstream model with a new scalar head read at the last token of
 * [bos, prompt completion], trained on a preferences stage's pairs with
 *
 *   loss = -log sigma(r(x, y_w) - r(x, y_l) - margin)
 *
 * by the training loop (src/training/trainLoop.ts), and evaluated on the held-out pairs.
 * Its model/ is what `reward: {kind: reward_model}` loads.
 */
import { StageError } from '../core/errors.ts';
import { mean } from '../losses/statistics.ts';
import { disposeModel, loadStageModel, modelDir, saveModel, withScalarHead, type GPT } from '../model/index.ts';
import { readPairs, type PairRecord } from '../data/pairs.ts';
import { batchAt } from '../training/batches.ts';
import { evaluatePairs } from '../rewards/scalarHeadEvaluate.ts';
import { ScalarScorer } from '../rewards/scorer.ts';
import { encodeForScore, joinPromptAndCompletion } from '../rewards/sequences.ts';
import { rewardModelStepLosses } from '../rewards/stepLosses.ts';
import { microBatchSize as microBatchSizeOf } from '../training/microBatches.ts';
import { onlyInput } from '../core/onlyInput.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { resume } from '../training/resume.ts';
import { optimizerFor, totalSteps } from '../training/settings.ts';
import { trainLoop } from '../training/trainLoop.ts';
import type { RewardModelSettings } from '../core/settings/rewardModel.ts';
import type { StageContext, StageKind } from '../core/stageContract.ts';
import { rewardModelDeclaration } from './declarations.ts';

const COLUMNS = ['step', 'epoch', 'loss', 'accuracy', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'grad_norm', 'lr', 'eval/loss', 'eval/accuracy'];

export const reward_model: StageKind<RewardModelSettings> = {
  ...rewardModelDeclaration,

  async run(ctx) {
    const { train, margin } = ctx.settings;
    const pairsDir = onlyInput(ctx, 'pairs').dir;
    const trainPairs = await readPairs(pairsDir, 'train');
    const heldOut = await readPairs(pairsDir, 'test');
    if (trainPairs.length === 0) throw new StageError(`${pairsDir}: no train pairs to learn from`, 'give the preferences stage more prompts, or a smaller tie margin');
    const evalPairs = heldOut.slice(0, train.eval_size);
    const total = totalSteps(train, trainPairs.length);
    const microBatchSize = microBatchSizeOf(train);

    // Resume from the last checkpoint that loads, or start from the init model with a new scalar head.
    const optimizer = optimizerFor(train);
    const resumed = await resume(ctx, { optimizer, stepColumn: 'step' });
    const { model, tokenizer } = resumed ?? (await startingModel(ctx));
    const scorer = new ScalarScorer(model, tokenizer);
    ctx.log(`${trainPairs.length} train pairs, ${heldOut.length} held-out; ${total} steps`);

    try {
      let row: Record<string, number> = {};
      await trainLoop(ctx, {
        train,
        total,
        updatesPerStep: 1,
        startStep: resumed?.state.step ?? 0,
        resumedFrom: resumed?.checkpoint,
        columns: COLUMNS,
        optimizer,
        trained: [model],
        model,
        tokenizer,

        async step(step, update) {
          // Batch: per micro-batch (gradient accumulation), its chosen rows then its rejected rows, one forward pass.
          const { indices, epoch } = batchAt(trainPairs.length, train.batch_size, step, ctx.seed);
          const batch = pairSequences(indices.map((i) => trainPairs[i]), tokenizer, model.config.contextLength);
          const out = await update(rewardModelStepLosses(model, batch, { pad: tokenizer.pad, microBatchSize, margin }));
          const { chosen, rejected } = out.kept;
          row = {
            epoch,
            loss: out.loss,
            accuracy: mean(chosen.map((c, i) => (c > rejected[i] ? 1 : 0))),
            'rewards/chosen': mean(chosen),
            'rewards/rejected': mean(rejected),
            'rewards/margins': mean(chosen.map((c, i) => c - rejected[i])),
            grad_norm: out.gradNorm,
            lr: out.lr,
          };
          return { loss: out.loss };
        },
        row: () => row,
        evaluate: () => evaluatePairs(scorer, evalPairs, margin),
        checkpointState: () => ({ random: ctx.random.state(), extra: {} }),
      });

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

/** The init stage's model with a new scalar head. */
async function startingModel(ctx: StageContext<RewardModelSettings>): Promise<{ model: GPT; tokenizer: Tokenizer }> {
  const init = await loadStageModel(onlyInput(ctx, 'init').dir, { trainable: true });
  return { model: withScalarHead(init.model, ctx.seed), tokenizer: init.tokenizer };
}

/** [bos, x y_w] and [bos, x y_l] of each pair, cut to the context. */
function pairSequences(pairs: readonly PairRecord[], tokenizer: Tokenizer, contextLength: number): { chosen: number[]; rejected: number[] }[] {
  const encode = (p: PairRecord, completion: 'chosen' | 'rejected') => encodeForScore(tokenizer, joinPromptAndCompletion(p.prompt, p[completion]), contextLength);
  return pairs.map((p) => ({ chosen: encode(p, 'chosen'), rejected: encode(p, 'rejected') }));
}
