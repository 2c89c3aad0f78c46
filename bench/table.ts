// Benchmark: the dataset table on a million GSM8K-like records (about 600 MB of JSONL, written once to the
// ignored bench/.data/): indexing, serving a row window at the end of the file (cold and cached, in file order
// and in a PreMemAcc-sorted view), sorting a million PreMemAcc values, and filtering (text search over the
// file in chunks, bucket filter). PreMemAcc values are synthetic: the sort does not depend on where they came from.
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { openDataset } from '../src/core/dataset/open';
import { Bucket } from '../src/core/session';
import { filterRows, sortByFloat64 } from '../src/core/table/order';
import { JsonlRecordSource } from '../src/core/table/record-source';
import { DEFAULT_QUERY, TableModel, type TableScores } from '../src/core/table/table-model';
import { textMatcher } from '../src/core/table/text-match';
import { median, row, runAlone } from './util';

const COUNT = 1_000_000;
const WINDOW = 60;
const MARKER = 'zebra-lantern-4417';

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
}
async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

/** The 200 fixture records repeated, each question made unique; the last one carries MARKER. */
async function datasetFile(): Promise<string> {
  const dir = path.resolve(__dirname, '.data');
  const file = path.join(dir, 'table-1m.jsonl');
  if (existsSync(file) && endsWithMarker(file)) return file;
  mkdirSync(dir, { recursive: true });
  const source = readFileSync(path.resolve(__dirname, '../test/fixtures/datasets/gsm8k-train-200.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { question: string; answer: string });
  const out = createWriteStream(file);
  let batch = '';
  for (let i = 0; i < COUNT; i++) {
    const r = source[i % source.length];
    const question = i === COUNT - 1 ? `Last one (${MARKER}) [#${i + 1}]` : `${r.question} [#${i + 1}]`;
    batch += `${JSON.stringify({ question, answer: r.answer })}\n`;
    if (batch.length > 1 << 22) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  return file;
}

function endsWithMarker(file: string): boolean {
  const size = statSync(file).size;
  const tail = Buffer.alloc(Math.min(size, 200));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  return tail.toString('utf8').includes(`(${MARKER}) [#${COUNT}]`);
}

function syntheticScores(n: number): TableScores {
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const preMem = new Float64Array(n);
  const buckets = new Uint8Array(n);
  const trajectory = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const unscored = rand() < 0.05;
    // PreMemAcc averages a few samples over checkpoints: a few dozen distinct values, many ties.
    preMem[i] = unscored ? NaN : Math.round(rand() * 32) / 32;
    buckets[i] = unscored ? Bucket.NotScored : preMem[i] <= 0.75 ? Bucket.Fragile : preMem[i] <= 0.9 ? Bucket.AtRisk : Bucket.Robust;
    trajectory[i] = unscored ? 0 : 1 + Math.floor(rand() * 4);
  }
  return { preMem, buckets, trajectory, label: 'synthetic' };
}

export async function benchTable(): Promise<string[]> {
  const rows: string[] = [];
  const [file, tWrite] = await timeAsync(datasetFile);
  const size = statSync(file).size;
  const [dataset, tOpen] = await timeAsync(() => openDataset(file, 'auto'));
  const [source, tIndex] = await timeAsync(() => JsonlRecordSource.open(dataset));
  const n = dataset.size;
  rows.push(
    row(`index ${n.toLocaleString('en-US')} records (${(size / 2 ** 20).toFixed(0)} MiB JSONL): parse + keys (openDataset)`, `${ms(tOpen)} ms`, `file written in ${ms(tWrite)} ms (reused when present)`),
    row('… + byte offsets of every record (line index for paged reads)', `${ms(tIndex)} ms`, 'only when the table indexes a file itself or borrows a session dataset'),
  );

  const scores = syntheticScores(n);
  const model = new TableModel(dataset, source, scores, undefined);
  try {
    const [last, tColdEnd] = await timeAsync(() => model.window(n - WINDOW, n));
    if (!last.at(-1)?.preview.includes(MARKER)) throw new Error('the last row is not the last record');
    const warm = [];
    for (let k = 0; k < 20; k++) warm.push((await timeAsync(() => model.window(n - WINDOW, n)))[1]);
    const far = [];
    for (let k = 0; k < 20; k++) {
      const start = Math.floor(((k * 7919) % 1000) * (n / 1000));
      far.push((await timeAsync(() => model.window(start, start + WINDOW)))[1]);
    }
    rows.push(
      row(`window of ${WINDOW} rows at the end of the file, file order: first read / cached`, `${ms(tColdEnd)} ms / ${ms(median(warm))} ms`, 'one positional read of one 128 KiB page'),
      row(`window of ${WINDOW} rows at 20 places across the file (jumps of the scrollbar)`, `${ms(median(far))} ms median`, 'page not cached yet'),
    );

    const sortTimes = [];
    for (let k = 0; k < 5; k++) {
      sortTimes.push((await timeAsync(() => model.apply({ ...DEFAULT_QUERY, sort: { column: 'preMem', descending: k % 2 === 0 } })))[1]);
    }
    const all = filterRows(n);
    const rawSort = Array.from({ length: 5 }, () => time(() => sortByFloat64(all, scores.preMem, true))[1]);
    const comparator = time(() => Int32Array.from(all).sort((a, b) => scores.preMem[b] - scores.preMem[a] || a - b))[1];
    rows.push(
      row(`sort ${n.toLocaleString('en-US')} PreMemAcc values (view rebuilt: filter + radix sort)`, `${ms(median(sortTimes))} ms median`, `radix sort alone ${ms(median(rawSort))} ms; a comparator sort takes ${ms(comparator)} ms`),
    );

    await model.apply({ ...DEFAULT_QUERY, sort: { column: 'preMem', descending: true } });
    const end = model.rowCount;
    const [, tSortedCold] = await timeAsync(() => model.window(end - WINDOW, end));
    const [, tSortedWarm] = await timeAsync(() => model.window(end - WINDOW, end));
    const [, tRowOf] = time(() => model.rowOf(n - 1));
    rows.push(
      row(`window of ${WINDOW} rows at the end of the PreMemAcc-sorted view: first read / cached`, `${ms(tSortedCold)} ms / ${ms(tSortedWarm)} ms`, 'rows scattered over the file: one small read per page'),
      row('where is an example in a sorted view (go to line): first lookup', `${ms(tRowOf)} ms`, 'builds the inverse permutation once per view'),
    );

    const filters: [string, string, string][] = [
      [MARKER, 'rare text, 1 match', 'Latin-1 prefilter: only candidate records decoded and parsed'],
      ['apples', 'common word', 'Latin-1 prefilter, 5,000 candidates'],
      ['café', 'non-ASCII text', 'UTF-8 prefilter: every chunk decoded as UTF-8, lines counted'],
      ['1/2', 'text JSON may escape ("/")', 'no prefilter: every record decoded and parsed'],
    ];
    for (const [text, what, note] of filters) {
      const times = [];
      let found = 0;
      for (let k = 0; k < 3; k++) {
        const [matches, t] = await timeAsync(() => source.search(textMatcher(text)));
        times.push(t);
        found = matches.reduce((a, b) => a + b, 0);
      }
      rows.push(row(`filter "query contains" over ${n.toLocaleString('en-US')} records: ${what}`, `${ms(median(times))} ms median`, `${found.toLocaleString('en-US')} matching; ${note}`));
    }
    const bucketTimes = [];
    for (let k = 0; k < 5; k++) {
      await model.apply(DEFAULT_QUERY);
      bucketTimes.push((await timeAsync(() => model.apply({ ...DEFAULT_QUERY, buckets: ['fragile'], sort: { column: 'preMem', descending: false } })))[1]);
    }
    rows.push(row('filter by bucket (fragile) + sort by PreMemAcc', `${ms(median(bucketTimes))} ms median`, `${model.rowCount.toLocaleString('en-US')} rows`));
  } finally {
    await source.close();
    await dataset.close();
  }
  return rows;
}

if (require.main === module) runAlone(benchTable);
