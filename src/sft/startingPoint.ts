/**
 * Where the sft stage starts: a new model of the family `model.family` (GPT-2, Llama,
 * GPT-NeoX or GPT-J; src/model/scratchConfig.ts) with a tokenizer built from the train texts
 * (`model`, `tokenizer`), a model folder on disk (`init`: this project's, or a Hugging
 * Face GPT-2 folder, which gets GPT-2's tokenizer), or an upstream stage's final model
 * (`init_stage`). Each brings its tokenizer.
 */
import { resolve } from 'node:path';
import { UserError } from '../core/errors.ts';
import { createModel, loadModelFolder, loadStageModel, resolveConfig, type GPT } from '../model/index.ts';
import { scratchConfig } from '../model/scratchConfig.ts';
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
  const config = resolveConfig(scratchConfig(settings.model, tokenizer.vocabSize), `sft model (family ${settings.model.family})`);
  return { model: createModel(config, { seed }), tokenizer };
}
