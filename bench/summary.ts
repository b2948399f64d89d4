/**
 * The headline figure of each bench case, one line per case and model shape, with each
 * backend's value side by side: for stderr after `npm run bench` prints its JSON.
 */
const HEADLINES: Record<string, { figure: string; label: string }[]> = {
  sft_step: [{ figure: 'tokens_per_second', label: 'training tokens/s' }],
  dpo_step: [{ figure: 'tokens_per_second', label: 'training tokens/s' }, { figure: 'pairs_per_second', label: 'pairs/s' }],
  generation: [{ figure: 'tokens_per_second_kv_cache', label: 'generated tokens/s (KV cache)' }],
  ppo_iteration: [{ figure: 'iteration_seconds', label: 'seconds per iteration' }],
};

type Figures = Record<string, Record<string, unknown>>;

/** `sft_step imdb, training tokens/s: native-cpu 1803 | wasm_native 1790 | stock_wasm 540` and so on. */
export function summaryLines(backend: string, cases: Record<string, Record<string, unknown>>, others: string[]): string[] {
  const lines: string[] = [];
  for (const [name, figures] of Object.entries(cases)) {
    const shapes = Object.keys(figures).filter((key) => key !== 'description' && !others.includes(key));
    for (const shape of shapes) {
      for (const { figure, label } of HEADLINES[name] ?? []) {
        const values = [[backend, (figures as Figures)[shape]?.[figure]], ...others.map((key) => [key, ((figures[key] as Figures | undefined)?.[shape])?.[figure]])];
        lines.push(`${name} ${shape}, ${label}: ${values.map(([who, value]) => `${who} ${value ?? '-'}`).join(' | ')}`);
      }
    }
  }
  return lines;
}
