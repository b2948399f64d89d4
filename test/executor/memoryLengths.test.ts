/**
 * The lengths the memory estimate takes: a sampled sequence at the prompt allowance plus
 * its max_new_tokens (never past the context), and the pairs of a preferences stage at its
 * own; pairs read from a file, whose lengths are unknown before the run, at the context.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMPT_ALLOWANCE } from '../../src/core/memoryNeeds.ts';
import { estimatePlan } from '../../src/executor/memoryCheck.ts';
import { loadPipeline } from '../../src/pipeline/index.ts';

const pipeline = (prefs: string) => `name: lengths
seed: 0
stages:
  data:
    kind: dataset
    source: {kind: bundled, sets: [yelp]}
  sft:
    kind: sft
    data: data
    tokenizer: {kind: word, vocab_size: 500}
    model: {n_layer: 2, n_head: 2, n_embd: 32, context_length: 1024}
    train: {lr: 0.001, batch_size: 4}
  prefs:
    kind: preferences
    policy: sft
${prefs}
  dpo:
    kind: dpo
    policy: sft
    pairs: prefs
    beta: 0.1
    train: {lr: 0.000001, batch_size: 4}
`;

describe('the lengths of the memory estimate', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpo-run-lengths-'));
    writeFileSync(join(dir, 'pairs.jsonl'), '{"prompt": "a", "chosen": "b", "rejected": "c"}\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function activations(prefs: string): Promise<{ sft: number; dpo: number; prefs?: number }> {
    const file = join(dir, 'p.yaml');
    writeFileSync(file, pipeline(prefs));
    const loaded = await loadPipeline(file);
    assert.equal(loaded.errors, undefined, JSON.stringify(loaded.errors));
    const estimates = estimatePlan(loaded.plans![0], { fusedKernels: true });
    return { sft: estimates.get('sft')!.activations, dpo: estimates.get('dpo')!.activations, prefs: estimates.get('prefs')?.activations };
  }

  it('takes sampled pairs at the prompt allowance and max_new_tokens, and pairs from a file at the context', async () => {
    const sampled = await activations(`    data: data\n    reward: {kind: sentiment_lexicon}\n    sampling: {max_new_tokens: 16}`);
    const longer = await activations(`    data: data\n    reward: {kind: sentiment_lexicon}\n    sampling: {max_new_tokens: ${1024 - PROMPT_ALLOWANCE}}`);
    const fromFile = await activations(`    source: {path: ${join(dir, 'pairs.jsonl')}}`);
    assert.ok(sampled.dpo < longer.dpo / 4, `${PROMPT_ALLOWANCE + 16} tokens a sequence (${sampled.dpo}) against 1024 (${longer.dpo})`);
    assert.equal(fromFile.dpo, longer.dpo, 'pairs from a file: the whole context');
    assert.ok(sampled.prefs! > 0 && sampled.prefs! < longer.prefs!, 'the sampling stage itself');
    assert.equal(sampled.sft, longer.sft, 'sft does not read the pairs');
  });
});
