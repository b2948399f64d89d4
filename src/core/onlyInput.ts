/**
 * The upstream output a stage's reference names, when the stage needs exactly one (a
 * policy to train or sample from, a set of pairs).
 */
import { StageError } from './errors.ts';
import type { StageContext, StageOutput } from './stageContract.ts';

export function onlyInput(ctx: StageContext<unknown>, path: string): StageOutput {
  const outputs = ctx.inputs[path] ?? [];
  if (outputs.length !== 1) {
    throw new StageError(`${ctx.id}: ${path} must name one stage instance, got ${outputs.length} (${outputs.map((o) => o.id).join(', ') || 'none'})`);
  }
  return outputs[0];
}
