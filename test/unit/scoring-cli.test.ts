import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { holdLock } from '../../src/core/file-lock';
import { scoringLockPath } from '../../src/core/scoring/job';
import { readExamples, startReferenceServer, type ReferenceServer } from '../support/reference-server';
import { fixtures, repoRoot } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const KEY = 'sk-cli-secret-8c41f0d2b7';
const DATASET = path.join(fixtures, 'datasets/gsm8k-train-200.jsonl');
/** The first 80 examples keep each run to a few seconds. */
const SIZE = 80;

interface Child {
  done: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  output(): string;
}

function score(configFile: string, args: string[] = []): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'score', '--config', configFile, '--run', 'r', ...args], {
    cwd: repoRoot,
    env: { ...process.env, PREMEM_API_KEY: KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    done: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    kill: (signal) => child.kill(signal),
    output: () => out,
  };
}

/** Parses every line: a torn line fails the test. */
function records(log: string): { type: string; checkpoint?: string; key?: string }[] {
  const text = readFileSync(log, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'the log ends with a complete line');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        assert.fail(`line ${i + 1} is torn: ${l.slice(0, 80)}`);
      }
    });
}

function exampleCount(log: string): number {
  if (!existsSync(log)) return 0;
  return readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"type":"example"')).length;
}

async function waitFor(condition: () => boolean, ms = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function assertComplete(log: string, checkpoints: string[], keys: number) {
  const counts = new Map<string, number>();
  for (const r of records(log)) if (r.type === 'example') counts.set(`${r.checkpoint}/${r.key}`, (counts.get(`${r.checkpoint}/${r.key}`) ?? 0) + 1);
  assert.equal(counts.size, checkpoints.length * keys);
  assert.deepEqual([...counts.values()].filter((n) => n !== 1), [], 'no duplicates');
}

describe('premem score (CLI)', () => {
  let dir: string;
  let server: ReferenceServer;
  let configFile: string;
  const log = () => path.join(dir, 'runs/scored.premem.jsonl');

  before(async () => {
    dir = await tempDir('premem-score-cli-');
    const lines = readFileSync(DATASET, 'utf8').split('\n').slice(0, SIZE);
    writeFileSync(path.join(dir, 'train.jsonl'), lines.join('\n') + '\n');
    server = await startReferenceServer({ examples: readExamples(DATASET).slice(0, SIZE), apiKey: KEY, faults: { latencyMs: 2 } });
    configFile = path.join(dir, 'premem.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataset: 'train.jsonl',
        profile: 'gsm8k',
        runs: [],
        p: 1.1055,
        scoring: { endpoints: [server.url], checkpoints: ['ep1', 'ep2', 'ep3'], k: 3, maxTokens: 200, batchSize: 4, concurrency: 12 },
      }),
    );
  });
  after(async () => {
    await server.close();
  });

  test('killed with SIGKILL mid-run, then run again: the log is complete, without duplicates or torn lines', async () => {
    const first = score(configFile);
    await waitFor(() => exampleCount(log()) >= 30);
    first.kill('SIGKILL');
    assert.equal(await first.done, null);
    const before = exampleCount(log());
    assert.ok(before < 3 * SIZE, `the first run was killed early (${before} written)`);
    records(log());

    const second = score(configFile);
    assert.equal(await second.done, 0, second.output());
    assertComplete(log(), ['ep1', 'ep2', 'ep3'], SIZE);
    assert.match(second.output(), new RegExp(`premem score: ${3 * SIZE - before} \\(checkpoint, example\\) records written to .* already in the log`));
    assert.match(second.output(), /premem score: \d+\/\d+ \(\d+\.\d%\) [\d.]+ ex\/s ETA/, 'plain progress lines when stderr is not a terminal');
    for (const text of [first.output(), second.output(), readFileSync(log(), 'utf8')]) assert.ok(!text.includes(KEY), 'the API key leaked');
  });

  test('Ctrl-C stops cleanly with exit code 130; the next run finishes the job', async () => {
    const out = path.join(dir, 'interrupted.premem.jsonl');
    const first = score(configFile, ['--out', out, '--checkpoints', 'ep3']);
    await waitFor(() => exampleCount(out) >= 8);
    first.kill('SIGINT');
    assert.equal(await first.done, 130, first.output());
    assert.match(first.output(), new RegExp(`cancelled; \\d+ of ${SIZE} written`));
    records(out);
    const second = score(configFile, ['--out', out, '--checkpoints', 'ep3']);
    assert.equal(await second.done, 0, second.output());
    assertComplete(out, ['ep3'], SIZE);
  });

  test('SIGTERM stops cleanly with exit code 143 and one line saying what was saved; the lock is released', async () => {
    const out = path.join(dir, 'terminated.premem.jsonl');
    const first = score(configFile, ['--out', out, '--checkpoints', 'ep2', '--quiet']);
    await waitFor(() => exampleCount(out) >= 8);
    first.kill('SIGTERM');
    assert.equal(await first.done, 143, first.output());
    const written = exampleCount(out);
    assert.equal(first.output(), `premem score: stopped by SIGTERM; ${written} of ${SIZE} written to ${out}; run the same command again to resume\n`);
    assert.equal(existsSync(scoringLockPath(out, 'r')), false, 'the lock is released');
    records(out);
    const second = score(configFile, ['--out', out, '--checkpoints', 'ep2']);
    assert.equal(await second.done, 0, second.output());
    assertComplete(out, ['ep2'], SIZE);
  });

  test('while another job holds the run and log, premem score exits at once, naming it; afterwards it runs', async () => {
    const out = path.join(dir, 'held.premem.jsonl');
    const release = await holdLock(scoringLockPath(out, 'r'));
    try {
      const refused = score(configFile, ['--out', out, '--checkpoints', 'ep2']);
      assert.equal(await refused.done, 1, refused.output());
      assert.match(refused.output(), new RegExp(`^premem score: .*held\\.premem\\.jsonl: another scoring job is writing run 'r' to this log \\(process ${process.pid} on `, 'm'));
      assert.equal(exampleCount(out), 0);
    } finally {
      await release();
    }
    const run = score(configFile, ['--out', out, '--checkpoints', 'ep2', '--quiet']);
    assert.equal(await run.done, 0, run.output());
    assertComplete(out, ['ep2'], SIZE);
  });

  test('--examples FILE scores the keys and indices it lists', async () => {
    const out = path.join(dir, 'chosen.premem.jsonl');
    const firstKey = (JSON.parse(readFileSync(log(), 'utf8').split('\n').find((l) => l.includes('"index":4,'))!) as { key: string }).key;
    const list = path.join(dir, 'chosen.txt');
    writeFileSync(list, `${firstKey}\n# and two by position\n0\n9\n`);
    const run = score(configFile, ['--out', out, '--checkpoints', 'ep1', '--examples', list, '--quiet']);
    assert.equal(await run.done, 0, run.output());
    const indices = records(out)
      .filter((r) => r.type === 'example')
      .map((r) => (r as unknown as { index: number }).index)
      .sort((a, b) => a - b);
    assert.deepEqual(indices, [0, 4, 9]);
  });

  test('--examples flagged and fragile take their examples from the flags and from the runs in premem.json', async () => {
    const { FlagStore } = await import('../../src/core/flags/flag-store');
    const { openDataset } = await import('../../src/core/dataset/open');
    const dataset = await openDataset(path.join(dir, 'train.jsonl'), 'gsm8k');
    const flags = await FlagStore.open(path.join(dir, 'train.jsonl'));
    await flags.flag(dataset.keys[6], { reason: 'fragile', author: 'test' });
    await flags.flag(dataset.keys[2], { reason: 'keep', author: 'test' });
    await dataset.close();
    const flagged = path.join(dir, 'flagged.premem.jsonl');
    const run = score(configFile, ['--out', flagged, '--checkpoints', 'ep1', '--examples', 'flagged', '--quiet']);
    assert.equal(await run.done, 0, run.output());
    assert.deepEqual(
      records(flagged).filter((r) => r.type === 'example').map((r) => (r as unknown as { index: number }).index),
      [6],
      'flagged examples, "keep" left out',
    );

    // Fragile: PreMemAcc <= t at the last checkpoint of the run scored by the first test.
    const withRuns = path.join(dir, 'with-runs.json');
    writeFileSync(withRuns, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), runs: [{ path: log(), format: 'premem' }] }));
    const fragile = path.join(dir, 'fragile.premem.jsonl');
    const again = score(withRuns, ['--out', fragile, '--checkpoints', 'ep1', '--examples', 'fragile']);
    assert.equal(await again.done, 0, again.output());
    const announced = /(\d+) fragile examples \(PreMemAcc <= 0\.75 at r \/ ep3, p = 1\.1055\)/.exec(again.output());
    assert.ok(announced, again.output());
    const scored = records(fragile).filter((r) => r.type === 'example').length;
    assert.equal(scored, Number(announced[1]));
    assert.ok(scored > 0 && scored < SIZE, `${scored} of ${SIZE} fragile`);

    // --checkpoint picks them at another checkpoint of the run: the examples the editor marks fragile there.
    const { readConfig } = await import('../../src/core/config');
    const { AnalysisSession } = await import('../../src/core/session');
    const session = await AnalysisSession.open(await readConfig(withRuns));
    session.select(0, session.runs[0].checkpoints.findIndex((c) => c.id === 'ep1'));
    const expected = [...session.fragileExamples()].sort((a, b) => a - b);
    await session.close();
    const atEp1 = path.join(dir, 'fragile-ep1.premem.jsonl');
    const third = score(withRuns, ['--out', atEp1, '--checkpoints', 'ep2', '--examples', 'fragile', '--checkpoint', 'ep1']);
    assert.equal(await third.done, 0, third.output());
    assert.match(third.output(), new RegExp(`${expected.length} fragile examples \\(PreMemAcc <= 0\\.75 at r / ep1, p = 1\\.1055\\)`));
    const indices = records(atEp1)
      .filter((r) => r.type === 'example')
      .map((r) => (r as unknown as { index: number }).index)
      .sort((a, b) => a - b);
    assert.deepEqual(indices, expected);
    assert.ok(expected.length !== scored, 'ep1 and ep3 pick different examples');

    const unknown = score(withRuns, ['--out', atEp1, '--examples', 'fragile', '--checkpoint', 'ep9']);
    assert.equal(await unknown.done, 2, unknown.output());
    assert.match(unknown.output(), /--checkpoint: run r has no checkpoint 'ep9'; it has ep1, ep2, ep3/);
  });

  test('--examples fragile leaves out runs of another size, as the editor does, naming them', async () => {
    // A released run of the first 200 examples, next to a dataset of 80.
    const other = path.join(fixtures, 'paper-runs-mini/gsm8k_orig_3epochs_full_lr2e-05_bs128');
    const cfg = path.join(dir, 'other-size.json');
    writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), runs: [{ path: other, format: 'paper' }] }));
    const run = score(cfg, ['--out', path.join(dir, 'never.premem.jsonl'), '--examples', 'fragile']);
    assert.equal(await run.done, 2, run.output());
    assert.match(run.output(), /run gsm8k_orig_3epochs_full_lr2e-05_bs128 has 200 examples but the dataset has 80; it is not shown/);
    assert.match(run.output(), /--examples fragile: the runs in premem\.json hold no scored checkpoints of this dataset/);
  });

  test('an example longer than the server context is named by file and line, exit 1; every other one is written', async () => {
    const lines = readFileSync(DATASET, 'utf8').split('\n').slice(0, 6);
    const long = { question: 'Tom has 3 apples and buys 4 more. '.repeat(150) + 'How many apples?', answer: '3 + 4 = <<3+4=7>>7\n#### 7' };
    lines.splice(3, 0, JSON.stringify(long)); // line 4
    const data = path.join(dir, 'long.jsonl');
    writeFileSync(data, lines.join('\n') + '\n');
    const short = await startReferenceServer({ examples: readExamples(data), maxModelLen: 600 });
    try {
      const cfg = path.join(dir, 'long.json');
      const out = path.join(dir, 'long.premem.jsonl');
      writeFileSync(cfg, JSON.stringify({ dataset: 'long.jsonl', output: 'long.premem.jsonl', scoring: { endpoints: [short.url], checkpoints: ['ep1'], k: 2, maxTokens: 50 } }));
      const run = score(cfg, ['--quiet']);
      assert.equal(await run.done, 1, run.output());
      assert.match(run.output(), /long\.jsonl:4 \(checkpoint ep1\): refused by the server, not scored: .*maximum context length is 600 tokens/);
      assert.match(run.output(), /6 \(checkpoint, example\) records written .*; 1 refused/);
      const indices = records(out).flatMap((r) => (r.type === 'example' ? [(r as unknown as { index: number }).index] : []));
      assert.deepEqual(indices.sort(), [0, 1, 2, 4, 5, 6]);
    } finally {
      await short.close();
    }
  });

  test('with nothing listening at the endpoint, the job is refused at once in one line, even with --quiet', async () => {
    const cfg = path.join(dir, 'nobody.json');
    writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), scoring: { endpoints: ['http://127.0.0.1:9'], checkpoints: ['ep1', 'ep2'] } }));
    const run = score(cfg, ['--out', path.join(dir, 'nobody.premem.jsonl'), '--quiet']);
    assert.equal(await run.done, 1, run.output());
    assert.match(run.output(), /^premem score: checkpoint 'ep1': no replica answers: GET http:\/\/127\.0\.0\.1:9\/v1\/models failed: connection refused \(is the server up\?\)\n$/);
  });

  test('a bad scoring section is reported by field, with exit code 1', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ dataset: 'train.jsonl', scoring: { endpoints: ['gpu-1:8000'], checkpoints: ['ep1'] } }));
    const run = score(bad);
    assert.equal(await run.done, 1);
    assert.match(run.output(), /bad\.json \(scoring\.endpoints\[0\]\): 'gpu-1:8000' must start with http:\/\/ or https:\/\//);
  });
});
