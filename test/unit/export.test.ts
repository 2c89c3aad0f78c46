import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { openDataset } from '../../src/core/dataset/open';
import { exportRecollection, SelectionError } from '../../src/core/export/recollection';
import { CSV_COLUMNS, csvField } from '../../src/core/export/writers';
import { FlagStore } from '../../src/core/flags/flag-store';
import { exampleDynamics, TRAJECTORY_NAMES } from '../../src/core/metrics/dynamics';
import { preMemAccuracy, prepareRun } from '../../src/core/metrics/premem';
import { pFromThreshold } from '../../src/core/metrics/threshold';
import { InputError, type Dataset, type Run } from '../../src/core/model';
import { readNpy } from '../../src/core/npy';
import { readPaperRuns } from '../../src/core/runlog/paper';
import { fixtures, repoRoot } from '../support/shared';
import { buildCliBundle } from '../support/cli-bundle';
import { tempDir, tempDirSync } from '../support/temp-dir';

const RUNS_DIR = path.join(fixtures, 'paper-runs-mini');
const GOLDEN_RUN = 'gsm8k_orig_3epochs_full_lr2e-05_bs128';
const HALF_RUN = 'gsm8k_orig_6epochs_half_lr2e-05_bs128';
/** The authors' golden PreMemAcc array was made at this threshold. */
const GOLDEN_THR = -2.5;
const T = 0.75;

const scratch = tempDirSync('premem-export-');
let counter = 0;

/** A private copy of the 200-example fixture, so its flag file lands in the scratch folder. */
function datasetCopy(): string {
  const dir = path.join(scratch, `case-${++counter}`);
  mkdirSync(dir);
  const file = path.join(dir, 'gsm8k-train-200.jsonl');
  copyFileSync(path.join(fixtures, 'datasets/gsm8k-train-200.jsonl'), file);
  return file;
}

const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** Final-checkpoint PreMemAcc of the golden run, straight from the authors' array (not from our code). */
async function goldenFinal(): Promise<Float64Array> {
  const golden = await readNpy(path.join(RUNS_DIR, GOLDEN_RUN, 'unmemorized_acc_cummax_all.npy'));
  const [M, N] = golden.shape;
  return Float64Array.from(golden.data.subarray((M - 1) * N, M * N) as ArrayLike<number>);
}

/** Minimal RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      assert.notEqual(c, '\n', `bare LF outside quotes at offset ${i}`);
      assert.notEqual(c, '"', `quote inside an unquoted field at offset ${i}`);
      field += c;
      i++;
    }
  }
  assert.equal(field, '', 'the last record ends in CRLF');
  assert.equal(row.length, 0);
  return rows;
}

describe('re-collection export on the paper fixture', () => {
  let runs: Run[];
  let dataset: Dataset;
  let datasetFile: string;
  let originalLines: string[];

  before(async () => {
    runs = await readPaperRuns(RUNS_DIR);
    datasetFile = datasetCopy();
    dataset = await openDataset(datasetFile, 'auto');
    originalLines = readFileSync(datasetFile, 'utf8').split('\n');
  });
  after(() => dataset.close());

  test('exports exactly the examples whose PreMemAcc (the authors\' own array) is <= t, each as its original record plus premem', async () => {
    const golden = await goldenFinal();
    const expected = [...golden.keys()].filter((i) => golden[i] <= T);
    assert.ok(expected.length > 20 && expected.length < 180, `a selection that means something (${expected.length} of 200)`);
    const out = path.join(path.dirname(datasetFile), 'golden.jsonl');
    const flags = await FlagStore.open(datasetFile);
    const summary = await exportRecollection({ dataset, runs, runId: GOLDEN_RUN, thr: GOLDEN_THR, t: T, flags, out });

    const lines = readJsonl(out);
    assert.deepEqual(
      lines.map((l) => l.premem.key),
      expected.map((i) => dataset.keys[i]),
    );
    const run = runs.find((r) => r.id === GOLDEN_RUN)!;
    for (const l of lines) {
      const { premem, ...record } = l;
      const i = premem.line - 1;
      assert.deepEqual(record, JSON.parse(originalLines[premem.line - 1]), `line ${premem.line} is the original record`);
      assert.equal(premem.key, dataset.keys[i]);
      assert.equal(premem.preMemAccuracy, golden[i]);
      assert.equal(premem.run, GOLDEN_RUN);
      assert.equal(premem.checkpoint, run.checkpoints.at(-1)!.id, 'default: the last checkpoint');
      assert.equal(premem.p, pFromThreshold(GOLDEN_THR));
      assert.equal(premem.t, T);
      assert.ok(TRAJECTORY_NAMES.includes(premem.trajectory));
      assert.equal(premem.flag, null);
    }
    assert.deepEqual(
      { selected: summary.selected, fragile: summary.fragile, flagged: summary.flagged, kept: summary.kept, datasetSize: summary.datasetSize, share: summary.share },
      { selected: expected.length, fragile: expected.length, flagged: 0, kept: 0, datasetSize: 200, share: expected.length / 200 },
    );
    assert.equal(summary.format, 'jsonl');
    assert.deepEqual(
      readdirSync(path.dirname(out)).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left behind',
    );
  });

  test('a half run: only the examples it trained on; a chosen checkpoint does not look at later ones', async () => {
    const run = runs.find((r) => r.id === HALF_RUN)!;
    const thr = -2.3;
    const m = 1;
    const pre = preMemAccuracy(prepareRun(run), thr)[m];
    const members = new Set(run.subset!);
    const expected = [...pre.keys()].filter((i) => members.has(i) && pre[i] <= T);
    const outsiders = [...pre.keys()].filter((i) => !members.has(i) && pre[i] <= T);
    assert.ok(outsiders.length > 0, 'examples outside the subset would qualify: the subset matters');
    const out = path.join(path.dirname(datasetFile), 'half.jsonl');
    const summary = await exportRecollection({ dataset, runs, runId: HALF_RUN, checkpointId: run.checkpoints[m].id, thr, flags: await FlagStore.open(datasetFile), out });
    const lines = readJsonl(out);
    assert.deepEqual(
      lines.map((l) => l.premem.line - 1),
      expected,
    );
    assert.equal(summary.scored, members.size);
    assert.ok(lines.every((l) => l.premem.checkpoint === run.checkpoints[m].id));
    // An example first memorized after checkpoint m is not yet "memorized" in the export's trajectory.
    const later = exampleDynamics(prepareRun(run), thr).firstMemorized;
    const memorizedLater = lines.filter((l) => later[l.premem.line - 1] > m);
    assert.ok(memorizedLater.length > 0);
    for (const l of memorizedLater) assert.ok(!String(l.premem.trajectory).startsWith('memorized') && l.premem.trajectory !== 'generalized-then-memorized');
  });

  test('flags: flagged examples join with --include-flagged, "keep" is never exported, orphans are counted', async () => {
    const file = datasetCopy();
    const ds = await openDataset(file, 'auto');
    try {
      const golden = await goldenFinal();
      const fragile = [...golden.keys()].filter((i) => golden[i] <= T);
      const robust = [...golden.keys()].filter((i) => golden[i] > T);
      const [kept, noted] = fragile;
      const [extra, keptRobust] = robust;
      const flags = await FlagStore.open(file);
      await flags.flag(ds.keys[extra], { reason: 'wrong-target', note: 'the answer should be 18, not "16"', author: 'ana' });
      await flags.flag(ds.keys[kept], { reason: 'keep', note: 'fine as it is', author: 'ana' });
      await flags.flag(ds.keys[noted], { reason: 'ambiguous-question', note: 'two readings', author: 'bo' });
      await flags.flag(ds.keys[keptRobust], { reason: 'keep', author: 'bo' });
      await flags.flag('h:0000000000000000', { reason: 'fragile', author: 'bo' });
      const base = { dataset: ds, runs, runId: GOLDEN_RUN, thr: GOLDEN_THR, t: T, flags };

      const plainOut = path.join(path.dirname(file), 'plain.jsonl');
      const plain = await exportRecollection({ ...base, out: plainOut });
      let indices = readJsonl(plainOut).map((l) => l.premem.line - 1);
      assert.deepEqual(indices, fragile.filter((i) => i !== kept));
      assert.deepEqual([plain.fragile, plain.flagged, plain.kept, plain.orphanedFlags], [fragile.length - 1, 0, 1, 1]);

      const withOut = path.join(path.dirname(file), 'with-flagged.jsonl');
      const withFlagged = await exportRecollection({ ...base, includeFlagged: true, out: withOut });
      const lines = readJsonl(withOut);
      indices = lines.map((l) => l.premem.line - 1);
      assert.deepEqual(indices, [...fragile.filter((i) => i !== kept), extra].sort((a, b) => a - b));
      assert.deepEqual([withFlagged.selected, withFlagged.fragile, withFlagged.flagged, withFlagged.kept], [fragile.length, fragile.length - 1, 1, 1]);
      const byIndex = new Map(lines.map((l) => [l.premem.line - 1, l.premem]));
      const extraFlag = byIndex.get(extra)!.flag;
      assert.deepEqual(
        { reason: extraFlag.reason, note: extraFlag.note, author: extraFlag.author },
        { reason: 'wrong-target', note: 'the answer should be 18, not "16"', author: 'ana' },
      );
      assert.ok(!Number.isNaN(Date.parse(extraFlag.time)));
      assert.equal(byIndex.get(extra)!.preMemAccuracy, golden[extra], 'a flagged example keeps its PreMemAcc');
      assert.equal(byIndex.get(noted)!.flag.reason, 'ambiguous-question');
      assert.ok(!byIndex.has(keptRobust) && !byIndex.has(kept));
    } finally {
      await ds.close();
    }
  });

  test('Parquet output reads back (hyparquet) with the CSV columns and the same rows as the JSONL', async () => {
    const flags = await FlagStore.open(datasetFile);
    const base = { dataset, runs, runId: HALF_RUN, thr: -2.3, flags };
    const jsonlOut = path.join(path.dirname(datasetFile), 'half-all.jsonl');
    const parquetOut = path.join(path.dirname(datasetFile), 'half-all.parquet');
    await exportRecollection({ ...base, out: jsonlOut });
    const summary = await exportRecollection({ ...base, out: parquetOut });
    assert.equal(summary.format, 'parquet');
    const bytes = readFileSync(parquetOut);
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
    const expected = readJsonl(jsonlOut).map((l) => ({
      key: l.premem.key,
      line: l.premem.line,
      run: l.premem.run,
      checkpoint: l.premem.checkpoint,
      preMemAccuracy: l.premem.preMemAccuracy,
      trajectory: l.premem.trajectory,
      flag_reason: null,
      flag_note: null,
      query: l.question,
      target: l.answer,
    }));
    assert.equal(rows.length, summary.selected);
    assert.deepEqual(Object.keys(rows[0]), [...CSV_COLUMNS]);
    assert.deepEqual(rows, expected);
  });

  test('bad selections and mismatched datasets fail before anything is written', async () => {
    const out = path.join(path.dirname(datasetFile), 'existing.jsonl');
    writeFileSync(out, 'earlier export\n');
    const flags = await FlagStore.open(datasetFile);
    await assert.rejects(
      exportRecollection({ dataset, runs, runId: 'nope', thr: -2.3, flags, out }),
      (err: Error) => err instanceof SelectionError && runs.every((r) => err.message.includes(r.id)),
    );
    await assert.rejects(
      exportRecollection({ dataset, runs, checkpointId: 'checkpoint-9', thr: -2.3, flags, out }),
      (err: Error) => err instanceof SelectionError && /checkpoint-58, checkpoint-116, checkpoint-174/.test(err.message),
    );
    await assert.rejects(exportRecollection({ dataset, runs, thr: -2.3, flags, out: path.join(scratch, 'x.txt') }), SelectionError);
    const small = await openDataset(path.join(fixtures, 'datasets/gsm8k-train-head.jsonl'), 'auto');
    await assert.rejects(
      exportRecollection({ dataset: small, runs, thr: -2.3, flags, out }),
      (err: Error) => err instanceof InputError && err.file === small.path && /20 examples.*200/.test(err.message),
    );
    await small.close();

    // 200 good records and one bad line: the paper's positional rows would shift after line 5.
    const shifted = path.join(scratch, 'shifted.jsonl');
    const lines = readFileSync(datasetFile, 'utf8').split('\n');
    lines.splice(4, 0, '{"question": "broken');
    writeFileSync(shifted, lines.join('\n'));
    const shiftedDs = await openDataset(shifted, 'auto');
    assert.equal(shiftedDs.size, 200);
    await assert.rejects(
      exportRecollection({ dataset: shiftedDs, runs, thr: -2.3, flags, out }),
      (err: Error) => err instanceof InputError && err.file === shifted && err.line === 5 && /position/.test(err.message),
    );
    await shiftedDs.close();
    assert.equal(readFileSync(out, 'utf8'), 'earlier export\n', 'the earlier file is untouched');
  });
});

test('CSV: RFC 4180 quoting of commas, quotes and line breaks; CRLF records; the documented columns', async () => {
  const dir = path.join(scratch, 'csv');
  mkdirSync(dir);
  const file = path.join(dir, 'tricky.jsonl');
  const records = [
    { question: 'Tom says "two, maybe three" apples,\nthen leaves. How many?', answer: 'He said "two".\r\nSo 2, in fact.\n#### 2' },
    { question: 'Plain question', answer: 'Plain answer\n#### 4' },
    { question: 'Learned well', answer: 'Yes\n#### 1' },
  ];
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const dataset = await openDataset(file, 'auto');
  const run: Run = {
    id: 'synthetic',
    numExamples: 3,
    checkpoints: [
      { id: 'ckpt-1', step: 1, accuracy: Float64Array.from([0, 0.4, 1]), sampleCount: Uint16Array.from([5, 5, 5]), perplexity: Float64Array.from([2, 2, 2]) },
    ],
    source: { format: 'premem', path: 'synthetic.premem.jsonl' },
  };
  const flags = await FlagStore.open(file);
  await flags.flag(dataset.keys[1], { reason: 'other', note: 'odd, "really"\nodd', author: 'x' });
  const out = path.join(dir, 'out.csv');
  const summary = await exportRecollection({ dataset, runs: [run], thr: -2.3, flags, out });
  assert.equal(summary.selected, 2);
  const text = readFileSync(out, 'utf8');
  assert.ok(text.includes('"Tom says ""two, maybe three"" apples,\nthen leaves. How many?"'));
  const rows = parseCsv(text);
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  assert.deepEqual(rows.slice(1), [
    [dataset.keys[0], '1', 'synthetic', 'ckpt-1', '0', 'never-learned', '', '', records[0].question, records[0].answer],
    [dataset.keys[1], '2', 'synthetic', 'ckpt-1', '0.4', 'never-learned', 'other', 'odd, "really"\nodd', records[1].question, records[1].answer],
  ]);
  assert.equal(csvField(null), '');
  assert.equal(csvField('a\rb'), '"a\rb"');
  assert.equal(csvField(0.5), '0.5');
  await dataset.close();
});

describe('premem export (built CLI)', () => {
  let dir: string;
  let launcher: string;
  let datasetFile: string;

  before(async () => {
    ({ dir, launcher } = await buildCliBundle('export'));
    mkdirSync(path.join(dir, 'work'));
    datasetFile = path.join(dir, 'work', 'gsm8k-train-200.jsonl');
    copyFileSync(path.join(fixtures, 'datasets/gsm8k-train-200.jsonl'), datasetFile);
  });

  function premem(args: string[]) {
    const r = spawnSync(process.execPath, [launcher, 'export', ...args], { cwd: path.join(dir, 'work'), encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test('writes the set, prints the count and share; default output in the current folder', async () => {
    const golden = await goldenFinal();
    const expected = [...golden].filter((v) => v <= T).length;
    const r = premem(['--runs', RUNS_DIR, '--dataset', datasetFile, '--run', GOLDEN_RUN, '--p', String(pFromThreshold(GOLDEN_THR))]);
    assert.equal(r.code, 0, r.stderr);
    const defaultOut = path.join(dir, 'work', 'gsm8k-train-200.recollection.jsonl');
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stdout, new RegExp(`^${expected} examples \\(${((100 * expected) / 200).toFixed(1)}% of the dataset\\).*written to gsm8k-train-200\\.recollection\\.jsonl\\n$`));
    assert.equal(readJsonl(defaultOut).length, expected);
  });

  test('--include-flagged, CSV and Parquet outputs', async () => {
    const ds = await openDataset(datasetFile, 'auto');
    const flags = await FlagStore.open(datasetFile);
    const golden = await goldenFinal();
    const robust = [...golden.keys()].find((i) => golden[i] > T)!;
    await flags.flag(ds.keys[robust], { reason: 'duplicate', note: 'same as line 3', author: 'ana' });
    await ds.close();
    const args = ['--runs', RUNS_DIR, '--dataset', datasetFile, '--run', GOLDEN_RUN, '--p', String(pFromThreshold(GOLDEN_THR)), '--include-flagged'];
    const expected = [...golden].filter((v) => v <= T).length + 1;
    for (const name of ['set.csv', 'set.parquet', 'set.jsonl']) {
      const r = premem([...args, '--out', name]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^${expected} examples .*1 flagged.*written to ${name.replace('.', '\\.')}`));
      assert.ok(existsSync(path.join(dir, 'work', name)));
    }
    assert.equal(parseCsv(readFileSync(path.join(dir, 'work', 'set.csv'), 'utf8')).length, expected + 1);
    assert.equal(readJsonl(path.join(dir, 'work', 'set.jsonl')).filter((l) => l.premem.flag?.reason === 'duplicate').length, 1);
  });

  test('without --run: the run the extension shows (best full-data run), not the first by name, and it says so', () => {
    const r = premem(['--runs', RUNS_DIR, '--dataset', datasetFile, '--p', String(pFromThreshold(GOLDEN_THR)), '--out', 'default-run.jsonl']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^premem export: run ${GOLDEN_RUN} \\(the run trained on every example whose last checkpoint tests best`, 'm'));
    assert.match(r.stdout, new RegExp(`at ${GOLDEN_RUN} / checkpoint-174`));
  });

  test('exit 2 on usage errors, listing the run ids for an unknown run', () => {
    let r = premem(['--runs', RUNS_DIR, '--dataset', datasetFile, '--run', 'nope']);
    assert.equal(r.code, 2);
    for (const id of ['gsm8k_orig_3epochs_full_lr0.0002_bs128', GOLDEN_RUN, HALF_RUN]) assert.ok(r.stderr.includes(id), r.stderr);
    r = premem(['--runs', RUNS_DIR, '--dataset', datasetFile, '--checkpoint', 'checkpoint-1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /checkpoint-174/);
    assert.equal(premem(['--runs', RUNS_DIR, '--dataset', datasetFile, '--out', 'set.txt']).code, 2);
    assert.equal(premem(['--dataset', datasetFile]).code, 2);
    assert.equal(premem(['--runs', RUNS_DIR, '--dataset', datasetFile, '--p', '1.1', '--calibrate']).code, 2);
    assert.equal(premem(['--runs', RUNS_DIR, '--dataset', datasetFile, '--t', '2']).code, 2);
  });

  test('exit 1 on bad input, naming the file (and line)', () => {
    const head = path.join(fixtures, 'datasets/gsm8k-train-head.jsonl');
    let r = premem(['--runs', RUNS_DIR, '--dataset', head]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`${head}: has 20 examples`), r.stderr);
    const broken = path.join(dir, 'work', 'broken.jsonl');
    const lines = readFileSync(datasetFile, 'utf8').split('\n');
    lines.splice(9, 0, 'not json');
    writeFileSync(broken, lines.join('\n'));
    r = premem(['--runs', RUNS_DIR, '--dataset', broken]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`${broken}:10`), r.stderr);
    r = premem(['--runs', path.join(dir, 'no-such-folder'), '--dataset', datasetFile]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no-such-folder/);
  });

  /** Exit 1 with exactly one line on stderr, which matches the pattern. */
  function assertOneLineExit1(r: { code: number | null; stderr: string }, pattern: RegExp) {
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }

  test('--out in a missing folder or naming a folder: one line, exit 1, before any work', () => {
    const args = ['--runs', RUNS_DIR, '--dataset', datasetFile];
    assertOneLineExit1(premem([...args, '--out', path.join(dir, 'no-such-folder', 'set.jsonl')]), /--out: the folder .*no-such-folder does not exist/);
    mkdirSync(path.join(dir, 'work', 'a-folder.jsonl'));
    assertOneLineExit1(premem([...args, '--out', 'a-folder.jsonl']), /a-folder\.jsonl: --out names a folder/);
  });

  test('--runs naming a file that is no run log (a dataset, random bytes): one line, exit 1', () => {
    assertOneLineExit1(premem(['--runs', datasetFile, '--dataset', datasetFile]), /gsm8k-train-200\.jsonl: not a run log: no runs found; line 1: /);
    const noise = path.join(dir, 'work', 'noise.bin');
    writeFileSync(noise, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    assertOneLineExit1(premem(['--runs', noise, '--dataset', datasetFile]), /noise\.bin: not a run log/);
  });

  test('flags file that is a folder: one line naming it, exit 1', () => {
    const copy = path.join(dir, 'work', 'flags-folder.jsonl');
    copyFileSync(datasetFile, copy);
    mkdirSync(`${copy}.premem-flags.jsonl`);
    assertOneLineExit1(premem(['--runs', RUNS_DIR, '--dataset', copy, '--out', 'x.jsonl']), /flags-folder\.jsonl\.premem-flags\.jsonl: is a folder/);
  });

  test('--t and --p take negative numbers as values, and refuse them by range (exit 2)', () => {
    for (const [option, value, message] of [['--t', '-0.1', /--t must lie between 0 and 1/], ['--p', '-3', /--p must be greater than 1/]] as const) {
      const r = premem(['--runs', RUNS_DIR, '--dataset', datasetFile, option, value]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    }
  });
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} while an export is being written removes its temporary file; the earlier file stays`, async () => {
    const dir = await tempDir('premem-signal-');
    const target = path.join(dir, 'set.jsonl');
    writeFileSync(target, 'earlier export\n');
    // A process stopped mid-export: its sink has written a row to the temporary file and is waiting for more.
    const script = path.join(dir, 'stopped-export.mts');
    const src = (f: string) => JSON.stringify(path.join(repoRoot, 'src', f));
    writeFileSync(
      script,
      `import { openRowSink } from ${src('core/export/writers.ts')};
import { removeTemporaryFilesOnSignal } from ${src('cli/signals.ts')};
removeTemporaryFilesOnSignal('export');
const sink = await openRowSink(${JSON.stringify(target)}, 'jsonl');
await sink.add({ record: { q: 1 }, premem: {} as never, query: 'q', target: 't' });
console.log('writing');
setInterval(() => {}, 1000);
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 1, 'the temporary file exists while writing');
    child.kill(signal);
    const [code] = await once(child, 'exit');
    assert.equal(code, signal === 'SIGINT' ? 130 : 143);
    assert.match(stderr, new RegExp(`stopped by ${signal}; nothing was written`));
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
    assert.equal(readFileSync(target, 'utf8'), 'earlier export\n');
  });
}
