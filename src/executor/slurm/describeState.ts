/**
 * One line per instance of a run on Slurm, for `dpo-run status` and `--wait`:
 *
 *   cached
 *   queued (job 12: waiting for sft)
 *   running on node7 (job 12, 00:03:10 elapsed, step 120)
 *   done on node7 (job 12, 95s)
 *   failed (job 13, exit 1): the error it recorded     + the last lines of its log
 *   cancelled (job 14): not run: dpo[beta=0.1] failed
 *   interrupted (job 12): ...; run the command again to resume it
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import type { InstanceRecord } from '../../core/manifestRecord.ts';
import { exitText, type InstanceState } from './runState.ts';
import { isActive } from './slurmCommands.ts';

export function describeInstance(state: InstanceState, states: readonly InstanceState[]): string {
  const { record, job } = state;
  const jobId = record.job?.id;
  const node = job?.node ?? record.job?.node;
  switch (record.status) {
    case 'queued': {
      if (!jobId) return 'queued';
      const waiting = job?.reason === 'Dependency' ? waitingFor(state, states) : undefined;
      const restarts = job && job.restarts > 0 ? `, requeued ${job.restarts}x` : '';
      return `queued (job ${jobId}${restarts}${waiting ? `: waiting for ${waiting}` : job && job.reason !== 'None' ? `: ${job.reason}` : ''})`;
    }
    case 'running': {
      const step = lastLoggedStep(state);
      return `running${node ? ` on ${node}` : ''} (job ${jobId ?? '?'}${job ? `, ${job.runTime} elapsed` : ''}${step ? `, ${step}` : ''})`;
    }
    case 'done':
      return `done${node ? ` on ${node}` : ''}${jobId ? ` (job ${jobId}${duration(record)})` : ''}`;
    case 'failed':
      return `failed${jobId ? ` (job ${jobId}${job && !isActive(job.state) ? `, ${exitText(job)}` : ''})` : ''}: ${record.error ?? 'see its log'}`;
    case 'cancelled':
    case 'interrupted':
      return `${record.status}${jobId ? ` (job ${jobId})` : ''}${record.error ? `: ${record.error}` : ''}`;
    default:
      return record.status;
  }
}

/** The instances this one waits for: those it uses that are not done yet. */
function waitingFor(state: InstanceState, states: readonly InstanceState[]): string | undefined {
  const waiting = states.filter((s) => state.upstream.includes(s.id) && (s.record.status === 'queued' || s.record.status === 'running'));
  return waiting.length > 0 ? waiting.map((s) => s.id).join(', ') : undefined;
}

function duration(record: InstanceRecord): string {
  if (!record.started || !record.ended) return '';
  const seconds = (Date.parse(record.ended) - Date.parse(record.started)) / 1000;
  return Number.isFinite(seconds) ? `, ${seconds.toFixed(0)}s` : '';
}

/** `step 120` from the last row of metrics.csv in its work folder, else the last progress line of its log (`sft 28/30`). */
export function lastLoggedStep(state: InstanceState): string | undefined {
  const metrics = tail(`${state.record.output}.partial/metrics.csv`, 4096);
  const header = metrics && tail(`${state.record.output}.partial/metrics.csv`, 4096, true);
  if (metrics && header) {
    const columns = header.split('\n')[0].split(',');
    const last = metrics.trimEnd().split('\n').at(-1)!.split(',');
    const at = columns.indexOf('step');
    if (at >= 0 && last[at] !== undefined && /^\d+$/.test(last[at])) return `step ${last[at]}`;
  }
  const log = state.record.job?.log ? tail(state.record.job.log, 8192) : undefined;
  const prefix = `[${state.id}] `;
  const progress = log?.split('\n').reverse().find((line) => line.startsWith(prefix) && /\d+\/\d+/.test(line));
  return progress ? /(\S+ )?\d+\/\d+/.exec(progress.slice(prefix.length))![0] : undefined;
}

/** The last `n` non-empty lines of an instance's log. */
export function logTail(state: InstanceState, n = 5): string[] {
  const text = state.record.job?.log ? tail(state.record.job.log, 8192) : undefined;
  if (text === undefined) return state.record.job?.log ? [`(no log at ${state.record.job.log}: the job never wrote it; is runs/ on a file system the nodes share?)`] : [];
  return text.split('\n').filter((line) => line.trim() !== '').slice(-n);
}

/** The last `bytes` of a file (or its first, with `head`); undefined when it is not there. */
function tail(file: string, bytes: number, head = false): string | undefined {
  if (!existsSync(file)) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(bytes, size);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, head ? 0 : size - length);
    return buffer.toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
