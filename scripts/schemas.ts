/**
 * `npm run schemas`: writes schemas/pipeline.schema.json and src/core/settings/<kind>.ts
 * from the registry (src/stages/index.ts), and removes settings types of kinds no longer
 * registered. Run it after adding a stage kind or changing a kind's schema.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSchemaFiles, SETTINGS_DIR } from './schemaFiles.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = await generateSchemaFiles();
for (const [path, content] of files) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
  console.log(`wrote ${path}`);
}
await mkdir(join(root, SETTINGS_DIR), { recursive: true });
for (const name of await readdir(join(root, SETTINGS_DIR))) {
  const path = `${SETTINGS_DIR}/${name}`;
  if (name.endsWith('.ts') && !files.has(path)) {
    await rm(join(root, path));
    console.log(`removed ${path}`);
  }
}
