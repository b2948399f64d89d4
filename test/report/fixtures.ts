/** Frontier and win-rate rows made by hand, for the report's tests. */
import type { FrontierRow } from '../../src/evaluation/frontierTable.ts';
import type { WinRateRow } from '../../src/evaluation/winRateTable.ts';

export function frontierRow(method: string, instance: string, kl: number, reward: number, extra: Partial<FrontierRow> = {}): FrontierRow {
  return {
    policy: instance,
    instance,
    method,
    settings: '',
    checkpoint_step: null,
    temperature: 1,
    reward_mean: reward,
    reward_se: 0.01,
    kl_mean: kl,
    kl_se: 0.1,
    kl_sample_mean: kl,
    kl_sample_se: 0.3,
    kl_bound: null,
    length_mean: 12,
    eos_rate: 0.5,
    distinct_1: 0.5,
    distinct_2: 0.8,
    identical_share: 0,
    n_prompts: 8,
    n_samples: 32,
    ...extra,
  };
}

/** DPO above PPO everywhere, PPO-GT above DPO at KL 4, no Unlikelihood. */
export const FRONTIER: FrontierRow[] = [
  frontierRow('sft', 'sft', 0, 0.5),
  frontierRow('dpo', 'dpo[beta=0.1]', 2, 0.8, { checkpoint_step: 10, policy: 'dpo[beta=0.1]@step=10' }),
  frontierRow('dpo', 'dpo[beta=0.1]', 4, 0.9),
  frontierRow('dpo', 'dpo[beta=1]', 1, 0.6),
  frontierRow('ppo', 'ppo[target=3]', 3, 0.7),
  frontierRow('ppo', 'ppo[target=6]', 6, 0.85),
  frontierRow('ppo_gt', 'ppo_gt', 4, 0.95),
  frontierRow('preferred_ft', 'preferred_ft', 1.5, 0.55),
  frontierRow('best_of_n', 'best_of_n', 0, 0.5, { policy: 'best_of_n@n=1', kl_bound: 0, kl_se: null }),
  frontierRow('best_of_n', 'best_of_n', 1.1, 0.7, { policy: 'best_of_n@n=4', kl_bound: 0.636 }),
  frontierRow('dpo', 'dpo[beta=0.1]', 4.2, 0.7, { temperature: 0 }),
];

export function winRateRow(policy: string, method: string, temperature: number, winRate: number): WinRateRow {
  return { policy, method, settings: '', checkpoint_step: null, temperature, baseline: 'sft', judge: 'reward', win_rate: winRate, win_rate_se: 0.05, win_rate_ci_low: winRate - 0.1, win_rate_ci_high: winRate + 0.1, n_comparisons: 32, ties: 2, judge_failures: 0 };
}

export const WIN_RATES: WinRateRow[] = [0, 0.5, 1].flatMap((t) => [winRateRow('sft', 'sft', t, 0.5), winRateRow('dpo[beta=0.1]', 'dpo', t, 0.8 - t / 10), winRateRow('ppo[target=3]', 'ppo', t, 0.6)]);

/**
 * Checks that an SVG document is well formed (every tag closed in order, attributes
 * quoted) and returns the number of data points it draws: the paths inside symbol marks
 * (`<g class="mark-symbol role-mark ...">`), legends left out.
 */
export function svgPointMarks(svg: string): number {
  assert(svg.startsWith('<svg'), 'starts with <svg');
  const stack: string[] = [];
  let points = 0;
  let inSymbolMark = 0;
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    assert(!/[<>]/.test(svg.slice(last, m.index)), `stray < or > before offset ${m.index}`);
    last = tag.lastIndex;
    if (m[0].startsWith('<!--')) continue;
    const [, closing, name, attributes, selfClosing] = m;
    if (closing) {
      assert(stack.pop() === name, `</${name}> closes the wrong element`);
      if (name === 'g' && inSymbolMark > 0 && stack.length < inSymbolMark) inSymbolMark = 0;
    } else if (!selfClosing) {
      stack.push(name);
      if (name === 'g' && /class="mark-symbol role-mark/.test(attributes)) inSymbolMark = stack.length;
    }
    if (name === 'path' && !closing && inSymbolMark > 0) points++;
  }
  assert(stack.length === 0, `unclosed: ${stack.join(' ')}`);
  assert(!/[<>]/.test(svg.slice(last)), 'stray text after the last tag');
  return points;
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`malformed SVG: ${message}`);
}
