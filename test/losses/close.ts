import assert from 'node:assert/strict';

/** Asserts that each actual value is within `tolerance` of the expected one. */
export function assertClose(actual: ArrayLike<number>, expected: readonly number[], tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length, `length ${actual.length} != ${expected.length}`);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= tolerance, `[${i}]: ${actual[i]} != ${e}`));
}
