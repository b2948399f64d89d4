/**
 * Human judgments of pairs of responses (the DPO paper's human study, Table 2): a
 * JSON-lines file, one pair per line,
 *
 *   {"prompt": "...", "response_a": "...", "response_b": "...", "human": "A", "group": "DPO"}
 *   {"prompt": "...", "response_a": "...", "response_b": "...", "humans": ["A", "B", "tie"]}
 *
 * `human` (one annotator) or `humans` (one or more) say which response each annotator
 * preferred: A, B or tie (any case). `group` (or `policy`) labels the row for the table,
 * like the paper's columns (the method whose sample was set against the baseline); rows
 * without one are in the group `all`. A malformed line is a StageError naming the file
 * and the line.
 */
import { StageError } from '../core/errors.ts';
import { readJsonlObjects } from '../core/io/jsonl.ts';
import type { Verdict } from './judges/index.ts';

export interface HumanJudgment {
  /** `path:line`, for messages. */
  where: string;
  group: string;
  prompt: string;
  responseA: string;
  responseB: string;
  /** Each annotator's verdict, for response A: 1 (A preferred), 0 (B), 0.5 (a tie). */
  humans: Verdict[];
}

export const DEFAULT_GROUP = 'all';

const CHOICES: Record<string, Verdict> = { a: 1, b: 0, tie: 0.5 };

export async function readHumanLabels(path: string): Promise<HumanJudgment[]> {
  const rows = await readJsonlObjects(path, humanJudgment);
  if (rows.length === 0) throw new StageError(`${path}: no human judgments`, 'give one JSON object per line: {"prompt", "response_a", "response_b", "human": "A"}');
  return rows;
}

/** One line of the file, checked. */
export function humanJudgment(record: Record<string, unknown>, where: string): HumanJudgment {
  const text = (name: string) => {
    const value = record[name];
    if (typeof value !== 'string') throw new StageError(`${where}: "${name}" is ${value === undefined ? 'missing' : 'not a string'}`, 'a row is {"prompt", "response_a", "response_b", "human": "A"} (or "humans": [...])');
    return value;
  };
  if (record.human !== undefined && record.humans !== undefined) throw new StageError(`${where}: give "human" or "humans", not both`);
  const choices = record.humans ?? (record.human === undefined ? undefined : [record.human]);
  if (!Array.isArray(choices) || choices.length === 0) throw new StageError(`${where}: no human choice ("human": "A", or "humans": ["A", "B"])`);
  const humans = choices.map((choice) => {
    const verdict = typeof choice === 'string' ? CHOICES[choice.trim().toLowerCase()] : undefined;
    if (verdict === undefined) throw new StageError(`${where}: a human choice must be A, B or tie, got ${JSON.stringify(choice)}`);
    return verdict;
  });
  const group = record.group ?? record.policy ?? DEFAULT_GROUP;
  if (typeof group !== 'string' || group === '') throw new StageError(`${where}: "group" must be a non-empty string`);
  return { where, group, prompt: text('prompt'), responseA: text('response_a'), responseB: text('response_b'), humans };
}
