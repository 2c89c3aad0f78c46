import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { readTree, writeTree } from '../../src/core/cache/binary';
import { datasetIdentity, restoreFromCache, runLogCachePath } from '../../src/core/cache/runlog-cache';
import { openDataset } from '../../src/core/dataset/open';
import type { Run } from '../../src/core/model';
import { newFastExample, parseExampleLine } from '../../src/core/runlog/premem/fast-example-parse';
import { distinctAnswerCount, type ExampleRecord, hasSampleTexts, outcomeAccuracy, recordPerplexity, validateRecord } from '../../src/core/runlog/premem/records';
import { openPreMemReaderWithCache } from '../../src/core/runlog/premem/find-and-load';
import { scanInParallel } from '../../src/core/runlog/premem/parallel-scan';
import { PreMemLogReader } from '../../src/core/runlog/premem/log-reader';
import { synthesize } from '../../src/core/synth';
import { Random } from '../../src/core/synth/random';
import { tempDir } from '../support/temp-dir';

const tmp = () => tempDir('premem-cache-');

/** What the thorough path makes of a line, in the fast path's terms; undefined for anything but an example record. */
function thorough(line: string) {
  let value;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const v = validateRecord(value);
  if (!v.ok || (v.record.type !== undefined && v.record.type !== 'example')) return undefined;
  const r = v.record as ExampleRecord;
  if (r.perturbations) return undefined;
  return {
    run: r.run,
    checkpoint: r.checkpoint,
    key: r.key,
    step: r.step ?? -1,
    index: r.index,
    sampleCount: r.outcomes.length,
    accuracy: outcomeAccuracy(r.outcomes),
    perplexity: recordPerplexity(r),
    distinctAnswers: r.answers ? distinctAnswerCount(r.answers) : -1,
    hasTexts: hasSampleTexts(r),
  };
}

function fast(line: string) {
  const buf = Buffer.from(line, 'utf8');
  const f = newFastExample();
  if (!parseExampleLine(buf, 0, buf.length, f)) return undefined;
  return {
    run: buf.toString('utf8', f.runStart, f.runEnd),
    checkpoint: buf.toString('utf8', f.checkpointStart, f.checkpointEnd),
    key: buf.toString('utf8', f.keyStart, f.keyEnd),
    step: f.step,
    index: f.index,
    sampleCount: f.sampleCount,
    accuracy: f.sampleCount ? f.correct / f.sampleCount : NaN,
    perplexity: f.perplexity,
    distinctAnswers: f.distinctAnswers,
    hasTexts: f.hasTexts,
  };
}

const base = { v: 1, run: 'r', checkpoint: 'c', step: 3, key: 'k1', index: 2, outcomes: [0, 1, 2, 0], answers: ['7', '8', null, '7'], samples: ['a "quoted" \\ text\n#### 7', 'x', '', 'é ✓'], perplexity: 1.25 };
const j = (o: object) => JSON.stringify(o);

test('fast path: the same numbers as JSON.parse + validateRecord on every line of a synthetic log', async () => {
  const out = await tmp();
  const r = synthesize({ examples: 300, checkpoints: 2, samples: 6, out, seed: 5 });
  let taken = 0;
  for (const log of r.logs) {
    for (const line of (await readFile(log, 'utf8')).split('\n').filter(Boolean)) {
      const f = fast(line);
      assert.deepEqual(f, thorough(line) && f && thorough(line), line.slice(0, 120));
      if (f) taken++;
    }
  }
  assert.equal(taken, 600, 'every example record takes the fast path');
});

test('fast path: takes what it can read exactly, and gives up (never guesses) on anything else', () => {
  const takes = [
    j(base),
    j({ ...base, samples: undefined, answers: undefined }),
    j({ ...base, perplexity: undefined, nll: 0.5, tokens: 9, extra: { deep: [1, { a: null }, 'x'], t: true } }),
    j({ ...base, outcomes: [], answers: [], samples: [] }),
    j({ ...base, type: 'example', perplexity: 1e-3 }),
    j({ ...base, answers: ['5', '5', '05', null] }),
    ` { "v" : 1.0 , "run":"r","checkpoint":"c","key":"k","index":0,"outcomes":[ 0 , 1 ] , "perplexity": 2.5E+0 } `,
    j({ ...base, index: 1, outcomes: [1, 1], answers: undefined, samples: undefined, step: undefined, key: 'k', run: 'r2' }),
  ];
  for (const line of takes) {
    const f = fast(line);
    assert.ok(f, `fast path should take: ${line}`);
    assert.deepEqual(f, thorough(line), line);
  }
  const givesUp = [
    j({ ...base, v: 2 }),
    j({ ...base, v: undefined }),
    j({ ...base, key: 'k\\u0041' }).replace('k\\\\u0041', 'k\\u0041'),
    j({ ...base, run: '' }),
    j({ ...base, outcomes: [0, 3] }),
    '{"v":1,"run":"r","checkpoint":"c","key":"k","index":0,"outcomes":[0.0]}',
    '{"v":1,"run":"r","checkpoint":"c","key":"k","index":0,"outcomes":[1e0]}',
    j({ ...base, answers: ['1'] }),
    j({ ...base, samples: ['a', 'b', 'c', 5] }),
    j({ ...base, perplexity: 0 }),
    j({ ...base, index: -1 }),
    j({ ...base, index: 1.5 }),
    j({ ...base, step: 'x' }),
    j({ ...base, perturbations: { p: { outcomes: [0] } } }),
    j({ ...base, type: 'checkpoint' }),
    j({ ...base, answers: ['ü', 'b', null, 'c'] }),
    j(base).slice(0, -1),
    j(base) + ' x',
    j(base).replace('"index":2', '"index":2,'),
    '[1,2]',
    '{}',
    // Raw control characters in a string are not JSON: JSON.parse refuses them, so the slow path must word it.
    '{"v":1,"run":"r","checkpoint":"c","key":"k\tx","index":0,"outcomes":[0]}',
    '{"v":1,"run":"r","checkpoint":"c","key":"k","index":0,"outcomes":[0],"answers":["4\u0001"]}',
    '{"v":1,"run":"r","checkpoint":"c","key":"k","index":0,"outcomes":[0,',
    '{"v":1,"run":"r","checkpoint":"c","key":"k","index":0,"outcomes":[0],"samples":["a]}',
  ];
  for (const line of givesUp) assert.equal(fast(line), undefined, `fast path should give up on: ${line}`);
});

test('fast path: a record that opens like the one before still reads its own fields', () => {
  // The fast path remembers the opening bytes (v, run, checkpoint, step) of the last record; every variation of
  // the next record's opening must read as JSON.parse reads it.
  const lines = [
    j({ ...base, key: 'a', index: 0 }),
    j({ ...base, key: 'b', index: 1 }),
    j({ ...base, step: 4, key: 'c', index: 2 }),
    j({ ...base, step: 4, key: 'd', index: 3, perplexity: 2 }),
    j({ ...base, checkpoint: 'c2', step: 4, key: 'e', index: 4 }),
    j({ ...base, run: 'r', checkpoint: 'c2', step: 40, key: 'f', index: 5 }),
    j({ ...base, checkpoint: 'c2', step: 40, key: 'g', index: 6, samples: undefined }),
    j({ v: 1, run: 'r', checkpoint: 'c2', step: 40, key: 'h', index: 7, outcomes: [1] }),
    j({ v: 1, run: 'r', checkpoint: 'c2', key: 'i', index: 8, outcomes: [0] }),
    j({ v: 1, run: 'r', checkpoint: 'c2', step: 40, index: 9, key: 'j', outcomes: [0, 0] }),
    j({ v: 1, run: 'r', checkpoint: 'c2', step: 40, key: 'k', index: 10, outcomes: [0, 0] }),
    '{"v":1,"run":"r","checkpoint":"c2","step":40,',
    '{"v":1,"run":"r","checkpoint":"c2","step":40,"key":"l","index":11,"outcomes":[2]}',
    '{"v":1, "run":"r","checkpoint":"c2","step":40,"key":"m","index":12,"outcomes":[2]}',
    '{"v":2,"run":"r","checkpoint":"c2","step":40,"key":"n","index":13,"outcomes":[2]}',
    '{"v":1,"run":"r","checkpoint":"c2","step":41,"key":"o","index":14,"outcomes":[1]}',
  ];
  for (const line of lines) assert.deepEqual(fast(line), thorough(line), line);
  assert.ok(lines.filter((l) => fast(l)).length >= 12, 'most of these records take the fast path');
});

test('fast path: numbers are the very doubles JSON.parse gives', () => {
  const r = new Random(42);
  const texts = ['1.1055', '0.1', '2.675', '1.0000000000000002', '123456789012345', '1234567890123456', '9007199254740993', '1e-3', '5E+2', '0.30000000000000004', '1.000000', '0.0001234'];
  for (let i = 0; i < 20000; i++) texts.push((r.next() * 10 ** r.int(0, 8)).toFixed(r.int(0, 12)), String(r.next() * 3), `${r.int(0, 99999)}.${r.int(0, 99999)}`);
  for (const t of texts) {
    if (!(Number(t) > 0)) continue;
    const line = j({ ...base, samples: undefined, answers: undefined }).replace('"perplexity":1.25', `"perplexity":${t}`);
    assert.equal(fast(line)?.perplexity, JSON.parse(line).perplexity, t);
  }
});

const strip = (runs: Run[]) => runs.map((r) => ({ ...r, samples: undefined }));

/** A log with everything the sequential reader handles: BOM, CRLF, blanks, bad lines, repeats, records of all types. */
async function messyLog(dir: string): Promise<string> {
  const lines = [
    '\uFEFF' + j({ v: 1, type: 'run', run: 'r', dataset: 'd' }),
    j({ ...base, index: 0, key: 'k0' }),
    '',
    j({ v: 1, type: 'checkpoint', run: 'r', checkpoint: 'c', step: 9, testAccuracy: 0.5 }) + '\r',
    'not json',
    j({ ...base, index: 1, key: 'k1', perturbations: { 'Answer: First': { outcomes: [0, 1], samples: ['s', 't'] } } }),
    j({ ...base, index: 0, key: 'k0', outcomes: [1, 1], answers: undefined, samples: undefined }),
    j({ ...base, v: 3 }),
    j({ ...base, index: 7, key: 'nowhere', checkpoint: 'c2', step: 1 }),
    ...Array.from({ length: 60 }, (_, i) => j({ ...base, index: i % 5, key: `k${i % 5}`, checkpoint: i % 2 ? 'c' : 'c2', outcomes: [i % 3, 0], answers: undefined, samples: i % 4 ? undefined : ['x', 'y'] })),
    j({ v: 1, type: 'scores', run: 's', checkpoint: 'only', sampleCount: 2, accuracy: [0.5, null, 1, 0, 0], perplexity: [1, 2, 3, null, 5] }),
    '{"v":1,"run":"r","checkpoint":"c","key":"k1","index":1,"outcomes":[0,1', // torn, then the file goes on
    j({ ...base, index: 4, key: 'k4' }),
    '{"v":1,"run":"r","checkpoint":"c","key":"k2","index":2,"outcomes":[0', // torn last line, no newline
  ];
  const file = path.join(dir, 'messy.premem.jsonl');
  await writeFile(file, lines.slice(0, -1).join('\n') + '\n' + lines[lines.length - 1]);
  return file;
}

test('parallel scan: runs, problems and sample texts identical to the sequential reader, with ranges cut mid-line', async () => {
  const dir = await tmp();
  const synth = synthesize({ examples: 50, checkpoints: 2, samples: 3, out: path.join(dir, 's'), seed: 2 });
  for (const keyed of [false, true]) {
    const keys = keyed ? ['k0', 'k1', 'k2', 'k3', 'k4', ...Array.from({ length: 45 }, (_, i) => `x${i}`)] : undefined;
    const options = keys ? { keyToIndex: new Map(keys.map((k, i) => [k, i])), numExamples: keys.length } : {};
    for (const jobBytes of [97, 1000, 1 << 20]) {
      const messy = await messyLog(await tmp());
      const files = [messy, ...synth.logs];
      const sequential = new PreMemLogReader(files, options);
      await sequential.readMore();
      const parallel = new PreMemLogReader(files, options);
      const progress: number[] = [];
      await scanInParallel(parallel, { workers: 2, jobBytes, keys, onProgress: (done) => progress.push(done) });
      await parallel.readMore();
      const label = `jobBytes ${jobBytes}, keyed ${keyed}`;
      assert.deepEqual(strip(parallel.runs()), strip(sequential.runs()), label);
      assert.deepEqual(parallel.problems, sequential.problems, label);
      assert.ok(progress.length > 0 && progress.every((p, i) => i === 0 || p >= progress[i - 1]));
      const [a, b] = [parallel.runs()[0], sequential.runs()[0]];
      for (let c = 0; c < a.checkpoints.length; c++) {
        for (let i = 0; i < a.numExamples; i++) {
          assert.equal(a.samples?.has(c, i), b.samples?.has(c, i));
          if (b.samples?.has(c, i)) assert.deepEqual(await a.samples!.read(c, i), await b.samples!.read(c, i));
        }
      }
      // The torn last line, once finished by its writer, is picked up by the next incremental read; only its
      // run is built again.
      const before = parallel.runs();
      await appendFile(messy, ',1]}\n');
      assert.deepEqual(await parallel.readMore(), { changed: true });
      await sequential.readMore();
      const after = parallel.runs();
      assert.deepEqual(strip(after), strip(sequential.runs()), label);
      assert.deepEqual(after.map((r, k) => [r.id, r === before[k]]), before.map((r) => [r.id, r.id !== 'r']), label);
    }
  }
});

test('binary tree file: typed arrays as views, non-finite numbers and nesting survive; damaged files read as nothing', async () => {
  const dir = await tmp();
  const file = path.join(dir, 't.bin');
  const tree = { a: new Float64Array([1.5, NaN, -Infinity]), b: [new Uint16Array([1, 65535]), { c: new Uint8Array([7]), d: 'x', e: NaN }], f: null, g: new Int32Array(0) };
  await writeTree(file, tree);
  const back = (await readTree(file)) as typeof tree;
  assert.deepEqual(back, tree);
  assert.ok(back.a instanceof Float64Array && back.b[0] instanceof Uint16Array);
  await writeFile(file, (await readFile(file)).subarray(0, 40));
  assert.equal(await readTree(file), undefined);
  assert.equal(await readTree(path.join(dir, 'missing.bin')), undefined);
});

test('cache: reopening restores the same runs without parsing; appended bytes are read on top; other changes rebuild', async () => {
  const dir = await tmp();
  const out = path.join(dir, 'ws');
  synthesize({ examples: 400, checkpoints: 3, samples: 4, out, seed: 9 });
  const runsDir = path.join(out, 'runs');
  const dataset = await openDataset(path.join(out, 'train.jsonl'), 'auto');
  try {
    const first = await openPreMemReaderWithCache(runsDir, dataset, { cache: true });
    assert.equal(first.cache, 'none');
    await first.saved;
    const cacheFile = runLogCachePath(runsDir, true);
    assert.ok((await stat(cacheFile)).size > 0);
    assert.equal(path.basename(path.dirname(cacheFile)), '.premem');
    const expected = strip(first.reader.runs());

    const second = await openPreMemReaderWithCache(runsDir, dataset, { cache: true });
    assert.equal(second.cache, 'whole');
    assert.deepEqual(strip(second.reader.runs()), expected);
    const src = second.reader.runs()[0].samples!;
    assert.deepEqual(await src.read(2, 399), await first.reader.runs()[0].samples!.read(2, 399));

    // Another dataset (keys differ) places records differently: the cache is not used.
    const other = { ...dataset, keys: [...dataset.keys].reverse() };
    const reader = new PreMemLogReader(first.reader.files, { keyToIndex: dataset.keyToIndex, numExamples: dataset.size });
    assert.equal(await restoreFromCache(reader, cacheFile, datasetIdentity(other)), 'none');
    assert.equal(await restoreFromCache(reader, cacheFile, null), 'none');

    // A scoring job appends a re-score: the cached part is kept and only the new line is read.
    const log = first.reader.files[0];
    const rescored = { v: 1, run: 'synth', checkpoint: path.basename(log).replace('.premem.jsonl', ''), key: dataset.keys[5], index: 5, outcomes: [0, 0, 0, 0], perplexity: 1.5 };
    await appendFile(log, j(rescored) + '\n');
    const third = await openPreMemReaderWithCache(runsDir, dataset, { cache: true });
    assert.equal(third.cache, 'prefix');
    await third.saved;
    const fresh = await openPreMemReaderWithCache(runsDir, dataset, { cache: false });
    assert.deepEqual(strip(third.reader.runs()), strip(fresh.reader.runs()));
    const at = third.reader.runs()[0].checkpoints.findIndex((c) => c.id === rescored.checkpoint);
    assert.equal(third.reader.runs()[0].checkpoints[at].accuracy[5], 1);

    // The same size with other bytes (a rewrite) is not an append: the cache is rebuilt from the files.
    const text = await readFile(log, 'utf8');
    const edit = text.lastIndexOf('"perplexity":1.5');
    await writeFile(log, text.slice(0, edit) + '"perplexity":2.5' + text.slice(edit + 16));
    await utimes(log, new Date(), new Date(Date.now() + 5000));
    const fourth = await openPreMemReaderWithCache(runsDir, dataset, { cache: true });
    assert.equal(fourth.cache, 'none');
    await fourth.saved;
    assert.equal(fourth.reader.runs()[0].checkpoints[at].perplexity[5], 2.5);

    // A damaged cache is ignored, not trusted.
    await writeFile(cacheFile, 'garbage');
    const fifth = await openPreMemReaderWithCache(runsDir, dataset, { cache: true });
    assert.equal(fifth.cache, 'none');
    await fifth.saved;
    assert.deepEqual(strip(fifth.reader.runs()), strip(fourth.reader.runs()));
  } finally {
    await dataset.close();
  }
});

test('cache: writes of the same cache that overlap (two opens at once) leave a whole, usable file', async () => {
  const dir = await tmp();
  const out = path.join(dir, 'ws');
  synthesize({ examples: 300, checkpoints: 2, samples: 4, out, seed: 4 });
  const runsDir = path.join(out, 'runs');
  const [a, b] = await Promise.all([openPreMemReaderWithCache(runsDir, undefined, { cache: true }), openPreMemReaderWithCache(runsDir, undefined, { cache: true })]);
  await Promise.all([a.saved, b.saved]);
  assert.deepEqual((await readdir(path.dirname(runLogCachePath(runsDir, true)))).filter((f) => f.endsWith('.tmp')), [], 'no temporary file is left');
  const again = await openPreMemReaderWithCache(runsDir, undefined, { cache: true });
  assert.equal(again.cache, 'whole');
  assert.deepEqual(strip(again.reader.runs()), strip(a.reader.runs()));
});

test('cache: problems and the read position of a torn last line survive a reopen', async () => {
  const dir = await tmp();
  const file = await messyLog(dir);
  const first = await openPreMemReaderWithCache(file, undefined, { cache: true });
  await first.saved;
  const second = await openPreMemReaderWithCache(file, undefined, { cache: true });
  assert.equal(second.cache, 'whole');
  await second.saved;
  assert.deepEqual(second.reader.problems, first.reader.problems);
  assert.deepEqual(strip(second.reader.runs()), strip(first.reader.runs()));
  await appendFile(file, ',1]}\n');
  assert.deepEqual(await second.reader.readMore(), { changed: true });
  assert.deepEqual(await first.reader.readMore(), { changed: true });
  assert.deepEqual(strip(second.reader.runs()), strip(first.reader.runs()));
  assert.ok((await stat(runLogCachePath(file, false))).size > 0);
});
