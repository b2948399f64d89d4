/**
 * Progress of a stage: a cli-progress bar (step, ETA, latest loss) on a terminal, fitted
 * to its width; plain lines every 10% or every few seconds when the output is not a
 * terminal or under CI, so that logs stay readable. Each line starts with the instance id
 * once (a label equal to it is not repeated).
 */
import cliProgress from 'cli-progress';
import { formatDuration } from '../core/duration.ts';
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
      const shown = label === id ? '' : label;
      bar = new cliProgress.SingleBar(
        { stream, format: (_options, params, payload) => barLine(id, shown, params, payload.latest ?? '', stream.columns ?? 80), hideCursor: true, etaBuffer: 20 },
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

/**
 * `[id] label [=====-----] 12/30 eta 3m59s loss 5.194`, fitted to `columns`: the bar
 * shrinks first (to 10), then the latest values and the label go, so that no line wraps
 * or is cut.
 */
export function barLine(id: string, label: string, params: { progress: number; value: number; total: number; eta: number }, latest: string, columns: number): string {
  const eta = params.progress > 0 && params.progress < 1 && Number.isFinite(params.eta) ? ` eta ${formatDuration(params.eta)}` : '';
  const counts = ` ${params.value}/${params.total}${eta}`;
  const width = Math.max(20, columns - 1);
  const fit = (head: string, tail: string) => {
    const room = width - head.length - counts.length - tail.length - 3;
    return room >= 10 ? `${head} [${bars(params.progress, Math.min(30, room))}]${counts}${tail}` : undefined;
  };
  const prefix = label ? `[${id}] ${label}` : `[${id}]`;
  return fit(prefix, latest ? ` ${latest}` : '') ?? fit(prefix, '') ?? fit(`[${id}]`, '') ?? `[${id}]${counts}`.slice(0, width);
}

function bars(progress: number, size: number): string {
  const done = Math.round(Math.min(1, Math.max(0, progress)) * size);
  return '\u2588'.repeat(done) + '\u2591'.repeat(size - done);
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
    const eta = fraction > 0 && fraction < 1 ? ` eta ${formatDuration((elapsed * (1 - fraction)) / fraction / 1000)}` : '';
    const values = formatValues(latest);
    const prefix = label === id ? `[${id}]` : `[${id}] ${label}`;
    output.write(`${prefix} ${step}/${total} (${Math.floor(fraction * 100)}%)${eta}${values ? ' ' + values : ''}\n`);
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
