/**
 * Where the sft stage starts: a new model with a tokenizer built from the train texts
 * (`model`, `tokenizer`), a model folder on disk (`init`: this project's, or a Hugging
 * Face GPT-2 folder, which gets GPT-2's tokenizer), or an upstream stage's final model
 * (`init_stage`). Each brings its tokenizer.
 */
import { resolve } from 'node:path';
import { UserError } from '../core/errors.ts';
import { createModel, loadModelFolder, loadStageModel, resolveConfig, type GPT } from '../model/index.ts';
import { buildTokenizer, tokenizerOptions, type Tokenizer } from '../tokenizer/index.ts';
import type { SftSettings } from '../core/settings/sft.ts';
import type { StageOutput } from '../core/stageContract.ts';

export interface StartingPoint {
  model: GPT;
  tokenizer: Tokenizer;
}

export async function startingPoint(
  settings: SftSettings,
  inputs: { init_stage?: StageOutput[] },
  trainTexts: readonly string[],
  seed: number,
): Promise<StartingPoint> {
  if (settings.init !== undefined) return loadModelFolder(resolve(settings.init), { trainable: true });
  if (settings.init_stage !== undefined) {
    const [upstream] = inputs.init_stage ?? [];
    if (!upstream) throw new Error(`sft: no output for init_stage ${settings.init_stage}`);
    return loadStageModel(upstream.dir, { trainable: true });
  }
  if (settings.model === undefined) throw new UserError('sft: set one of model (train from scratch), init or init_stage');
  const tokenizer = buildTokenizer(tokenizerOptions(settings.tokenizer), trainTexts);
  const { n_layer, n_head, n_embd, context_length, dropout } = settings.model;
  const config = resolveConfig(
    { vocabSize: tokenizer.vocabSize, contextLength: context_length, nLayer: n_layer, nHead: n_head, nEmbd: n_embd, dropout },
    'sft model',
  );
  return { model: createModel(config, { seed }), tokenizer };
}
