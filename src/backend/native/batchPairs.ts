/**
 * Batch broadcasting for matrix products: the output batch shape of a (...batchA, m, k) by
 * (...batchB, k, n) product, and for each output matrix (row-major over that shape) which
 * matrix of A and of B it multiplies. Batch axes align from the right; size 1 broadcasts.
 */
export function batchPairs(batchA: number[], batchB: number[]): { outBatch: number[]; a: number[]; b: number[] } | undefined {
  const rank = Math.max(batchA.length, batchB.length);
  const dimA = (i: number) => batchA[i - (rank - batchA.length)] ?? 1;
  const dimB = (i: number) => batchB[i - (rank - batchB.length)] ?? 1;
  const outBatch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = dimA(i), db = dimB(i);
    if (da !== db && da !== 1 && db !== 1) return undefined;
    outBatch.push(da === 1 ? db : da);
  }
  const count = outBatch.reduce((p, d) => p * d, 1);
  const a: number[] = new Array(count), b: number[] = new Array(count);
  for (let flat = 0; flat < count; flat++) {
    let rest = flat, ia = 0, ib = 0, strideA = 1, strideB = 1;
    for (let i = rank - 1; i >= 0; i--) {
      const index = rest % outBatch[i];
      rest = Math.floor(rest / outBatch[i]);
      if (dimA(i) !== 1) ia += index * strideA;
      if (dimB(i) !== 1) ib += index * strideB;
      strideA *= dimA(i);
      strideB *= dimB(i);
    }
    a[flat] = ia;
    b[flat] = ib;
  }
  return { outBatch, a, b };
}
