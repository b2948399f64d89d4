/**
 * The one shape of a training stage stopped by a non-finite loss or gradient norm: a
 * NonFiniteError (a StageError) naming the step, whose checkpoint is the last one in the
 * output folder, or none when no checkpoint was saved, and no final model.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StageError } from '../../src/core/errors.ts';
import { listCheckpoints } from '../../src/training/checkpoints.ts';
import { NonFiniteError } from '../../src/training/nonFinite.ts';

export async function assertStopsNonFinite(run: Promise<unknown>, outDir: string): Promise<NonFiniteError> {
  let caught: unknown;
  await assert.rejects(run, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof StageError, `expected a StageError, got ${(caught as Error)?.stack ?? caught}`);
  assert.ok(caught instanceof NonFiniteError, `expected a NonFiniteError, got: ${caught.message}`);
  assert.ok(Number.isInteger(caught.step) && caught.step >= 1, caught.message);
  assert.ok(!Number.isFinite(caught.loss) || !Number.isFinite(caught.gradNorm), caught.message);
  assert.match(caught.message, new RegExp(`at step ${caught.step}\\b`));
  const kept = await listCheckpoints(outDir);
  if (kept.length === 0) {
    assert.equal(caught.checkpoint, undefined);
    assert.doesNotMatch(caught.message, /is kept/);
  } else {
    assert.deepEqual(caught.checkpoint, kept.at(-1));
    assert.ok(kept.at(-1)!.step < caught.step, caught.message);
    assert.ok(caught.message.includes(kept.at(-1)!.dir), caught.message);
  }
  assert.ok(!existsSync(join(outDir, 'model')), 'no final model');
  return caught;
}
