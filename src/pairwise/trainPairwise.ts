/**
 * The stages that learn from preference pairs (dpo, preferred_ft, unlikelihood): their
 * inputs, the reference log-probabilities (once, before training), and their step for
 * the training loop (src/training/trainLoop.ts); the objective (objectives.ts) is what
 * differs. Then the final model in `<outDir>/model/` and the summary.
 * Dropout is off throughout (the forward passes do not train dropout).
 */
import { StageError } from '../core/errors.ts';
import { disposeModel, loadStageModel, modelDir, saveModel, type GPT } from '../model/index.ts';
import type { StageContext, StageOutput } from '../core/stageContract.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import type { Optimizer } from '../training/optimizer.ts';
import { resume, type Resumed } from '../training/resume.ts';
import { optimizerFor, totalSteps, type TrainSettings } from '../training/settings.ts';
import type { Trainee } from '../training/trainee.ts';
import { trainLoop } from '../training/trainLoop.ts';
import { batchSchedule } from './batch.ts';
import { evaluatePairs } from './evaluate.ts';
import { onlyInput } from '../core/onlyInput.ts';
import { pairwiseStepLosses } from './stepLosses.ts';
import { microBatchSize as microBatchSizeOf } from '../training/microBatches.ts';
import type { PairwiseObjective } from './objectives.ts';
import { readPairsFor, type PairRecord } from '../data/pairs.ts';
import { cachedReferenceLogps, computeReferenceLogps, type ReferenceLogps, type ReferenceOrigin } from './reference.ts';

/** The settings every pairwise stage has: the names of its policy and pairs stages, and its training loop. */
export interface PairwiseStageSettings {
  policy: string;
  pairs: string;
  train: TrainSettings;
}

/** Forward passes of the policy and of the reference, for the summary. */
interface ForwardPasses {
  policy: number;
  reference: number;
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
  const forwardPasses: ForwardPasses = { policy: 0, reference: 0 };
  const { reference, origin } = objective.usesReference
    ? await referenceLogps(ctx, initial, pairs, { policyInput, pairsInput, pad, forwardPasses })
    : { reference: undefined, origin: 'none' as const };
  const evalPairs = evalIndices.map((i) => pairs[i]);
  const evalReference = reference && select(reference, evalIndices);

  // Resume from the last checkpoint that loads, if an earlier attempt left one.
  const optimizer = optimizerFor(train);
  const resumed = await resume(ctx, { optimizer, stepColumn: 'step' });
  if (resumed) disposeModel(initial);
  const model: GPT = resumed?.model ?? initial;
  const data: PairwiseData = { pairs, trainIndices, evalPairs, reference, evalReference, pad };
  const measured = { last: {}, eval: {} };
  const trainee = pairwiseTrainee(ctx, objective, data, { model, tokenizer, optimizer, resumed, forwardPasses, measured });
  try {
    await trainLoop(ctx, trainee);
    // The final model.
    await saveModel(modelDir(ctx.outDir), model, tokenizer.toJSON());
  } finally {
    disposeModel(model);
    optimizer.dispose();
  }
  await ctx.summary({
    steps: trainee.total,
    pairs: { train: trainIndices.length, eval: evalPairs.length },
    final: measured.last,
    eval: measured.eval,
    reference_logps: origin,
    forward_passes: forwardPasses,
  });
}

/** The pairs and their reference log-probabilities, as the step and the evaluation take them. */
interface PairwiseData {
  pairs: PairRecord[];
  trainIndices: number[];
  evalPairs: PairRecord[];
  reference: ReferenceLogps | undefined;
  evalReference: ReferenceLogps | undefined;
  pad: number;
}

interface PairwiseParts {
  model: GPT;
  tokenizer: Tokenizer;
  optimizer: Optimizer;
  resumed: Resumed<unknown> | undefined;
  forwardPasses: ForwardPasses;
  /** The last step's training values and the last evaluation, for the summary. */
  measured: { last: Record<string, number>; eval: Record<string, number> };
}

/** The training loop's view of a pairwise stage: a step on a batch of pairs, and the held-out evaluation. */
function pairwiseTrainee(ctx: StageContext<PairwiseStageSettings>, objective: PairwiseObjective, data: PairwiseData, parts: PairwiseParts): Trainee {
  const { train } = ctx.settings;
  const { pairs, trainIndices, evalPairs, reference, pad } = data;
  const { model, forwardPasses, measured } = parts;
  const total = totalSteps(train, trainIndices.length);
  const schedule = batchSchedule(trainIndices.length, train.batch_size, total, ctx.random.fork());
  const microBatchSize = microBatchSizeOf(train);
  return {
    train,
    total,
    updatesPerStep: 1,
    startStep: parts.resumed?.state.step ?? 0,
    resumedFrom: parts.resumed?.checkpoint,
    columns: ['step', 'epoch', 'loss', ...objective.metrics, 'grad_norm', 'lr', 'eval/loss', ...objective.metrics.map((m) => `eval/${m}`)],
    optimizer: parts.optimizer,
    trained: [model],
    model,
    tokenizer: parts.tokenizer,

    async step(step, update) {
      // Batch: this step's pairs and their reference log-probabilities.
      const batch = schedule[step].map((i) => trainIndices[i]);
      const batchPairs = batch.map((i) => pairs[i]);
      const batchReference = reference && select(reference, batch);
      // The batch's loss, one function per micro-batch (gradient accumulation); each metric is kept as one share per micro-batch.
      const losses = pairwiseStepLosses(model, objective, batchPairs, batchReference, { pad, microBatchSize });
      const out = await update(losses);
      forwardPasses.policy += losses.length;
      measured.last = { loss: out.loss, ...Object.fromEntries(objective.metrics.map((m) => [m, sum(out.kept[m])])), grad_norm: out.gradNorm, lr: out.lr };
      return { loss: out.loss };
    },

    row: (step) => ({ epoch: (step * train.batch_size) / trainIndices.length, ...measured.last }),

    evaluate:
      evalPairs.length === 0
        ? undefined
        : async () => {
            measured.eval = await evaluatePairs(model, objective, evalPairs, data.evalReference, { pad, batchSize: train.batch_size });
            forwardPasses.policy += Math.ceil(evalPairs.length / train.batch_size);
            return measured.eval;
          },

    checkpointState: () => ({ random: [], extra: {} }), // the batch schedule needs no state
  };
}

/** The reference log-probabilities of every pair: from this stage's output or the shared file, else computed by `initial`. */
async function referenceLogps(
  ctx: StageContext<PairwiseStageSettings>,
  initial: GPT,
  pairs: PairRecord[],
  options: { policyInput: StageOutput; pairsInput: StageOutput; pad: number; forwardPasses: ForwardPasses },
): Promise<{ reference: ReferenceLogps; origin: ReferenceOrigin }> {
  const cached = await cachedReferenceLogps({
    outDir: ctx.outDir,
    policyModelDir: modelDir(options.policyInput.dir),
    pairsDir: options.pairsInput.dir,
    pairs,
    compute: async () => {
      ctx.log(`computing the reference log-probabilities of ${pairs.length} pairs`);
      ctx.progress.start(pairs.length, 'reference');
      const { logps, forwardPasses } = await computeReferenceLogps(initial, pairs, {
        pad: options.pad,
        batchSize: microBatchSizeOf(ctx.settings.train), // the forward passes of one micro-batch at a time
        onBatch: async (done) => {
          ctx.progress.update(done);
          await ctx.tick();
        },
      });
      ctx.progress.stop();
      options.forwardPasses.reference += forwardPasses;
      return logps;
    },
  });
  if (cached.origin !== 'computed') ctx.log(`reference log-probabilities from ${cached.origin === 'stage' ? 'this stage' : cached.sharedFile}`);
  return { reference: cached.logps, origin: cached.origin };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function indicesOf(pairs: PairRecord[], split: PairRecord['split']): number[] {
  return pairs.flatMap((p, i) => (p.split === split ? [i] : []));
}

function select(reference: ReferenceLogps, indices: number[]): ReferenceLogps {
  return { chosen: indices.map((i) => reference.chosen[i]), rejected: indices.map((i) => reference.rejected[i]) };
}
