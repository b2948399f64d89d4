/**
 * How a broadcasting binary op reads its operands: the output shape with size-1 axes
 * dropped and neighbouring axes merged where both operands allow it, and each operand's
 * element stride per axis (0 where it is broadcast). Shapes align from the right.
 */
export interface BroadcastLayout {
  /** The output shape as the op sees it (tf's broadcast result). */
  outShape: number[];
  /** The same elements in fewer axes, for the loops (at least one axis). */
  shape: number[];
  a: number[];
  b: number[];
}

/** Dense element strides of a shape aligned to `rank` axes, 0 on size-1 axes. */
function stridesIn(shape: number[], rank: number): number[] {
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[rank - shape.length + i] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

export function broadcastLayout(aShape: number[], bShape: number[]): BroadcastLayout | undefined {
  const rank = Math.max(aShape.length, bShape.length);
  const outShape: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aShape[i - (rank - aShape.length)] ?? 1, db = bShape[i - (rank - bShape.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    outShape.push(da === 1 ? db : da);
  }
  const sa = stridesIn(aShape, rank), sb = stridesIn(bShape, rank);
  const shape: number[] = [], a: number[] = [], b: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (outShape[i] === 1) continue;
    const last = shape.length - 1;
    const merges = (s: number[], t: number[]) => t[last] === s[i] * outShape[i];
    if (last >= 0 && merges(sa, a) && merges(sb, b)) {
      shape[last] *= outShape[i];
      a[last] = sa[i];
      b[last] = sb[i];
    } else {
      shape.push(outShape[i]);
      a.push(sa[i]);
      b.push(sb[i]);
    }
  }
  if (shape.length === 0) return { outShape, shape: [1], a: [0], b: [0] };
  return { outShape, shape, a, b };
}
