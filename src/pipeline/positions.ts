/**
 * Finds where a JSON pointer lies in the YAML source: the line and column of a value,
 * or of the key that names it.
 */
import type { Document, LineCounter, Node } from 'yaml';
import { yaml } from './yamlLibrary.ts';
import type { Segment } from './pointer.ts';

export interface Position {
  line: number;
  col: number;
}

/**
 * The position of the node at `segments`: its key when `anchor` is 'key' (an unknown key,
 * or the object a required setting is missing from), else its value. When the path
 * leaves the document (a value added by --set), the deepest node on the way is used.
 */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  segments: Segment[],
  anchor: 'key' | 'value',
): Position {
  let node: unknown = doc.contents;
  let key: unknown = undefined;
  let best = offsetOf(node) ?? 0;
  for (const segment of segments) {
    if (yaml().isAlias(node)) node = node.resolve(doc);
    let next: { key: unknown; value: unknown } | undefined;
    if (yaml().isMap(node)) {
      const pair = node.items.find((p) => (yaml().isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (pair) next = { key: pair.key, value: pair.value };
    } else if (yaml().isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item !== undefined) next = { key: item, value: item };
    }
    if (!next) return lineCounter.linePos(best);
    key = next.key;
    node = next.value;
    best = offsetOf(anchor === 'key' ? key : node) ?? offsetOf(key) ?? best;
  }
  if (anchor === 'key' && key === undefined) best = offsetOf(node) ?? best;
  return lineCounter.linePos(best);
}

function offsetOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
