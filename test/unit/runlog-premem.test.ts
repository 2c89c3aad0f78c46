import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../src/core/fs-atomic';
import { LineScanner } from '../../src/core/runlog/line-scanner';
import { type ExampleRecord, validateRecord } from '../../src/core/runlog/premem/records';
import { scanInParallel } from '../../src/core/runlog/premem/parallel-scan';
import { PreMemLogReader } from '../../src/core/runlog/premem/log-reader';
import { PreMemLogWriter, readCompletedKeys } from '../../src/core/runlog/premem/log-writer';
import { fixtures, repoRoot } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const small = path.join(fixtures, 'runlogs/small.premem.jsonl');
const badLines = path.join(fixtures, 'runlogs/bad-lines.premem.jsonl');

const tmpDir = () => tempDir('premem-runlog-');

function example(key: string, index: number, outcomes: number[], extra: Partial<ExampleRecord> = {}): ExampleRecord {
  return { v: 1, run: 'r', checkpoint: 'c1', step: 10, key, index, outcomes, ...extra };
}
const line = (r: object) => JSON.stringify(r) + '\n';

test('reads runs, checkpoints sorted by step, scores, perplexity from nll, perturbations', async () => {
  const reader = new PreMemLogReader([small]);
  assert.deepEqual(await reader.readMore(), { changed: true });
  assert.deepEqual(reader.problems, []);
  const runs = reader.runs();
  assert.deepEqual(runs.map((r) => r.id), ['tiny-3ep', 'other']);
  const [run, other] = runs;
  assert.equal(run.numExamples, 4);
  assert.deepEqual([...run.subset!], [0, 2, 3]);
  assert.deepEqual(run.source, { format: 'premem', path: small });
  assert.deepEqual(run.checkpoints.map((c) => [c.id, c.step, c.epoch, c.testAccuracy]), [
    ['checkpoint-100', 100, 1, 0.4],
    ['checkpoint-200', 200, 2, 0.55],
  ]);
  const [c100, c200] = run.checkpoints;
  assert.deepEqual([...c100.accuracy].map((x) => (Number.isNaN(x) ? 'nan' : x)), [0, 'nan', 'nan', 'nan']);
  assert.deepEqual([...c100.perplexity].map((x) => (Number.isNaN(x) ? 'nan' : x)), [3.25, 'nan', 'nan', 'nan']);
  assert.deepEqual([...c100.sampleCount], [2, 0, 0, 0]);
  assert.equal(c100.distinctAnswers, undefined, 'no record of checkpoint-100 had answers');
  // k1 appears twice at checkpoint-200: the later record wins entirely.
  assert.deepEqual([...c200.sampleCount], [4, 3, 0, 2]);
  assert.equal(c200.accuracy[0], 0.5);
  assert.equal(c200.accuracy[1], 1 / 3);
  assert.ok(Number.isNaN(c200.accuracy[2]));
  assert.equal(c200.accuracy[3], 0.5);
  assert.deepEqual([...c200.distinctAnswers!], [2, 2, 0, 2]);
  assert.equal(c200.perplexity[0], 1.5);
  assert.equal(c200.perplexity[1], Math.exp(0.5));
  assert.equal(c200.perplexity[3], 1.05);
  assert.equal(c200.testPerplexity, 1.9);
  assert.deepEqual(Object.keys(c200.perturbations!).sort(), ['Answer: First', 'Answer: We know that']);
  assert.equal(c200.perturbations!['Answer: First'][3], 0);
  assert.equal(c200.perturbations!['Answer: We know that'][3], 0.5);
  assert.ok(Number.isNaN(c200.perturbations!['Answer: First'][0]));
  assert.deepEqual(reader.runInfo('tiny-3ep'), { dataset: 'gsm8k/train.jsonl', meta: { model: 'toy', lr: 2e-5 } });
  // A checkpoint known only from example records takes their step.
  assert.deepEqual(other.checkpoints.map((c) => [c.id, c.step, c.accuracy[2]]), [['final', 7, 1]]);
  assert.equal(other.samples, undefined, 'no texts in run "other"');
  assert.deepEqual(await reader.readMore(), { changed: false });
});

test('runs() hands back an untouched run as the same object; a touched run, or more examples, builds it again', async () => {
  const file = path.join(await tmpDir(), 'two.premem.jsonl');
  await writeFile(file, line(example('a', 0, [1, 1])) + line({ ...example('b', 1, [0, 1]), run: 'other' }));
  const reader = new PreMemLogReader([file]);
  await reader.readMore();
  const [r1, o1] = reader.runs();
  const [r1again, o1again] = reader.runs();
  assert.ok(r1again === r1 && o1again === o1, 'nothing read in between');

  await appendFile(file, line({ ...example('a', 0, [1, 1]), run: 'other' }));
  await reader.readMore();
  const [r2, o2] = reader.runs();
  assert.ok(r2 === r1, 'run "r" had no new record');
  assert.ok(o2 !== o1);
  assert.equal(o2.checkpoints[0].accuracy[0], 0);

  await appendFile(file, line({ v: 1, type: 'checkpoint', run: 'r', checkpoint: 'c1', step: 10, testAccuracy: 0.5 }));
  await reader.readMore();
  const [r3, o3] = reader.runs();
  assert.ok(r3 !== r2 && o3 === o2, 'a checkpoint record touches its run only');
  assert.equal(r3.checkpoints[0].testAccuracy, 0.5);

  // A new example index grows every run's arrays.
  await appendFile(file, line(example('c', 2, [1])));
  await reader.readMore();
  const [r4, o4] = reader.runs();
  assert.ok(r4 !== r3 && o4 !== o3);
  assert.deepEqual([r4.numExamples, o4.numExamples], [3, 3]);
});

test('lazy sample read returns the exact texts, answers and outcomes; nothing for examples without texts', async () => {
  const reader = new PreMemLogReader([small]);
  await reader.readMore();
  const run = reader.runs()[0];
  const src = run.samples!;
  assert.ok(src.has(1, 3));
  assert.ok(!src.has(1, 0), 'k0 at checkpoint-200 has no texts');
  assert.ok(!src.has(0, 3));
  assert.ok(!src.has(5, 3), 'out-of-range checkpoint');
  assert.equal(await src.read(1, 0), undefined);
  const got = await src.read(1, 3);
  assert.deepEqual(got, {
    samples: [
      { text: 'So 2+3 = 5.\n#### 5', answer: '5', outcome: 'correct' },
      { text: 'Ünïcödé "quoted" \\ backslash\n#### 6', answer: '6', outcome: 'wrong' },
    ],
    perturbations: {
      'Answer: First': [
        { text: 'First, 7.\n#### 7', answer: null, outcome: 'wrong' },
        { text: 'First #### 8', answer: null, outcome: 'wrong' },
      ],
      'Answer: We know that': [
        { text: '', answer: null, outcome: 'correct' },
        { text: '', answer: null, outcome: 'wrong' },
      ],
    },
  });
  // With a grading task, answers missing from the record are extracted from the texts.
  const graded = new PreMemLogReader([small], { task: 'gsm8k' });
  await graded.readMore();
  const p = (await graded.runs()[0].samples!.read(1, 3))!.perturbations!['Answer: First'];
  assert.deepEqual(p.map((s) => s.answer), ['7', '8']);
});

test('bad lines are reported with file and line; good lines still load', async () => {
  const reader = new PreMemLogReader([badLines]);
  await reader.readMore();
  const byLine = new Map(reader.problems.map((p) => [p.line, p]));
  assert.deepEqual([...byLine.keys()], [2, 3, 4, 5, 7, 8, 9]);
  for (const p of reader.problems) {
    assert.equal(p.file, badLines);
    assert.equal(p.severity, 'error');
  }
  assert.match(byLine.get(2)!.message, /incomplete line/);
  assert.match(byLine.get(3)!.message, /version 2 is newer than this reader understands \(version 1\)/);
  assert.equal(byLine.get(3)!.field, 'v');
  assert.match(byLine.get(4)!.message, /missing field 'key'/);
  assert.match(byLine.get(5)!.message, /outcomes\[1\]' is the number 3, expected 0 \(correct\), 1 \(wrong\) or 2 \(unparseable\)/);
  assert.match(byLine.get(7)!.message, /'answers' has 1 entries but 'outcomes' has 2/);
  assert.match(byLine.get(8)!.message, /unknown record type/);
  assert.match(byLine.get(9)!.message, /invalid JSON/);
  const [run] = reader.runs();
  assert.equal(run.numExamples, 7);
  const c = run.checkpoints[0];
  assert.equal(c.accuracy[0], 0.5);
  assert.equal(c.accuracy[6], 1);
  assert.deepEqual([...c.sampleCount], [2, 0, 0, 0, 0, 0, 2]);
});

test('validateRecord: version policy, defaults and field checks', () => {
  assert.equal(validateRecord({ v: 1, run: 'r', checkpoint: 'c', key: 'k', index: 0, outcomes: [] }).ok, true);
  const noV = validateRecord({ run: 'r', checkpoint: 'c', key: 'k', index: 0, outcomes: [0] });
  assert.ok(!noV.ok && /missing field 'v'/.test(noV.message));
  const v3 = validateRecord({ v: 3, type: 'run', run: 'r' });
  assert.ok(!v3.ok && /update PreMem/.test(v3.message));
  const badStep = validateRecord({ v: 1, type: 'checkpoint', run: 'r', checkpoint: 'c', step: 1.5 });
  assert.ok(!badStep.ok && badStep.field === 'step');
  const badAcc = validateRecord({ v: 1, type: 'checkpoint', run: 'r', checkpoint: 'c', step: 1, testAccuracy: 1.2 });
  assert.ok(!badAcc.ok && badAcc.field === 'testAccuracy');
  const badPert = validateRecord({ v: 1, run: 'r', checkpoint: 'c', key: 'k', index: 0, outcomes: [0], perturbations: { p: { outcomes: [0, 5] } } });
  assert.ok(!badPert.ok && badPert.field === 'perturbations.p.outcomes[1]');
  const badSubset = validateRecord({ v: 1, type: 'run', run: 'r', subset: [0, -1] });
  assert.ok(!badSubset.ok && badSubset.field === 'subset[1]');
});

test('a torn last line waits; readMore then picks up only what was appended', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'live.premem.jsonl');
  const first = line(example('a', 0, [0, 0], { samples: ['A1', 'A2'] }));
  const second = line(example('b', 1, [1, 0]));
  await writeFile(file, first + second.slice(0, 20));
  const reader = new PreMemLogReader([file]);
  assert.deepEqual(await reader.readMore(), { changed: true });
  assert.deepEqual(reader.problems, [], 'the torn tail is not reported: a writer may be mid-append');
  let run = reader.runs()[0];
  assert.equal(run.numExamples, 1);
  assert.equal(run.checkpoints[0].accuracy[0], 1);
  assert.deepEqual(await reader.readMore(), { changed: false });

  await appendFile(file, second.slice(20) + line(example('c', 2, [2, 2], { step: 10, checkpoint: 'c2' })));
  assert.deepEqual(await reader.readMore(), { changed: true });
  run = reader.runs()[0];
  assert.equal(run.numExamples, 3);
  assert.deepEqual(run.checkpoints.map((c) => c.id), ['c1', 'c2']);
  assert.deepEqual([...run.checkpoints[0].sampleCount], [2, 2, 0]);
  assert.equal(run.checkpoints[0].accuracy[1], 0.5);
  assert.equal(run.checkpoints[1].accuracy[2], 0);
  assert.deepEqual(reader.problems, []);
  // Texts of a record read in an earlier call are still found after more reads.
  assert.deepEqual((await run.samples!.read(0, 0))!.samples.map((s) => s.text), ['A1', 'A2']);

  // An appended update replaces the earlier record of the same (run, checkpoint, key), texts included.
  await appendFile(file, line(example('a', 0, [1, 1, 1])));
  await reader.readMore();
  run = reader.runs()[0];
  assert.equal(run.checkpoints[0].accuracy[0], 0);
  assert.equal(run.checkpoints[0].sampleCount[0], 3);
  assert.ok(!run.samples!.has(0, 0));
});

test('with a dataset, examples are placed by key, whatever the index field says', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'keys.premem.jsonl');
  // Scored when the dataset order was k0 k1 k2; the dataset has since been reordered to k2 k0 k1.
  await writeFile(
    file,
    line(example('k0', 0, [0, 0])) + line(example('k1', 1, [0, 1])) + line(example('k2', 2, [1, 1])) + line(example('gone', 3, [0])),
  );
  const keyToIndex = new Map([
    ['k2', 0],
    ['k0', 1],
    ['k1', 2],
  ]);
  const reader = new PreMemLogReader([file], { keyToIndex });
  await reader.readMore();
  const [run] = reader.runs();
  assert.equal(run.numExamples, 3);
  assert.deepEqual([...run.checkpoints[0].accuracy], [0, 1, 0.5]);
  assert.equal(reader.unknownKeyCount, 1);
  assert.equal(reader.problems.length, 1);
  assert.deepEqual({ ...reader.problems[0], message: '' }, { file, line: 4, field: 'key', severity: 'warning', message: '' });
  assert.match(reader.problems[0].message, /'gone' is not in the dataset/);
});

test('several files feed one reader; a file that appears later is read once it exists', async () => {
  const dir = await tmpDir();
  const a = path.join(dir, 'a.premem.jsonl');
  const b = path.join(dir, 'b.premem.jsonl');
  await writeFile(a, line(example('k0', 0, [0], { samples: ['from a'] })));
  const reader = new PreMemLogReader([a, b], { numExamples: 5 });
  await reader.readMore();
  assert.equal(reader.problems.length, 1);
  assert.match(reader.problems[0].message, /file not found/);
  await writeFile(b, line(example('k4', 4, [1], { checkpoint: 'c2', step: 20, samples: ['from b'] })) + line(example('k9', 9, [1])));
  await reader.readMore();
  const [run] = reader.runs();
  assert.equal(run.numExamples, 5);
  assert.equal((await run.samples!.read(0, 0))!.samples[0].text, 'from a');
  assert.equal((await run.samples!.read(1, 4))!.samples[0].text, 'from b');
  assert.match(reader.problems[1].message, /index 9 is beyond the dataset's 5 examples/);
  assert.equal(reader.problems[1].line, 2);
});

test('LineScanner: lines across chunk boundaries, lines longer than a chunk, CRLF, torn tail', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'lines.txt');
  const lines = ['short', 'x'.repeat(50), '', 'é😀 multi-byte', 'y'.repeat(17)];
  await writeFile(file, lines.join('\n') + '\r\nlast-without-newline');
  const scanner = new LineScanner(file, 8);
  const seen: [string, number, number][] = [];
  await scanner.scan((buf, start, end, offset, n) => seen.push([buf.toString('utf8', start, end), offset, n]));
  assert.deepEqual(seen.map((s) => s[0]), lines);
  const bytes = await readFile(file);
  for (const [text, offset] of seen) assert.equal(bytes.toString('utf8', offset, offset + Buffer.byteLength(text)), text);
  assert.deepEqual(seen.map((s) => s[2]), [1, 2, 3, 4, 5]);
  assert.equal(scanner.position, bytes.length - 'last-without-newline'.length);
});

test('writer: whole lines, torn tail isolated on open, readCompletedKeys', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'w.premem.jsonl');
  assert.equal((await readCompletedKeys(file, 'r')).size, 0, 'a missing log holds nothing yet');
  const w = await PreMemLogWriter.open(file);
  await w.append([{ v: 1, type: 'run', run: 'r' }, example('a', 0, [0])]);
  await assert.rejects(w.append([example('b', 1, [7])]), /record 0 of the batch is invalid: 'outcomes\[0\]'/);
  await w.close();
  await assert.rejects(w.append([example('b', 1, [0])]), /closed/);
  // A process died mid-line: the next writer must not glue its first record to the torn one.
  await appendFile(file, '{"v":1,"run":"r","checkpoint":"c1","key":"torn","ind');
  const w2 = await PreMemLogWriter.open(file);
  await Promise.all([w2.append([example('b', 1, [1])]), w2.append([example('c', 2, [0], { checkpoint: 'c2' })])]);
  await w2.close();
  const text = await readFile(file, 'utf8');
  assert.equal(text.split('\n').length, 6, 'four records, the torn line, and the final newline');
  const reader = new PreMemLogReader([file]);
  await reader.readMore();
  assert.equal(reader.problems.length, 1);
  assert.equal(reader.problems[0].line, 3);
  assert.match(reader.problems[0].message, /incomplete line/);
  assert.deepEqual(reader.runs()[0].checkpoints.map((c) => [...c.accuracy]), [[1, 0, NaN], [NaN, NaN, 1]]);
  assert.deepEqual([...(await readCompletedKeys(file, 'r'))].sort(), ['c1\u0000a', 'c1\u0000b', 'c2\u0000c']);
  assert.equal((await readCompletedKeys(file, 'other')).size, 0);
});

test('writeFileAtomic replaces the whole file and leaves no temporary behind', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'settings.json');
  await writeFileAtomic(file, 'old');
  await writeFileAtomic(file, Buffer.from('{"new":true}'));
  assert.equal(await readFile(file, 'utf8'), '{"new":true}');
  const { readdir } = await import('node:fs/promises');
  assert.deepEqual(await readdir(dir), ['settings.json']);
  await assert.rejects(writeFileAtomic(path.join(dir, 'no-such-dir', 'x'), 'x'));
});

// Child processes append through the real writer; tsx compiles the TypeScript source for them.
const writerPath = path.join(repoRoot, 'src/core/runlog/premem/log-writer.ts');
const childScript = `
(async () => {
  const { PreMemLogWriter } = require(${JSON.stringify(writerPath)});
  const w = await PreMemLogWriter.open(process.env.LOG);
  const n = Number(process.env.N), batch = Number(process.env.BATCH), pad = 'p'.repeat(Number(process.env.PAD));
  for (let i = 0; i < n;) {
    const records = [];
    for (let j = 0; j < batch && i < n; j++, i++) {
      records.push({ v: 1, run: process.env.TAG, checkpoint: 'c', key: process.env.TAG + '-' + i, index: i, outcomes: [0, 1], samples: [pad + i, 'z'] });
    }
    await w.append(records);
  }
  await w.close();
})().catch((err) => { console.error(err); process.exit(1); });
`;

function startAppender(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', childScript], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

/** Every line of the file parsed; throws on any line that is not one whole record. */
async function parseAllLines(file: string) {
  const text = await readFile(file, 'utf8');
  assert.ok(text.endsWith('\n'));
  return text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as ExampleRecord);
}

test('writer crash: SIGKILL mid-stream, reopen; complete lines all parse, nothing glued, appending continues', { timeout: 60_000 }, async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'crash.premem.jsonl');
  const { child, exited } = startAppender({ LOG: file, TAG: 'k', N: '1000000000', BATCH: '40', PAD: '20000' });
  let ended: Awaited<typeof exited> | undefined;
  void exited.then((e) => (ended = e));
  const deadline = Date.now() + 30_000;
  while (((await stat(file).catch(() => undefined))?.size ?? 0) < 4_000_000) {
    assert.equal(ended, undefined, `the appender exited early: ${ended?.stderr}`);
    assert.ok(Date.now() < deadline, 'the appender wrote too little in time');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  const exit = await exited;
  assert.equal(exit.signal, 'SIGKILL', exit.stderr);

  const w = await PreMemLogWriter.open(file);
  await w.append([{ v: 1, run: 'after', checkpoint: 'c', key: 'after-0', index: 0, outcomes: [0] }]);
  await w.close();

  const reader = new PreMemLogReader([file]);
  await reader.readMore();
  // At most one torn line (the kill landed inside a write), reported as incomplete and isolated.
  assert.ok(reader.problems.length <= 1, JSON.stringify(reader.problems));
  for (const p of reader.problems) assert.match(p.message, /incomplete line/);
  const runs = reader.runs();
  const killed = runs.find((r) => r.id === 'k')!;
  const scored = killed.checkpoints[0].sampleCount.reduce((s, x) => s + (x > 0 ? 1 : 0), 0);
  assert.ok(scored >= 40);
  // Batches are written in order, so the records that survived are exactly a prefix of the indices.
  for (let i = 0; i < scored; i++) assert.equal(killed.checkpoints[0].sampleCount[i], 2);
  assert.equal(runs.find((r) => r.id === 'after')!.checkpoints[0].accuracy[0], 1);
  const lines = (await readFile(file, 'utf8')).split('\n');
  assert.equal(lines.at(-1), '');
  assert.equal(lines.length - 1, scored + 1 + reader.problems.length);
});

test('concurrent appenders: every record present exactly once, no interleaved lines', { timeout: 60_000 }, async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'shared.premem.jsonl');
  const n = 400;
  const a = startAppender({ LOG: file, TAG: 'a', N: String(n), BATCH: '7', PAD: '3000' });
  const b = startAppender({ LOG: file, TAG: 'b', N: String(n), BATCH: '5', PAD: '5000' });
  for (const r of await Promise.all([a.exited, b.exited])) assert.equal(r.code, 0, r.stderr);
  const records = await parseAllLines(file);
  assert.equal(records.length, 2 * n);
  const keys = new Set(records.map((r) => r.key));
  assert.equal(keys.size, 2 * n);
  for (let i = 0; i < n; i++) assert.ok(keys.has(`a-${i}`) && keys.has(`b-${i}`));
  for (const r of records) assert.equal(r.samples![0], 'p'.repeat(r.run === 'a' ? 3000 : 5000) + r.index);
  const reader = new PreMemLogReader([file]);
  await reader.readMore();
  assert.deepEqual(reader.problems, []);
});

test('NaN, ±Inf, 0 and negative perplexities (and nll that give them) are warned with file and line and read as unknown; outcomes still count', async () => {
  const file = path.join(await tmpDir(), 'bad-perplexity.premem.jsonl');
  const lines = [
    line(example('a', 0, [0, 1], { perplexity: -1 })),
    line(example('b', 1, [0, 1], { perplexity: 0 })),
    line(example('c', 2, [0, 1])).replace('}\n', ',"perplexity":1e999}\n'),
    line(example('d', 3, [0, 1], { nll: -1000 })),
    line(example('e', 4, [0, 1])).replace('}\n', ',"perplexity":NaN}\n'), // as Python's json.dumps writes it
    line(example('f', 5, [0, 1])).replace('}\n', ',"nll":-Infinity}\n'),
    line(example('g', 6, [0, 0], { perplexity: 1.05 })),
  ];
  await writeFile(file, lines.join(''));
  const sequential = new PreMemLogReader([file]);
  await sequential.readMore();
  const parallel = new PreMemLogReader([file]);
  await scanInParallel(parallel, { workers: 2 });
  await parallel.readMore();
  for (const reader of [sequential, parallel]) {
    assert.deepEqual(reader.problems.map((p) => [p.file, p.line, p.field, p.severity]), [
      [file, 1, 'perplexity', 'warning'],
      [file, 2, 'perplexity', 'warning'],
      [file, 3, 'perplexity', 'warning'],
      [file, 4, 'nll', 'warning'],
      [file, 5, 'perplexity', 'warning'],
      [file, 6, 'nll', 'warning'],
    ]);
    const c = reader.runs()[0].checkpoints[0];
    assert.deepEqual([...c.accuracy], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1]);
    assert.deepEqual([...c.perplexity].map((x) => (Number.isNaN(x) ? 'unknown' : x)), [...Array(6).fill('unknown'), 1.05]);
  }
});

test('a scores record with a bare NaN stays invalid JSON: null there would mean "unknown" with no word said', async () => {
  const file = path.join(await tmpDir(), 'bad-scores.premem.jsonl');
  await writeFile(file, '{"v":1,"type":"scores","run":"r","checkpoint":"c1","step":1,"keys":["a"],"sampleCount":2,"accuracy":[0.5],"perplexity":[NaN]}\n');
  const reader = new PreMemLogReader([file]);
  await reader.readMore();
  assert.equal(reader.problems.length, 1);
  assert.match(reader.problems[0].message, /^invalid JSON/);
});
