import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { StageError } from '../../src/core/errors.ts';
import { urlCachePath } from '../../src/core/io/urlFile.ts';
import { resolveDatasetSettings, type SourceSettings } from '../../src/data/settings.ts';
import { localDataPath } from '../../src/data/remoteFile.ts';
import { sourceFor } from '../../src/data/sources/index.ts';
import type { SourceEnv, SourceRow } from '../../src/data/sources/types.ts';
import { describeDryRun } from '../../src/executor/dryRun.ts';
import { loadPipeline } from '../../src/pipeline/index.ts';
import { readPreferenceSource } from '../../src/preferences/source.ts';

const root = join(import.meta.dirname, '..', '..');
const fixture = (name: string) => join(root, 'data', 'fixtures', name);
const env: SourceEnv = { log: () => {}, progress: { start() {}, update() {}, stop() {} }, tick: async () => {} };

async function rowsOf(source: Record<string, unknown>): Promise<SourceRow[]> {
  const settings = resolveDatasetSettings({ source }).source as SourceSettings;
  const rows: SourceRow[] = [];
  for await (const r of sourceFor(settings).read(settings, env)) rows.push(r);
  return rows;
}

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1));
}

/** A local HTTP server of the format fixtures (and HH-RLHF gzipped, as Hugging Face publishes it), counting requests by path. */
async function fixtureServer(): Promise<{ server: Server; base: string; requests: Map<string, number> }> {
  const bodies: Record<string, Buffer> = {
    '/Anthropic/hh-rlhf/helpful-base/train.jsonl.gz': gzipSync(readFileSync(fixture('hh-rlhf.jsonl'))),
    '/tldr-sft.jsonl': readFileSync(fixture('tldr-sft.jsonl')),
    '/cnn-dailymail.csv': readFileSync(fixture('cnn-dailymail-hf.csv')),
    '/cnn-dailymail.jsonl': readFileSync(fixture('cnn-dailymail-hf.jsonl')),
    '/tldr-comparisons.jsonl': readFileSync(fixture('tldr-comparisons.jsonl')),
  };
  const requests = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const body = bodies[path];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections(); // fetch keeps its connections alive
  server.close();
  await once(server, 'close');
}

describe('a file source given by URL', () => {
  const saved = { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, DPO_RUN_OFFLINE: process.env.DPO_RUN_OFFLINE, HF_HUB_OFFLINE: process.env.HF_HUB_OFFLINE };
  let dir: string;
  let cacheDir: string;
  let served: Awaited<ReturnType<typeof fixtureServer>>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpo-run-remote-'));
    served = await fixtureServer();
  });
  beforeEach(async () => {
    process.env.XDG_CACHE_HOME = await mkdtemp(join(dir, 'cache-'));
    cacheDir = join(process.env.XDG_CACHE_HOME, 'dpo-run');
    delete process.env.DPO_RUN_OFFLINE;
    delete process.env.HF_HUB_OFFLINE;
  });
  after(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (served.server.listening) await close(served.server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is downloaded once into the user\'s cache under its own name, then read from there, also with the server gone', async () => {
    const { server, base, requests } = await fixtureServer();
    const url = `${base}/Anthropic/hh-rlhf/helpful-base/train.jsonl.gz?download=true`;
    const local = await rowsOf({ kind: 'hh_rlhf', path: fixture('hh-rlhf.jsonl') });

    assert.deepEqual(await rowsOf({ kind: 'hh_rlhf', path: url }), local); // gunzipped: the name keeps .gz
    assert.equal(requests.get('/Anthropic/hh-rlhf/helpful-base/train.jsonl.gz'), 1);
    const cached = urlCachePath(url, cacheDir);
    assert.equal(basename(cached), 'train.jsonl.gz');
    assert.deepEqual(await filesUnder(cacheDir), [cached.slice(cacheDir.length + 1)]);

    assert.deepEqual(await rowsOf({ kind: 'hh_rlhf', path: url }), local);
    assert.equal(requests.get('/Anthropic/hh-rlhf/helpful-base/train.jsonl.gz'), 1, 'no second request');
    await close(server);
    assert.deepEqual(await rowsOf({ kind: 'hh_rlhf', path: url }), local);
    process.env.DPO_RUN_OFFLINE = '1';
    assert.deepEqual(await rowsOf({ kind: 'hh_rlhf', path: url }), local, 'offline, the cached file is enough');
  });

  it('works for every file source: tldr, jsonl, csv, cnn_dailymail (JSON lines and CSV), a test_path, and preference files', async () => {
    const { base } = served;
    const same = async (remote: Record<string, unknown>, local: Record<string, unknown>) => assert.deepEqual(await rowsOf(remote), await rowsOf(local));
    await same({ kind: 'tldr', path: `${base}/tldr-sft.jsonl` }, { kind: 'tldr', path: fixture('tldr-sft.jsonl') });
    await same({ kind: 'jsonl', path: `${base}/tldr-sft.jsonl`, text_field: 'post' }, { kind: 'jsonl', path: fixture('tldr-sft.jsonl'), text_field: 'post' });
    await same({ kind: 'csv', path: `${base}/cnn-dailymail.csv`, text_column: 'article' }, { kind: 'csv', path: fixture('cnn-dailymail-hf.csv'), text_column: 'article' });
    await same({ kind: 'cnn_dailymail', path: `${base}/cnn-dailymail.csv` }, { kind: 'cnn_dailymail', path: fixture('cnn-dailymail-hf.csv') });
    await same(
      { kind: 'cnn_dailymail', path: fixture('cnn-dailymail-hf.csv'), test_path: `${base}/cnn-dailymail.jsonl` },
      { kind: 'cnn_dailymail', path: fixture('cnn-dailymail-hf.csv'), test_path: fixture('cnn-dailymail-hf.jsonl') },
    );
    const pairsFile = await localDataPath(`${base}/tldr-comparisons.jsonl`, env); // what the preferences stage reads its source.path through
    assert.deepEqual(await readPreferenceSource(pairsFile, 'auto'), (await readPreferenceSource(fixture('tldr-comparisons.jsonl'), 'auto')).map((p) => ({ ...p, where: p.where.replace(fixture('tldr-comparisons.jsonl'), pairsFile) })));
  });

  it('offline (DPO_RUN_OFFLINE or HF_HUB_OFFLINE), fails in one line naming the URL and the cache path it is missing from, without a request', async () => {
    const url = `${served.base}/tldr-sft.jsonl`;
    const before = served.requests.get('/tldr-sft.jsonl') ?? 0;
    for (const variable of ['DPO_RUN_OFFLINE', 'HF_HUB_OFFLINE']) {
      process.env[variable] = '1';
      await assert.rejects(rowsOf({ kind: 'tldr', path: url }), (err: Error) => {
        assert.ok(err instanceof StageError);
        assert.ok(!err.message.includes('\n') && err.hint === undefined, 'one line');
        for (const part of [url, urlCachePath(url, cacheDir), variable, 'by hand']) assert.ok(err.message.includes(part), `names ${part}: ${err.message}`);
        return true;
      });
      delete process.env[variable];
    }
    assert.equal(served.requests.get('/tldr-sft.jsonl') ?? 0, before);
    assert.deepEqual(await filesUnder(cacheDir), []);
  });

  it('when the host cannot be reached, fails the same way and leaves nothing in the cache', async () => {
    const { server, base } = await fixtureServer();
    const url = `${base}/tldr-sft.jsonl`;
    await close(server); // connection refused from now on
    await assert.rejects(rowsOf({ kind: 'tldr', path: url }), (err: Error) => {
      assert.ok(err instanceof StageError);
      for (const part of [url, urlCachePath(url, cacheDir), 'ECONNREFUSED', 'by hand']) assert.ok(err.message.includes(part), `names ${part}: ${err.message}`);
      return true;
    });
    assert.deepEqual(await filesUnder(cacheDir), []);
  });

  it('names the URL and the HTTP status of a failed download (404) and leaves nothing in the cache', async () => {
    const url = `${served.base}/no/such/train.jsonl`;
    await assert.rejects(rowsOf({ kind: 'jsonl', path: url }), (err: Error) => {
      assert.ok(err instanceof StageError);
      assert.ok(err.message.includes(url) && err.message.includes('HTTP 404'), err.message);
      return true;
    });
    assert.equal(served.requests.get('/no/such/train.jsonl'), 1);
    assert.deepEqual(await filesUnder(cacheDir), []);
    assert.deepEqual(await readdir(join(cacheDir, 'downloads')), [], 'no empty folder either');
  });

  it('removes what a killed download left beside the file, not what a live one is writing', async () => {
    const url = `${served.base}/tldr-sft.jsonl`;
    const cached = urlCachePath(url, cacheDir);
    await mkdir(dirname(cached), { recursive: true });
    const [abandoned, live] = [`${cached}.tmp-999999999-abc`, `${cached}.tmp-${process.pid}-def`];
    for (const path of [abandoned, live]) await writeFile(path, 'half a file');
    await rowsOf({ kind: 'tldr', path: url });
    assert.deepEqual((await readdir(dirname(cached))).sort(), [basename(cached), basename(live)].sort());
  });

  it('passes validation without being fetched, and --dry-run says whether the cache holds it', async () => {
    const url = `${served.base}/never-fetched.jsonl`;
    const file = join(dir, 'remote.yaml');
    await writeFile(file, `name: remote\nseed: 0\nstages:\n  data:\n    kind: dataset\n    source: {kind: cnn_dailymail, path: "${url}", test_path: "${url}"}\n`);
    const loaded = await loadPipeline(file);
    assert.equal(loaded.errors, undefined, JSON.stringify(loaded.errors));
    const cached = urlCachePath(url, cacheDir);
    const dryRun = () => describeDryRun(loaded.plans![0], join(dir, 'runs'), { only: [], force: [] }).filter((line) => line.includes(url));
    assert.deepEqual(dryRun(), [`    ${url}: not downloaded yet (the stage downloads it once, into ${cached})`]);
    await mkdir(dirname(cached), { recursive: true });
    await writeFile(cached, readFileSync(fixture('cnn-dailymail-hf.jsonl')));
    assert.deepEqual(dryRun(), [`    ${url}: cached at ${cached}`]);
    assert.equal(served.requests.get('/never-fetched.jsonl'), undefined);
    await writeFile(file, `name: remote\nseed: 0\nstages:\n  data:\n    kind: dataset\n    source: {kind: cnn_dailymail, path: ${join(dir, 'nowhere.jsonl')}}\n`);
    assert.deepEqual((await loadPipeline(file)).errors?.map((e) => e.code), ['missing-path']);
  });
});
