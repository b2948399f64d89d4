/**
 * Progress of a stage: a cli-progress bar (step, ETA, latest loss) on a terminal; plain
 * lines every 10% or every few seconds when the output is not a terminal or under CI,
 * so that logs stay readable.
 */
import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../core/stageContract.ts';

/** Where a run's messages go, and whether it is an interactive terminal. */
export interface Output {
  write(text: string): void;
  /** The stream a progress bar draws on, when interactive. */
  tty?: NodeJS.WriteStream;
}

/** The process's stderr, interactive when it is a TTY and CI is not set. */
export function processOutput(): Output {
  const interactive = process.stderr.isTTY === true && !process.env.CI;
  // On a terminal a message first clears the line, where a progress bar may be drawn; the
  // bar draws itself again below it at its next update.
  const clear = interactive ? '\r\x1b[2K' : '';
  return { write: (text) => void process.stderr.write(clear + text), tty: interactive ? process.stderr : undefined };
}

const PLAIN_EVERY_FRACTION = 0.1;
const PLAIN_EVERY_MS = 5000;

export function createProgress(id: string, output: Output): ProgressReporter {
  return output.tty ? barProgress(id, output.tty) : plainProgress(id, output);
}

function formatValues(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name} ${Number.isInteger(value) ? value : value.toPrecision(4)}`)
    .join(' ');
}

function barProgress(id: string, stream: NodeJS.WriteStream): ProgressReporter {
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total, label) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        { stream, format: `[${id}] ${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {latest}`, hideCursor: true, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { latest: '' });
    },
    update(step, values = {}) {
      bar?.update(step, { latest: formatValues(values) });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

function plainProgress(id: string, output: Output): ProgressReporter {
  let total = 0;
  let label = '';
  let startedAt = 0;
  let lastAt = 0;
  let lastFraction = 0;
  let latest: Record<string, number> = {};
  let step = 0;
  const line = () => {
    const fraction = total > 0 ? step / total : 0;
    const elapsed = Date.now() - startedAt;
    const eta = fraction > 0 && fraction < 1 ? ` eta ${formatSeconds((elapsed * (1 - fraction)) / fraction)}` : '';
    const values = formatValues(latest);
    output.write(`[${id}] ${label} ${step}/${total} (${Math.floor(fraction * 100)}%)${eta}${values ? ' ' + values : ''}\n`);
    lastAt = Date.now();
    lastFraction = fraction;
  };
  return {
    start(t, l) {
      [total, label, step, latest] = [t, l, 0, {}];
      startedAt = lastAt = Date.now();
      lastFraction = 0;
    },
    update(s, values) {
      step = s;
      if (values) latest = values;
      const fraction = total > 0 ? step / total : 0;
      if (fraction - lastFraction >= PLAIN_EVERY_FRACTION || Date.now() - lastAt >= PLAIN_EVERY_MS) line();
    },
    stop() {
      if (total > 0 && lastFraction < 1 && step > 0) line();
      total = 0;
    },
  };
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
