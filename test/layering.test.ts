/**
 * The floors of src/, read from the top down: a folder may import its own floor's folders
 * (without a cycle) and the floors below, never one above. See the README's map.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

const src = join(import.meta.dirname, '..', 'src');

/** Folder -> floor; higher floors may import lower ones. */
export const FLOORS: Record<string, number> = {
  cli: 7,
  executor: 6,
  pipeline: 6,
  stages: 5,
  sft: 4,
  preferences: 4,
  pairwise: 4,
  ppo: 4,
  bestOfN: 4,
  evaluation: 4,
  report: 4,
  training: 3,
  rewards: 3,
  model: 2,
  losses: 2,
  data: 2,
  tokenizer: 2,
  backend: 1,
  core: 0,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function folderOf(file: string): string {
  return relative(src, file).split(sep)[0];
}

/** [from folder, to folder, importing file, imported file] for every relative import across folders. */
function crossFolderImports(): [string, string, string, string][] {
  const edges: [string, string, string, string][] = [];
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.\.?\/[^'"]+)['"]/g)) {
      const target = normalize(join(dirname(file), match[1]));
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from !== to) edges.push([from, to, relative(src, file), relative(src, target)]);
    }
  }
  return edges;
}

describe('the layering of src/', () => {
  const edges = crossFolderImports();

  it('puts every folder of src/ on a floor', () => {
    const folders = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());
    for (const folder of folders) assert.ok(folder in FLOORS, `src/${folder} has no floor in test/layering.test.ts`);
    assert.deepEqual(readdirSync(src).filter((name) => !statSync(join(src, name)).isDirectory()), [], 'files directly in src/');
  });

  it('has no import from a lower floor to a higher one', () => {
    const upward = edges.filter(([from, to]) => FLOORS[to] > FLOORS[from]).map(([, , file, target]) => `${file} imports ${target}`);
    assert.deepEqual(upward, []);
  });

  it('has no cycle between folders', () => {
    const next = new Map<string, Set<string>>();
    for (const [from, to] of edges) next.set(from, (next.get(from) ?? new Set()).add(to));
    const state = new Map<string, 'open' | 'closed'>();
    const visit = (folder: string, path: string[]): void => {
      if (state.get(folder) === 'closed') return;
      assert.notEqual(state.get(folder), 'open', `a cycle: ${[...path, folder].join(' -> ')}`);
      state.set(folder, 'open');
      for (const to of next.get(folder) ?? []) visit(to, [...path, folder]);
      state.set(folder, 'closed');
    };
    for (const folder of next.keys()) visit(folder, []);
  });
});
