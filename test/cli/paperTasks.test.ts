import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { WIN_RATE_COLUMNS } from '../../src/evaluation/winRateTable.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'dpo-run.js');

/** Counts cut further than the pipelines' own, so that each run stays well under a minute. */
const smaller = [
  'stages.sft.train.max_steps=8',
  'stages.dpo.train.max_steps=3',
  'stages.rm.train.max_steps=3',
  'stages.bon.max_prompts=3',
  'stages.eval.max_prompts=3',
  'stages.eval.temperatures=[1]',
].flatMap((s) => ['--set', s]);

describe('the TL;DR and HH pipelines through the CLI, on the format fixtures', function () {
  this.timeout(180000);
  let runs: string;
  // From the repository root: the pipelines name data/fixtures/ relative to the current folder.
  const dpoRun = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  before(() => {
    runs = mkdtempSync(join(tmpdir(), 'dpo-run-paper-tasks-'));
  });
  after(() => rmSync(runs, { recursive: true, force: true }));

  for (const { name, fixtures } of [
    { name: 'tldr-paper', fixtures: { 'data.source.path': 'tldr-sft.jsonl', 'data.source.test_path': 'tldr-sft.jsonl', 'prefs.source.path': 'tldr-comparisons.jsonl' } },
    { name: 'hh-paper', fixtures: { 'data.source.path': 'hh-rlhf.jsonl', 'data.source.test_path': 'hh-rlhf-test.jsonl', 'prefs.source.path': 'hh-rlhf.jsonl' } },
  ]) {
    it(`validates ${name}.yaml once --set points it at existing files, naming each missing one before`, () => {
      const missing = dpoRun('validate', `pipelines/${name}.yaml`, '--json');
      assert.equal(missing.status, 2, missing.stderr);
      const paths = JSON.parse(missing.stdout) as { code: string; path: string }[];
      assert.deepEqual(paths.map((d) => d.code), paths.map(() => 'missing-path'));
      assert.deepEqual(paths.map((d) => d.path).sort(), ['/stages/data/source/path', '/stages/data/source/test_path', '/stages/prefs/source/path', '/stages/sft/init']);

      const sets = Object.entries(fixtures).flatMap(([key, file]) => ['--set', `stages.${key}=data/fixtures/${file}`]);
      const ok = dpoRun('validate', `pipelines/${name}.yaml`, ...sets, '--set', 'stages.sft.init=test/fixtures/gpt2-tiny');
      assert.equal(ok.status, 0, ok.stderr);
    });
  }

  it("names a missing human_labels file at its key before anything runs", () => {
    const result = dpoRun('validate', 'pipelines/tldr-tiny.yaml', '--set', 'stages.eval.win_rate.human_labels=data/fixtures/no-such-study.jsonl', '--json');
    assert.equal(result.status, 2, result.stderr);
    // Set on the command line, a missing file is an error of that --set (in the file it would be missing-path).
    const [issue, ...more] = JSON.parse(result.stdout) as { code: string; path: string; message: string }[];
    assert.deepEqual([issue.code, issue.path, more.length], ['bad-set', '/stages/eval/win_rate/human_labels', 0]);
    assert.match(issue.message, /no such file or folder: data\/fixtures\/no-such-study\.jsonl/);
  });

  // Each on the paper's model family for the task, tiny and randomly initialised: GPT-J (GPT-J 6B) for TL;DR, GPT-NeoX (Pythia 2.8B) for HH.
  for (const { name, beta, baselineStart, task, modelType } of [
    { name: 'tldr-tiny', beta: '0.5', baselineStart: 'SUBREDDIT: r/', task: 'TL;DR summarization', modelType: 'gptj' },
    { name: 'hh-tiny', beta: '0.1', baselineStart: '\n\nHuman: ', task: 'Anthropic HH', modelType: 'gpt_neox' },
  ]) {
    it(`runs ${name}.yaml on a tiny ${modelType} to a report with a win-rate table against the dataset's own completions`, () => {
      const result = dpoRun(`pipelines/${name}.yaml`, '--runs-dir', runs, ...smaller);
      assert.equal(result.status, 0, result.stderr);
      const [runId] = readdirSync(join(runs, name));
      const outputs = join(runs, name, runId, 'outputs');

      // The policy, DPO's model and the reward model are all of the task's family.
      for (const stage of ['sft', 'dpo', 'rm']) {
        const config = JSON.parse(readFileSync(join(outputs, stage, 'model', 'config.json'), 'utf8'));
        assert.equal(config.model_type, modelType, `${stage}'s model`);
      }

      const winRates: Record<string, string>[] = parse(readFileSync(join(outputs, 'eval', 'win_rates.csv'), 'utf8'), { columns: true });
      assert.deepEqual(Object.keys(winRates[0]), Object.keys(WIN_RATE_COLUMNS));
      assert.deepEqual([...new Set(winRates.map((r) => r.policy))].sort(), ['bon@n=1', 'bon@n=4', 'dpo', 'sft']);
      for (const r of winRates) {
        assert.equal(r.baseline, 'dataset');
        assert.equal(r.judge, 'reward');
        assert.ok(Number(r.win_rate) >= 0 && Number(r.win_rate) <= 1, JSON.stringify(r));
      }
      assert.equal(winRates.find((r) => r.policy === 'dpo')!.settings, `beta=${beta}`);

      // The baseline's completions are the references of prompts in the task's template.
      const baseline = readFileSync(join(outputs, 'eval', 'samples.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)).filter((s) => s.role === 'baseline');
      assert.ok(baseline.length > 0);
      for (const s of baseline) assert.ok(s.prompt.startsWith(baselineStart) && /(TL;DR:|\n\nAssistant:)$/.test(s.prompt), JSON.stringify(s.prompt));

      const report = readFileSync(join(outputs, 'report', 'report.md'), 'utf8');
      assert.ok(report.includes('## Win rates'));
      // The claims of the run's own experiment, told by its data source, with a verdict each.
      const paper = report.slice(report.indexOf('## Against the paper'));
      assert.ok(paper.includes(task), paper);
      assert.doesNotMatch(paper, /frontier dominates/);
      assert.equal((paper.match(/\*\*(borne out|not borne out|not measured)\*\*/g) ?? []).length, 4, paper);

      if (name === 'tldr-tiny') {
        // Table 1's form: each final model policy (not best-of-N) on the news fixture at the paper's temperatures, against the highlights.
        const ood: Record<string, string>[] = parse(readFileSync(join(outputs, 'eval', 'win_rates_ood.csv'), 'utf8'), { columns: true });
        assert.deepEqual(Object.keys(ood[0]), Object.keys(WIN_RATE_COLUMNS));
        assert.deepEqual(ood.map((r) => [r.policy, r.temperature, r.baseline]), [['sft', '0', 'dataset'], ['sft', '0.25', 'dataset'], ['dpo', '0', 'dataset'], ['dpo', '0.25', 'dataset']]);
        // Table 2's form: the reward model as judge against the made-up raters, per group.
        const human: Record<string, string>[] = parse(readFileSync(join(outputs, 'eval', 'human_agreement.csv'), 'utf8'), { columns: true });
        assert.deepEqual([...new Set(human.map((r) => r.group))], ['DPO', 'SFT', 'PPO-1']);
        assert.ok(human.some((r) => r.raters === 'human-human'));
        assert.ok(report.includes('## Out of distribution (Table 1)') && report.includes('## Judge agreement with humans (Table 2)'));
      }
    });
  }
});
