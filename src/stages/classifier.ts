/**
 * The `classifier` stage: the paper's ground truth, a sentiment classifier
 * p(positive | text) = sigma(z), z the scalar head of a GPT backbone at the last token of
 * [bos, text], trained on a dataset stage's labelled texts (0 negative, 1 positive) with
 * binary cross-entropy softplus(z) - y z by the training loop (src/training/trainLoop.ts).
 * The backbone is new (`model` and `tokenizer`) or an upstream model stage's (`init`).
 * Its model/ is what `reward: {kind: classifier}` loads.
 */
import { readTexts, type TextRecord } from '../data/artifacts.ts';
import { StageError } from '../core/errors.ts';
import { createModel, disposeModel, loadStageModel, modelDir, resolveConfig, saveModel, withScalarHead, type GPT } from '../model/index.ts';
import { scratchConfig } from '../model/scratchConfig.ts';
import { batchAt } from '../training/batches.ts';
import { evaluateLabelled } from '../rewards/scalarHeadEvaluate.ts';
import { logisticAccuracy } from '../losses/logistic.ts';
import { mean } from '../losses/statistics.ts';
import { ScalarScorer } from '../rewards/scorer.ts';
import { encodeForScore } from '../rewards/sequences.ts';
import { classifierStepLosses } from '../rewards/stepLosses.ts';
import { microBatchSize as microBatchSizeOf } from '../training/microBatches.ts';
import { resume } from '../training/resume.ts';
import { onlyInput } from '../core/onlyInput.ts';
import { buildTokenizer, tokenizerOptions, type Tokenizer } from '../tokenizer/index.ts';
import { optimizerFor, totalSteps } from '../training/settings.ts';
import { trainLoop } from '../training/trainLoop.ts';
import type { ClassifierSettings } from '../core/settings/classifier.ts';
import type { StageContext, StageKind } from '../core/stageContract.ts';
import { classifierDeclaration } from './declarations.ts';

const COLUMNS = ['step', 'epoch', 'loss', 'accuracy', 'grad_norm', 'lr', 'eval/loss', 'eval/accuracy'];

interface LabelledText {
  text: string;
  label: 0 | 1;
}

export const classifier: StageKind<ClassifierSettings> = {
  ...classifierDeclaration,

  async run(ctx) {
    const { train } = ctx.settings;
    const dataDir = onlyInput(ctx, 'data').dir;
    const trainTexts = labelled(await readTexts(dataDir, 'train'), dataDir, 'train');
    const heldOut = labelled(await readTexts(dataDir, 'test'), dataDir, 'test');
    const evalTexts = heldOut.slice(0, train.eval_size);
    const total = totalSteps(train, trainTexts.length);
    const microBatchSize = microBatchSizeOf(train);

    // Resume from the last checkpoint that loads, or start a backbone with a new scalar head.
    const optimizer = optimizerFor(train);
    const resumed = await resume(ctx, { optimizer, stepColumn: 'step' });
    const { model, tokenizer } = resumed ?? (await startingModel(ctx, trainTexts));
    const scorer = new ScalarScorer(model, tokenizer);
    ctx.log(`${trainTexts.length} train texts, ${heldOut.length} held-out; ${total} steps`);

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
          const { indices, epoch } = batchAt(trainTexts.length, train.batch_size, step, ctx.seed);
          const batch = indices.map((i) => trainTexts[i]);
          const examples = batch.map((t) => ({ ids: encodeForScore(tokenizer, t.text, model.config.contextLength), label: t.label }));
          const labels = batch.map((t) => t.label);
          // The batch's loss, one function per micro-batch (gradient accumulation).
          const out = await update(classifierStepLosses(model, examples, { pad: tokenizer.pad, microBatchSize }));
          row = { epoch, loss: out.loss, accuracy: logisticAccuracy(out.kept.logits, labels), grad_norm: out.gradNorm, lr: out.lr };
          return { loss: out.loss };
        },
        row: () => row,
        evaluate: () => evaluate(scorer, evalTexts),
        checkpointState: () => ({ random: ctx.random.state(), extra: {} }),
      });

      // The final model, and its accuracy on every held-out text.
      await saveModel(modelDir(ctx.outDir), model, tokenizer.toJSON());
      const final = await evaluate(scorer, heldOut);
      ctx.log(`held-out accuracy ${final.accuracy.toFixed(3)} on ${heldOut.length} texts`);
      await ctx.summary({
        steps: total,
        train_texts: trainTexts.length,
        heldout_texts: heldOut.length,
        'eval/loss': final.loss,
        'eval/accuracy': final.accuracy,
        'eval/positive_fraction': mean(heldOut.map((t) => t.label)),
      });
    } finally {
      disposeModel(model);
      optimizer.dispose();
    }
  },
};

/** A new backbone and tokenizer from `model` and `tokenizer`, or the `init` stage's model; with a new scalar head. */
async function startingModel(ctx: StageContext<ClassifierSettings>, trainTexts: LabelledText[]): Promise<{ model: GPT; tokenizer: Tokenizer }> {
  const settings = ctx.settings;
  if (settings.init !== undefined) {
    const init = await loadStageModel(onlyInput(ctx, 'init').dir, { trainable: true });
    return { model: withScalarHead(init.model, ctx.seed), tokenizer: init.tokenizer };
  }
  if (settings.model === undefined) throw new StageError(`${ctx.id}: give either \`model\` (a new backbone) or \`init\` (an upstream model stage)`);
  const tokenizer = buildTokenizer(tokenizerOptions(settings.tokenizer), trainTexts.map((t) => t.text));
  const config = resolveConfig(scratchConfig(settings.model, tokenizer.vocabSize), `${ctx.id}: model (family ${settings.model.family})`);
  return { model: createModel(config, { seed: ctx.seed, scalarHead: true }), tokenizer };
}

/** The texts labelled 0 or 1 (unlabelled ones skipped); any other label is an error naming the text. */
function labelled(texts: TextRecord[], dir: string, split: string): LabelledText[] {
  const out: LabelledText[] = [];
  texts.forEach((t, i) => {
    if (t.label === undefined) return;
    if (t.label !== 0 && t.label !== 1) {
      throw new StageError(`${dir}/texts.jsonl: ${split} text ${i + 1} has label ${JSON.stringify(t.label)}; the classifier needs 0 (negative) or 1 (positive)`);
    }
    out.push({ text: t.text, label: t.label });
  });
  if (split === 'train' && out.length === 0) throw new StageError(`${dir}: no labelled train texts`, 'use a dataset source with labels (bundled, aclimdb, or a label column)');
  return out;
}

async function evaluate(scorer: ScalarScorer, texts: LabelledText[]): Promise<{ loss: number; accuracy: number }> {
  return evaluateLabelled(scorer, texts.map((t) => t.text), texts.map((t) => t.label));
}
