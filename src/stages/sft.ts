/**
 * The `sft` stage: trains a causal language model on a dataset stage's train texts (or
 * prompt/completion pairs with the prompt masked), from scratch or from a starting model,
 * and writes the final model to model/ with tokenizer.json.
 *
 * It resumes from its last checkpoint in outDir (src/training/resume.ts) or starts, then
 * hands its step to the training loop (src/training/trainLoop.ts): a batch, its language
 * modelling loss with dropout; evaluations measure the held-out loss and perplexity and
 * sample completions into samples.jsonl, the starting model's included (step 0). Batches
 * are a seeded shuffle per epoch, so a resumed run repeats exactly the steps an
 * uninterrupted run takes.
 */
import { join } from 'node:path';
import { readPrompts, readTexts } from '../data/artifacts.ts';
import { writeJsonl } from '../core/io/jsonl.ts';
import type { Split } from '../data/settings.ts';
import { StageError } from '../core/errors.ts';
import { disposeModel, modelDir, parameterCount, saveModel, type GPT } from '../model/index.ts';
import { Random } from '../core/random.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import type { Optimizer } from '../training/optimizer.ts';
import { resume } from '../training/resume.ts';
import { readJsonlLog } from '../training/resumeFiles.ts';
import { optimizerFor, totalSteps } from '../training/settings.ts';
import type { Trainee } from '../training/trainee.ts';
import { trainLoop } from '../training/trainLoop.ts';
import type { UpdateResult } from '../training/update.ts';
import type { SftSettings } from '../core/settings/sft.ts';
import { heldOutLoss, sampleCompletions, type HeldOut } from '../sft/evaluate.ts';
import { promptCompletionExamples, textExamples, type Example } from '../sft/examples.ts';
import { sftStepLosses } from '../sft/stepLosses.ts';
import { microBatchSize as microBatchSizeOf } from '../training/microBatches.ts';
import { startingPoint } from '../sft/startingPoint.ts';
import type { StageContext, StageKind } from '../core/stageContract.ts';
import { sftDeclaration } from './declarations.ts';

export const SFT_METRICS = ['step', 'epoch', 'loss', 'eval/loss', 'eval/perplexity', 'lr', 'grad_norm', 'tokens_per_second'];
export const SAMPLES_FILE = 'samples.jsonl';

/** What the stage carries from checkpoint to checkpoint besides weights, optimizer and random state. */
interface Progress {
  initialEval: HeldOut | null;
  lastEval: HeldOut | null;
  lastLoss: number | null;
  trainTokens: number;
  trainSeconds: number;
  wallSeconds: number;
}

/** The seeds the stage draws, in a fixed order, so that a resumed run draws the same ones. */
interface Seeds {
  model: number;
  order: number;
  sample: number;
}

export const sft: StageKind<SftSettings> = {
  ...sftDeclaration,

  async run(ctx) {
    const { settings } = ctx;
    const started = performance.now();
    const [data] = ctx.inputs.data ?? [];
    if (!data) throw new Error(`sft: no output for data stage ${settings.data}`);
    const seeds: Seeds = { model: ctx.random.nextUint32(), order: ctx.random.nextUint32(), sample: ctx.random.nextUint32() };
    let trainRandom = ctx.random.fork(); // dropout masks

    // Resume, or start.
    const optimizer = optimizerFor(settings.train);
    const resumed = await resume(ctx, { optimizer, stepColumn: 'step', logs: [SAMPLES_FILE] });
    let progress: Progress = { initialEval: null, lastEval: null, lastLoss: null, trainTokens: 0, trainSeconds: 0, wallSeconds: 0 };
    if (resumed) {
      progress = resumed.state.extra as unknown as Progress;
      trainRandom = Random.fromState(resumed.state.random);
    }
    const { model, tokenizer } = resumed ?? (await startingPoint(settings, ctx.inputs, (await readTexts(data.dir, 'train')).map((t) => t.text), seeds.model));

    try {
      const parts = { model, tokenizer, optimizer, progress, trainRandom, seeds, started, resumedFrom: resumed?.checkpoint };
      const { trainee, trainExamples, evalExamples, perEpoch } = await sftTrainee(ctx, data.dir, parts);
      await trainLoop(ctx, trainee);

      // The final model and the summary.
      await saveModel(modelDir(ctx.outDir), model, tokenizer.toJSON());
      const final = progress.lastEval!;
      await ctx.summary({
        steps: trainee.total,
        epochs: round(trainee.total / perEpoch, 4),
        train_loss: progress.lastLoss,
        eval_loss: final.loss,
        eval_perplexity: final.perplexity,
        initial_eval_loss: progress.initialEval?.loss ?? null,
        parameters: parameterCount(model),
        vocab_size: tokenizer.vocabSize,
        context_length: model.config.contextLength,
        train_examples: trainExamples,
        eval_examples: evalExamples,
        tokens_per_second: round(progress.trainTokens / Math.max(1e-9, progress.trainSeconds), 1),
        wall_seconds: round(progress.wallSeconds + (performance.now() - started) / 1000, 2),
        resumed_from_step: resumed?.checkpoint.step ?? null,
      });
      ctx.log(`eval loss ${final.loss.toFixed(3)} (perplexity ${final.perplexity.toFixed(1)}), from ${progress.initialEval?.loss.toFixed(3) ?? '?'}`);
    } finally {
      optimizer.dispose();
      disposeModel(model);
    }
  },
};

interface SftParts {
  model: GPT;
  tokenizer: Tokenizer;
  optimizer: Optimizer;
  progress: Progress;
  trainRandom: Random;
  seeds: Seeds;
  /** When this attempt started (performance.now()). */
  started: number;
  resumedFrom: Trainee['resumedFrom'];
}

/** The training loop's view of the sft stage: its step on a batch of examples, its rows, its evaluation and its checkpoint state. */
async function sftTrainee(ctx: StageContext<SftSettings>, dataDir: string, parts: SftParts) {
  const { settings } = ctx;
  const { train } = settings;
  const { model, tokenizer, progress, trainRandom, seeds } = parts;

  const sequenceLength = Math.min(settings.max_length ?? model.config.contextLength, model.config.contextLength);
  const { trainExamples, evalExamples, samplePrompts } = await sftData(settings, dataDir, tokenizer, sequenceLength);
  const samples = await readJsonlLog(join(ctx.outDir, SAMPLES_FILE)); // as resume left them
  const total = totalSteps(train, trainExamples.length);
  const perEpoch = Math.max(1, Math.ceil(trainExamples.length / train.batch_size));
  const batchAt = batchOrder(trainExamples, train.batch_size, perEpoch, seeds.order);
  const microBatchSize = microBatchSizeOf(train);
  ctx.log(
    `${parameterCount(model)} parameters, vocabulary ${tokenizer.vocabSize}, context ${model.config.contextLength}` +
      `${sequenceLength < model.config.contextLength ? ` (sequences cut to ${sequenceLength} tokens)` : ''}; ` +
      `${trainExamples.length} train and ${evalExamples.length} held-out examples; ${total} steps`,
  );

  let window = { loss: 0, steps: 0, tokens: 0, seconds: 0 }; // since the last metrics row
  let last: UpdateResult | undefined;
  const trainee: Trainee = {
    train,
    total,
    updatesPerStep: 1,
    startStep: parts.resumedFrom?.step ?? 0,
    resumedFrom: parts.resumedFrom,
    columns: SFT_METRICS,
    optimizer: parts.optimizer,
    trained: [model],
    model,
    tokenizer,
    evaluateAtStart: true,

    async step(step, update) {
      const stepStarted = performance.now();
      // The batch's loss, one function per micro-batch (gradient accumulation).
      const batch = sftStepLosses(model, batchAt(step), { pad: tokenizer.pad, microBatchSize, random: trainRandom });
      last = await update(batch.losses);
      const seconds = (performance.now() - stepStarted) / 1000;
      window = { loss: window.loss + last.loss, steps: window.steps + 1, tokens: window.tokens + batch.tokens, seconds: window.seconds + seconds };
      progress.trainTokens += batch.tokens;
      progress.trainSeconds += seconds;
      progress.lastLoss = last.loss;
      return { loss: last.loss };
    },

    row(step) {
      const epoch = round(step / perEpoch, 4);
      if (window.steps === 0) return { epoch }; // the starting model's evaluation
      const row = { epoch, loss: window.loss / window.steps, lr: last!.lr, grad_norm: last!.gradNorm, tokens_per_second: round(window.tokens / window.seconds, 1) };
      window = { loss: 0, steps: 0, tokens: 0, seconds: 0 };
      return row;
    },

    async evaluate(at) {
      const heldOut = heldOutLoss(model, evalExamples, train.batch_size, tokenizer.pad);
      const completions = await sampleCompletions(model, tokenizer, samplePrompts, settings.samples.sampling, new Random(seeds.sample + at));
      samples.push(...samplePrompts.map((prompt, i) => ({ step: at, prompt, completion: completions[i] })));
      await writeJsonl(join(ctx.outDir, SAMPLES_FILE), samples);
      if (at === 0) progress.initialEval = heldOut;
      progress.lastEval = heldOut;
      return { ...heldOut };
    },

    checkpointState: () => ({
      random: trainRandom.state(),
      extra: { ...progress, wallSeconds: progress.wallSeconds + (performance.now() - parts.started) / 1000 } as unknown as Record<string, unknown>,
    }),
  };
  return { trainee, trainExamples: trainExamples.length, evalExamples: evalExamples.length, perEpoch };
}

/** The train and held-out examples in `tokenizer`'s tokens, and the held-out prompts to sample completions of. */
async function sftData(settings: SftSettings, dataDir: string, tokenizer: Tokenizer, contextLength: number) {
  const what = settings.text === 'texts' ? 'texts' : 'prompts';
  const trainExamples = await examples(settings, dataDir, 'train', tokenizer, contextLength);
  const evalExamples = (await examples(settings, dataDir, 'test', tokenizer, contextLength)).slice(0, settings.train.eval_size);
  if (trainExamples.length === 0) throw new StageError(`sft: the data stage "${settings.data}" has no train ${what}`);
  if (evalExamples.length === 0) {
    throw new StageError(
      `sft: the data stage "${settings.data}" has ${trainExamples.length} train ${what} and no test ${what} to evaluate on`,
      'a random split sends round(split.test_fraction × texts) to test: give the data stage more texts or a larger split.test_fraction (or split.mode: source with test rows)',
    );
  }
  const samplePrompts = (await readPrompts(dataDir, 'test')).slice(0, settings.samples.count).map((p) => p.prompt);
  return { trainExamples, evalExamples, samplePrompts };
}

/** The examples of one split: whole texts, or prompts with their completions. */
async function examples(settings: SftSettings, dir: string, split: Split, tokenizer: Tokenizer, contextLength: number): Promise<Example[]> {
  return settings.text === 'texts'
    ? textExamples(await readTexts(dir, split), tokenizer, contextLength)
    : promptCompletionExamples(await readPrompts(dir, split), tokenizer, contextLength);
}

/**
 * The examples of step `step` (from 0): epoch e = floor(step / perEpoch) goes through a
 * shuffle seeded by (seed, e) in batches of `batchSize`, the last one possibly smaller.
 */
function batchOrder(examples: readonly Example[], batchSize: number, perEpoch: number, seed: number): (step: number) => Example[] {
  let epoch = -1;
  let order: Example[] = [];
  return (step) => {
    const e = Math.floor(step / perEpoch);
    if (e !== epoch) {
      epoch = e;
      order = new Random((seed + e) >>> 0).shuffle(examples);
    }
    const i = step % perEpoch;
    return order.slice(i * batchSize, (i + 1) * batchSize);
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
