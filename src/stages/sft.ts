/**
 * The `sft` stage: trains a causal language model on a dataset stage's train texts (or
 * prompt/completion pairs with the prompt masked), from scratch or from a starting model,
 * and writes the final model to model/ with tokenizer.json.
 *
 * The loop, top to bottom: resume from the latest checkpoint in outDir (or evaluate the
 * starting model at step 0), then per step: batch, forward and loss, gradients, clip,
 * optimizer step, log, evaluate (held-out loss, perplexity, samples.jsonl), checkpoint,
 * tick. Batches are a seeded shuffle per epoch, so a resumed run repeats exactly the
 * steps an uninterrupted run takes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPrompts, readTexts } from '../data/artifacts.ts';
import { writeJsonl } from '../core/io/jsonl.ts';
import type { Split } from '../data/settings.ts';
import { StageError } from '../core/errors.ts';
import { disposeModel, modelDir, parameterCount, saveModel, tokenLogProbs, TOKENIZER_FILE, type GPT } from '../model/index.ts';
import { languageModelLoss } from '../losses/languageModel.ts';
import { Random } from '../core/random.ts';
import { loadTokenizer, type Tokenizer } from '../tokenizer/index.ts';
import { latestCheckpoint, resumeFrom, saveCheckpoint, type Checkpoint } from '../training/checkpoints.ts';
import { clipByGlobalNorm } from '../training/clip.ts';
import { disposeGradients, modelGradients } from '../training/gradients.ts';
import { dropMetricsAfter, keepJsonlUpTo } from '../training/resumeFiles.ts';
import { isEvery, lrAt, optimizerFor, totalSteps } from '../training/settings.ts';
import { readStageSchema } from '../core/stageSchema.ts';
import type { SftSettings } from '../core/settings/sft.ts';
import { heldOutLoss, sampleCompletions, type HeldOut } from '../sft/evaluate.ts';
import { disposeBatch, exampleBatch, promptCompletionExamples, textExamples, type Example } from '../sft/examples.ts';
import { startingPoint } from '../sft/startingPoint.ts';
import type { StageKind } from '../core/stageContract.ts';

export const SFT_METRICS = ['step', 'epoch', 'loss', 'eval/loss', 'eval/perplexity', 'lr', 'grad_norm', 'tokens_per_second'];
export const SAMPLES_FILE = 'samples.jsonl';

/** What the loop carries from checkpoint to checkpoint besides weights, optimizer and random state. */
interface Progress {
  initialEval: HeldOut | null;
  lastEval: HeldOut | null;
  lastLoss: number | null;
  trainTokens: number;
  trainSeconds: number;
  wallSeconds: number;
}

export const sft: StageKind<SftSettings> = {
  kind: 'sft',
  schema: readStageSchema('sft'),
  references: [
    { path: 'data', accepts: ['dataset'] },
    { path: 'init_stage', accepts: ['model'] },
  ],
  produces: ['model'],

  async run(ctx) {
    const { settings } = ctx;
    const train = settings.train;
    const started = performance.now();
    const [data] = ctx.inputs.data ?? [];
    if (!data) throw new Error(`sft: no output for data stage ${settings.data}`);
    // Seeds drawn in a fixed order, so that a resumed run draws the same ones.
    const modelSeed = ctx.random.nextUint32();
    const orderSeed = ctx.random.nextUint32();
    const sampleSeed = ctx.random.nextUint32();
    let trainRandom = ctx.random.fork(); // dropout masks

    // Resume, or start
    const optimizer = optimizerFor(train);
    const checkpoint = await latestCheckpoint(ctx.outDir);
    let model: GPT;
    let tokenizer: Tokenizer;
    let step = 0;
    let progress: Progress = { initialEval: null, lastEval: null, lastLoss: null, trainTokens: 0, trainSeconds: 0, wallSeconds: 0 };
    if (checkpoint) {
      const resumed = await resumeFrom(checkpoint, optimizer);
      model = resumed.model;
      tokenizer = loadTokenizer(JSON.parse(await readFile(join(checkpoint.dir, TOKENIZER_FILE), 'utf8')));
      step = resumed.state.step;
      progress = resumed.state.extra as unknown as Progress;
      trainRandom = Random.fromState(resumed.state.random);
      await dropMetricsAfter(join(ctx.outDir, 'metrics.csv'), step);
      ctx.log(`resuming from ${checkpoint.dir} (step ${step})`);
    } else {
      const trainTexts = (await readTexts(data.dir, 'train')).map((t) => t.text);
      ({ model, tokenizer } = await startingPoint(settings, ctx.inputs, trainTexts, modelSeed));
    }
    const samples = await keepJsonlUpTo(join(ctx.outDir, SAMPLES_FILE), step);

    try {
      // Data
      const contextLength = model.config.contextLength;
      const trainExamples = await examples(settings, data.dir, 'train', tokenizer, contextLength);
      const evalExamples = (await examples(settings, data.dir, 'test', tokenizer, contextLength)).slice(0, train.eval_size);
      if (trainExamples.length === 0) throw new StageError(`sft: the data stage "${settings.data}" has no train ${settings.text === 'texts' ? 'texts' : 'prompts'}`);
      if (evalExamples.length === 0) {
        throw new StageError(`sft: the data stage "${settings.data}" has no test ${settings.text === 'texts' ? 'texts' : 'prompts'} to evaluate on`, 'set its split.test_fraction above 0');
      }
      const samplePrompts = (await readPrompts(data.dir, 'test')).slice(0, settings.samples.count).map((p) => p.prompt);
      const total = totalSteps(train, trainExamples.length);
      const perEpoch = Math.max(1, Math.ceil(trainExamples.length / train.batch_size));
      const batchAt = batchOrder(trainExamples, train.batch_size, perEpoch, orderSeed);
      ctx.log(
        `${parameterCount(model)} parameters, vocabulary ${tokenizer.vocabSize}, context ${contextLength}; ` +
          `${trainExamples.length} train and ${evalExamples.length} held-out examples; ${total} steps`,
      );

      const metrics = ctx.metrics(SFT_METRICS);
      const evaluate = async (at: number): Promise<HeldOut> => {
        const heldOut = heldOutLoss(model, evalExamples, train.batch_size, tokenizer.pad);
        const completions = await sampleCompletions(model, tokenizer, samplePrompts, settings.samples.sampling, new Random(sampleSeed + at));
        samples.push(...samplePrompts.map((prompt, i) => ({ step: at, prompt, completion: completions[i] })));
        await writeJsonl(join(ctx.outDir, SAMPLES_FILE), samples);
        return heldOut;
      };
      if (step === 0) {
        progress.initialEval = progress.lastEval = await evaluate(0);
        metrics.log({ step: 0, epoch: 0, 'eval/loss': progress.initialEval.loss, 'eval/perplexity': progress.initialEval.perplexity });
      }

      ctx.progress.start(total, ctx.id);
      let window = { loss: 0, steps: 0, tokens: 0, seconds: 0 }; // since the last metrics row
      let lastCheckpoint: Checkpoint | undefined = checkpoint;
      while (step < total) {
        const stepStarted = performance.now();
        // Batch
        const batch = exampleBatch(batchAt(step), tokenizer.pad);
        // Forward, loss and gradients
        const { loss, grads } = modelGradients([model], () => languageModelLoss(tokenLogProbs(model, { ids: batch.ids }, { training: true, random: trainRandom }), batch.lossMask));
        disposeBatch(batch);
        // Clip
        const clipped = clipByGlobalNorm(grads, train.max_grad_norm);
        if (!Number.isFinite(loss) || !Number.isFinite(clipped.norm)) {
          disposeGradients(clipped.grads);
          throw nonFiniteError(step + 1, loss, clipped.norm, lastCheckpoint);
        }
        // Optimizer step
        const lr = lrAt(train, step, total);
        optimizer.step(model.params, clipped.grads, lr);
        disposeGradients(clipped.grads);
        step += 1;
        const seconds = (performance.now() - stepStarted) / 1000;
        window = { loss: window.loss + loss, steps: window.steps + 1, tokens: window.tokens + batch.tokens, seconds: window.seconds + seconds };
        progress.trainTokens += batch.tokens;
        progress.trainSeconds += seconds;
        progress.lastLoss = loss;

        // Log, evaluate
        const evaluating = isEvery(train.eval_every, step, total);
        if (evaluating) progress.lastEval = await evaluate(step);
        if (evaluating || isEvery(train.log_every, step, total)) {
          metrics.log({
            step,
            epoch: round(step / perEpoch, 4),
            loss: window.loss / window.steps,
            ...(evaluating ? { 'eval/loss': progress.lastEval!.loss, 'eval/perplexity': progress.lastEval!.perplexity } : {}),
            lr,
            grad_norm: clipped.norm,
            tokens_per_second: round(window.tokens / window.seconds, 1),
          });
          window = { loss: 0, steps: 0, tokens: 0, seconds: 0 };
        }
        ctx.progress.update(step, { loss });

        // Checkpoint
        if (isEvery(train.checkpoint_every, step, total)) {
          const wallSeconds = progress.wallSeconds + (performance.now() - started) / 1000;
          lastCheckpoint = await saveCheckpoint(ctx.outDir, {
            model,
            optimizer,
            tokenizerJson: tokenizer.toJSON(),
            state: { step, optimizerStep: 0, random: trainRandom.state(), extra: { ...progress, wallSeconds } as unknown as Record<string, unknown> },
          });
        }
        await ctx.tick();
      }
      ctx.progress.stop();
      await metrics.close();

      // The final model and the summary
      await saveModel(modelDir(ctx.outDir), model, tokenizer.toJSON());
      const final = progress.lastEval!;
      await ctx.summary({
        steps: total,
        epochs: round(total / perEpoch, 4),
        train_loss: progress.lastLoss,
        eval_loss: final.loss,
        eval_perplexity: final.perplexity,
        initial_eval_loss: progress.initialEval?.loss ?? null,
        parameters: parameterCount(model),
        vocab_size: tokenizer.vocabSize,
        context_length: contextLength,
        train_examples: trainExamples.length,
        eval_examples: evalExamples.length,
        tokens_per_second: round(progress.trainTokens / Math.max(1e-9, progress.trainSeconds), 1),
        wall_seconds: round(progress.wallSeconds + (performance.now() - started) / 1000, 2),
        resumed_from_step: checkpoint?.step ?? null,
      });
      ctx.log(`eval loss ${final.loss.toFixed(3)} (perplexity ${final.perplexity.toFixed(1)}), from ${progress.initialEval?.loss.toFixed(3) ?? '?'}`);
    } finally {
      ctx.progress.stop();
      optimizer.dispose();
      disposeModel(model);
    }
  },
};

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

function nonFiniteError(step: number, loss: number, norm: number, checkpoint: Checkpoint | undefined): StageError {
  const what = Number.isFinite(loss) ? `the gradient norm is ${norm}` : `the loss is ${loss}`;
  const kept = checkpoint ? `the last good checkpoint, ${checkpoint.dir}, is kept` : 'no checkpoint was saved before it';
  return new StageError(`sft: at step ${step} ${what}; ${kept}`, 'lower train.lr, add warm-up, or clip gradients (train.max_grad_norm)');
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
