/**
 * A reward that pays for stopping early is flagged as collapse: PPO trained on a tiny
 * model against a toy reward of 1 / (1 + words), then evaluated (against the same reward,
 * as its ground truth) and reported. The policy learns to stop (eos is one of its
 * tokens), its reward rises above SFT's while its length falls under half of SFT's, and
 * the report's "Against the paper" flags it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { initBackend } from '../../src/backend/index.ts';
import { readFrontier } from '../../src/evaluation/frontierTable.ts';
import { disposeModel, type GPT } from '../../src/model/index.ts';
import { stageSchema } from '../../src/pipeline/schema.ts';
import { trainPpo } from '../../src/ppo/trainPpo.ts';
import { rewardKinds, type Reward } from '../../src/rewards/index.ts';
import { evaluate } from '../../src/stages/evaluate.ts';
import { report } from '../../src/stages/report.ts';
import type { EvaluateSettings } from '../../src/core/settings/evaluate.ts';
import type { PpoSettings } from '../../src/core/settings/ppo.ts';
import type { ReportSettings } from '../../src/core/settings/report.ts';
import type { StageKind, StageOutput } from '../../src/core/stageContract.ts';
import type { Tokenizer } from '../../src/tokenizer/index.ts';
import { testContext } from '../helpers/context.ts';
import { datasetStage, modelStage, PROMPTS, tinyModel, tinyTokenizer } from '../ppo/fixtures.ts';

/** 1 / (1 + the completion's number of words): the shorter, the better; nothing at all is best. */
class ShortCompletionReward implements Reward {
  readonly kind = 'short_completion';
  async score(_prompts: readonly string[], completions: readonly string[]): Promise<number[]> {
    return completions.map((text) => 1 / (1 + text.split(/\s+/).filter((w) => w !== '').length));
  }
}

/** `raw` validated against the kind's schema with its defaults filled in. */
function resolved<S>(kind: StageKind, raw: Record<string, unknown>): S {
  const settings = structuredClone({ kind: kind.kind, ...raw });
  const validate = new Ajv({ useDefaults: true, allErrors: true }).compile(stageSchema(kind));
  assert.ok(validate(settings), JSON.stringify(validate.errors));
  return settings as S;
}

describe('a reward that pays for stopping early', function () {
  this.timeout(60000);
  let tokenizer: Tokenizer;
  let initial: GPT;
  before(async () => {
    await initBackend('wasm');
    tokenizer = tinyTokenizer();
    initial = tinyModel(tokenizer, 1);
    rewardKinds.short_completion = async () => new ShortCompletionReward();
  });
  after(() => {
    delete rewardKinds.short_completion;
    disposeModel(initial);
  });

  it('is flagged as collapse in the report of the PPO policy trained against it', async () => {
    const [sft, data] = [await modelStage(initial, tokenizer, 'sft'), await datasetStage()];

    // PPO against the reward.
    const ppoCtx = await testContext(ppoTrainingSettings(), { seed: 1, id: 'ppo' });
    await trainPpo(ppoCtx, { policy: initial, tokenizer, prompts: PROMPTS, reward: new ShortCompletionReward() });
    // Its method is ppo (a learned reward), not ppo_gt: the toy reward stands for a reward model that learned to pay for brevity.
    const ppo: StageOutput = { id: 'ppo', stage: 'ppo', kind: 'ppo', dir: ppoCtx.outDir, settings: { reward: { kind: 'reward_model' } }, sweep: {} };

    // The evaluation, with the same reward as its ground truth, and the report.
    const evalSettings = resolved<EvaluateSettings>(evaluate, {
      policies: ['sft', 'ppo'], reference: 'sft', reward: { kind: 'sentiment_lexicon' }, data: 'data',
      samples_per_prompt: 4, temperatures: [1], sampling: { max_new_tokens: 8 },
    });
    const evalCtx = await testContext({ ...evalSettings, reward: { ...evalSettings.reward, kind: 'short_completion' } } as unknown as EvaluateSettings, {
      seed: 2, id: 'eval', inputs: { policies: [sft, ppo], reference: [sft], data: [data] },
    });
    await evaluate.run(evalCtx);
    const frontier = await readFrontier(evalCtx.outDir);
    const [sftPoint, ppoPoint] = ['sft', 'ppo'].map((id) => frontier.find((r) => r.policy === id)!);
    assert.ok(ppoPoint.reward_mean > sftPoint.reward_mean, `reward ${ppoPoint.reward_mean} against SFT's ${sftPoint.reward_mean}`);
    assert.ok(ppoPoint.length_mean < 0.5 * sftPoint.length_mean, `length ${ppoPoint.length_mean} against SFT's ${sftPoint.length_mean}`);

    const evaluation: StageOutput = { id: 'eval', stage: 'eval', kind: 'evaluate', dir: evalCtx.outDir, settings: {}, sweep: {} };
    const reportCtx = await testContext(resolved<ReportSettings>(report, { evaluation: 'eval' }), { inputs: { evaluation: [evaluation] } });
    await report.run(reportCtx);
    const text = readFileSync(join(reportCtx.outDir, 'report.md'), 'utf8');
    const against = text.slice(text.indexOf('## Against the paper'));
    const collapseRow = against.split('\n').find((line) => line.includes('not bought by degenerate text'));
    assert.ok(collapseRow, against);
    assert.match(collapseRow, /\*\*not borne out\*\*/);
    assert.match(collapseRow, /\*\*flagged\*\*: ppo at T = 1: /);
  });
});

function ppoTrainingSettings(): PpoSettings {
  return {
    kind: 'ppo',
    policy: 'sft',
    data: 'data',
    reward: { kind: 'reward_model', model: 'rm', text: 'prompt_and_completion', scale: 0.25 } as PpoSettings['reward'],
    value: { share_backbone: false, init: 'policy' },
    kl_coef: 0,
    kl_horizon: 10000,
    iterations: 10,
    rollout_batch: 16,
    sampling: { temperature: 1, top_k: 0, top_p: 1, max_new_tokens: 8, batch_size: 16 },
    ppo_epochs: 2,
    minibatch_size: 8,
    gamma: 1,
    lam: 0.95,
    cliprange: 0.2,
    cliprange_value: 0.2,
    vf_coef: 0.1,
    whiten_rewards: false,
    reward_norm: { normalize: true, clip: 0 },
    train: {
      optimizer: 'adam', lr: 1e-2, weight_decay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, warmup_steps: 0, decay: 'constant', min_lr_ratio: 0,
      max_grad_norm: 1, batch_size: 16, epochs: 1, max_steps: 0, eval_every: 0, eval_size: 64, checkpoint_every: 0, log_every: 1,
    },
  };
}
