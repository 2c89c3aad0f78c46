import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { openDataset } from '../../src/core/dataset/open';
import type { Dataset } from '../../src/core/model';
import { Bucket, BUCKET_NAMES } from '../../src/core/session';
import { filterRows, inversePermutation, sortByFloat64, sortByUint32, sortByUint8, sortRows } from '../../src/core/table/order';
import { fieldsOfRecordText, PREVIEW_LENGTH, previewText } from '../../src/core/table/preview';
import { DatasetRecordSource, JsonlRecordSource, openRecordSource, type RecordSource } from '../../src/core/table/record-source';
import { LruCache, pageOf, pageStarts } from '../../src/core/table/row-pages';
import {
  isScaled, MAX_SPACER_HEIGHT, maxScrollTop, maxVirtualTop, rowAtPoint, rowsPerPage, scrollTopFor, spacerHeight, virtualTopAt,
  virtualTopToReveal, visibleRows, type ScrollGeometry,
} from '../../src/core/table/scroll';
import { DEFAULT_QUERY, TableModel, type TableScores } from '../../src/core/table/table-model';
import { textMatcher } from '../../src/core/table/text-match';
import { isHostMessage, isViewQuery, isWebviewMessage } from '../../webview/dataset-table/protocol';
import { fixtures } from '../support/shared';
import { tempDirSync } from '../support/temp-dir';

const fx = (name: string) => path.join(fixtures, 'datasets', name);
const scratch = tempDirSync('premem-table-');

/** A deterministic pseudo-random sequence in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('scroll scaling', () => {
  const million: ScrollGeometry = { rowCount: 1_000_000, rowHeight: 22, viewportHeight: 600 };

  test('a million rows get a capped spacer and scaled positions', () => {
    assert.equal(spacerHeight(million), MAX_SPACER_HEIGHT);
    assert.ok(isScaled(million));
    assert.equal(maxScrollTop(million), MAX_SPACER_HEIGHT - 600);
    assert.equal(maxVirtualTop(million), 22_000_000 - 600);
  });

  test('the top shows row 0 and the largest scroll position shows the last row exactly at the bottom', () => {
    assert.equal(virtualTopAt(0, million), 0);
    assert.equal(rowAtPoint(0, 0, million), 0);
    const top = virtualTopAt(maxScrollTop(million), million);
    const rows = visibleRows(top, million);
    assert.equal(rows.end, 1_000_000);
    const lastRowTop = rows.startTop + (999_999 - rows.start) * 22;
    assert.equal(lastRowTop + 22, 600, 'the last row ends at the bottom edge of the viewport');
    assert.equal(rowAtPoint(top, 599, million), 999_999);
    // Scrolling past the end (overscroll, a stale position) still ends at the last row.
    assert.equal(virtualTopAt(maxScrollTop(million) + 5000, million), top);
  });

  test('a scroll position maps to the row in proportion, and back', () => {
    const half = virtualTopAt(maxScrollTop(million) / 2, million);
    assert.equal(half, maxVirtualTop(million) / 2);
    assert.equal(rowAtPoint(half, 0, million), Math.floor((22_000_000 - 600) / 2 / 22));
    for (const row of [0, 1, 12_345, 500_000, 999_973, 999_999]) {
      const wanted = virtualTopToReveal(row, 0, million, 'top');
      const scroll = scrollTopFor(wanted, million);
      assert.ok(scroll >= 0 && scroll <= maxScrollTop(million));
      assert.ok(Math.abs(virtualTopAt(scroll, million) - wanted) < 1e-6, `round trip for row ${row}`);
    }
    // One pixel of scrolling moves 2.2 px of rows: positions are strictly increasing.
    let previous = -1;
    for (let s = 0; s <= maxScrollTop(million); s += 997_331) {
      const v = virtualTopAt(s, million);
      assert.ok(v > previous);
      previous = v;
    }
  });

  test('small tables are not scaled', () => {
    const small: ScrollGeometry = { rowCount: 100, rowHeight: 22, viewportHeight: 600 };
    assert.equal(spacerHeight(small), 2200);
    assert.ok(!isScaled(small));
    assert.equal(virtualTopAt(321, small), 321);
    assert.equal(scrollTopFor(321, small), 321);
    assert.equal(virtualTopAt(99_999, small), 1600);
    const fits: ScrollGeometry = { rowCount: 3, rowHeight: 22, viewportHeight: 600 };
    assert.equal(maxScrollTop(fits), 0);
    assert.deepEqual(visibleRows(0, fits, 10), { start: 0, end: 3, startTop: 0 });
    assert.deepEqual(visibleRows(0, { ...fits, rowCount: 0 }), { start: 0, end: 0, startTop: 0 });
  });

  test('visible rows with overscan, page size, revealing a row', () => {
    const g: ScrollGeometry = { rowCount: 1000, rowHeight: 20, viewportHeight: 105 };
    assert.deepEqual(visibleRows(30, g), { start: 1, end: 7, startTop: -10 });
    assert.deepEqual(visibleRows(30, g, 3), { start: 0, end: 10, startTop: -30 });
    assert.equal(rowsPerPage(g), 5);
    assert.equal(virtualTopToReveal(3, 30, g), 30, 'already visible: no scroll');
    assert.equal(virtualTopToReveal(0, 30, g), 0, 'above: to the top');
    assert.equal(virtualTopToReveal(10, 30, g), 220 - 105, 'below: to the bottom');
    assert.equal(virtualTopToReveal(500, 0, g, 'center'), 500 * 20 - (105 - 20) / 2);
    assert.equal(virtualTopToReveal(999, 0, g, 'top'), maxVirtualTop(g), 'clamped at the end');
  });
});

describe('row order', () => {
  const referenceSort = (rows: Int32Array, values: ArrayLike<number>, descending: boolean) =>
    Int32Array.from(Array.from(rows).sort((a, b) => {
      const x = values[a];
      const y = values[b];
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? a - b : Number.isNaN(x) ? 1 : -1;
      return (descending ? y - x : x - y) || rows.indexOf(a) - rows.indexOf(b);
    }));

  test('float sort: NaN last both ways, negatives, -0, infinities, stable ties', () => {
    const rand = random(7);
    const pool = [NaN, -0, 0, 1, -1, 0.25, 0.5, Infinity, -Infinity, 1e-300, -1e-300, 0.1 + 0.2, 0.3, Number.MAX_VALUE];
    const values = Float64Array.from({ length: 3000 }, () => (rand() < 0.5 ? pool[Math.floor(rand() * pool.length)] : rand() * 4 - 2));
    const rows = Int32Array.from({ length: 2000 }, (_, i) => (i * 7919) % 3000);
    for (const descending of [false, true]) {
      const sorted = sortByFloat64(rows, values, descending);
      const expected = Int32Array.from(Array.from(rows).sort((a, b) => {
        const x = values[a] === 0 ? 0 : values[a];
        const y = values[b] === 0 ? 0 : values[b];
        if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? 1 : -1;
        return descending ? (y > x ? 1 : y < x ? -1 : 0) : x > y ? 1 : x < y ? -1 : 0;
      }));
      assert.deepEqual(sorted, expected, `descending ${descending}`);
    }
    assert.deepEqual(rows, Int32Array.from({ length: 2000 }, (_, i) => (i * 7919) % 3000), 'the input is not changed');
  });

  test('byte and uint32 sorts are stable and match a comparator sort', () => {
    const rand = random(11);
    const bytes = Uint8Array.from({ length: 500 }, () => Math.floor(rand() * 5));
    const words = Uint32Array.from({ length: 500 }, () => Math.floor(rand() * 2 ** 32));
    words[3] = 0xffffffff;
    words[4] = 0;
    const rows = Int32Array.from({ length: 500 }, (_, i) => 499 - i);
    for (const descending of [false, true]) {
      assert.deepEqual(sortByUint8(rows, bytes, descending), referenceSort(rows, bytes, descending));
      assert.deepEqual(sortByUint32(rows, words, descending), referenceSort(rows, words, descending));
    }
  });

  test('filters combine; sorting by line follows the lines array', () => {
    const buckets = Uint8Array.from([Bucket.Fragile, Bucket.Robust, Bucket.NotScored, Bucket.Fragile, Bucket.AtRisk, Bucket.Fragile]);
    const flagged = Uint8Array.from([1, 0, 0, 1, 1, 0]);
    const text = Uint8Array.from([1, 1, 1, 0, 1, 1]);
    assert.deepEqual(filterRows(6), Int32Array.from([0, 1, 2, 3, 4, 5]));
    assert.deepEqual(filterRows(6, { bucketOf: buckets, buckets: [Bucket.Fragile] }), Int32Array.from([0, 3, 5]));
    assert.deepEqual(filterRows(6, { bucketOf: buckets, buckets: [Bucket.Fragile, Bucket.AtRisk], flagged }), Int32Array.from([0, 3, 4]));
    assert.deepEqual(filterRows(6, { bucketOf: buckets, buckets: [Bucket.Fragile, Bucket.AtRisk], flagged, textMatch: text }), Int32Array.from([0, 4]));
    assert.throws(() => filterRows(6, { buckets: [1] }), /needs bucketOf/);
    assert.throws(() => filterRows(7, { flagged }), /flagged has 6 entries for 7 rows/);

    const rows = Int32Array.from([0, 1, 2, 3]);
    assert.deepEqual(sortRows(rows, { column: 'line', descending: true }, {}), Int32Array.from([3, 2, 1, 0]));
    const lines = Uint32Array.from([10, 3, 7, 1]);
    assert.deepEqual(sortRows(rows, { column: 'line', descending: false }, { lines }), Int32Array.from([3, 1, 2, 0]));
    assert.throws(() => sortRows(rows, { column: 'preMem', descending: false }, {}), /no PreMemAcc/);
    const inverse = inversePermutation(Int32Array.from([4, 0, 2]), 5);
    assert.deepEqual(inverse, Int32Array.from([1, -1, 2, -1, 0]));
  });

  test('a million PreMemAcc values sort in well under a second', () => {
    const rand = random(3);
    const n = 1_000_000;
    const values = Float64Array.from({ length: n }, () => (rand() < 0.1 ? NaN : Math.round(rand() * 16) / 16));
    const rows = filterRows(n);
    const t0 = performance.now();
    const sorted = sortByFloat64(rows, values, true);
    const ms = performance.now() - t0;
    for (let i = 1; i < n; i++) {
      const a = values[sorted[i - 1]];
      const b = values[sorted[i]];
      if (Number.isNaN(b)) continue;
      assert.ok(!Number.isNaN(a) && (a > b || (a === b && sorted[i - 1] < sorted[i])), `order at ${i}`);
    }
    assert.ok(ms < 1000, `sorted in ${ms.toFixed(0)} ms`);
  });
});

describe('previews and matching', () => {
  test('one line, at most PREVIEW_LENGTH characters, surrogate pairs whole', () => {
    assert.equal(previewText('  How many\n\n  apples\tare there?  '), 'How many apples are there?');
    assert.equal(previewText('a\u0000b\u001bc'), 'abc');
    const long = 'word '.repeat(100);
    const cut = previewText(long);
    assert.ok(cut.length <= PREVIEW_LENGTH + 1 && cut.length > PREVIEW_LENGTH - 5, `${cut.length} characters`);
    assert.ok(cut.endsWith('…'));
    assert.equal(cut.slice(0, -1), long.slice(0, cut.length - 1));
    assert.equal(previewText('x'.repeat(PREVIEW_LENGTH)), 'x'.repeat(PREVIEW_LENGTH), 'exactly the limit is not cut');
    const emoji = previewText('😀'.repeat(10), 5);
    assert.equal(emoji, '😀😀😀😀😀…');
    assert.equal(previewText('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>', 'markup stays text');
  });

  test('fields of a record text', () => {
    const profile = { name: 'gsm8k' as const, query: 'question', target: 'answer', task: 'gsm8k' as const };
    assert.deepEqual(fieldsOfRecordText('{"question":"q","answer":"a"}', profile), { query: 'q', target: 'a' });
    assert.match((fieldsOfRecordText('{"question":', profile) as { problem: string }).problem, /not valid JSON/);
    assert.match((fieldsOfRecordText('{"question":"q"}', profile) as { problem: string }).problem, /missing target field 'answer'/);
  });

  test('matching is literal and case-insensitive; the raw prefilter is left out when JSON could escape the text', () => {
    assert.ok(textMatcher('APPLES').test('How many apples?'));
    assert.ok(textMatcher('a.b').test('xA.By'));
    assert.ok(!textMatcher('a.b').test('axb'));
    assert.ok(textMatcher('straße').test('STRAßE'));
    assert.ok(textMatcher('k').test('\u212a'), 'Kelvin sign folds to k');
    const apples = textMatcher('apples').latin1Prefilter!;
    assert.ok(apples.literal.test('x APPLES y'));
    apples.full.lastIndex = 0;
    assert.ok(apples.full.test(Buffer.from('\u212a', 'utf8').toString('latin1')), 'the full prefilter lets the Kelvin sign through');
    assert.ok(textMatcher('café').utf8Prefilter && !textMatcher('café').latin1Prefilter);
    for (const escapable of ['say "hi"', '1/2', 'a\\b', 'tab\there']) {
      const m = textMatcher(escapable);
      assert.equal(m.latin1Prefilter ?? m.utf8Prefilter, undefined, escapable);
    }
  });

  test('only U+017F and U+212A case-fold to ASCII (what the Latin-1 prefilter lets through besides ASCII)', () => {
    const folding: number[] = [];
    for (let c = 0x80; c < 0x110000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      if (/^[\x00-\x7f]$/iu.test(String.fromCodePoint(c))) folding.push(c);
    }
    assert.deepEqual(folding, [0x17f, 0x212a]);
  });

  test('pages and the LRU cache', () => {
    const offsets = Float64Array.from([0, 100, 200, 300, 1000, 1100]);
    const lengths = Uint32Array.from([99, 99, 99, 600, 99, 5000]);
    const starts = pageStarts(offsets, lengths, 400);
    assert.deepEqual(starts, Int32Array.from([0, 3, 4, 5]));
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => pageOf(starts, i)), [0, 0, 0, 1, 2, 3]);
    const lru = new LruCache<number, string>(2);
    lru.set(1, 'a');
    lru.set(2, 'b');
    assert.equal(lru.get(1), 'a');
    lru.set(3, 'c');
    assert.ok(lru.has(1) && lru.has(3) && !lru.has(2), 'the least recently used entry went');
    assert.throws(() => new LruCache(0), /at least 1/);
  });
});

/** A JSONL file with awkward records: escapes, non-ASCII, \u escapes, quotes, slashes, blank and bad lines. */
function writeAwkwardJsonl(file: string, count: number, newline = '\n'): string[] {
  const rand = random(5);
  const words = ['apple', 'Apple', 'café', 'CAFÉ', 'naïve', '1/2', 'say "hi"', 'back\\slash', 'tab\there', 'new\nline', '数学', '😀', 'x', 'ſtar', '5 \u212a'];
  const queries: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const q = Array.from({ length: 3 + Math.floor(rand() * 6) }, () => words[Math.floor(rand() * words.length)]).join(' ') + ` #${i}`;
    queries.push(q);
    let text = JSON.stringify({ question: q, answer: `#### ${i}` });
    // Some records written the way Python's json.dumps does by default: non-ASCII as \u escapes, "/" kept.
    if (i % 3 === 0) text = text.replace(/[^\x00-\x7f]/gu, escapeUnicode);
    lines.push(text);
    if (i % 17 === 0) lines.push('');
    if (i % 29 === 0) lines.push('{"question": "broken');
  }
  writeFileSync(file, lines.join(newline) + newline);
  return queries;
}
function escapeUnicode(c: string): string {
  let out = '';
  for (let k = 0; k < c.length; k++) out += `\\u${c.charCodeAt(k).toString(16).padStart(4, '0')}`;
  return out;
}

async function bruteForce(dataset: Dataset, text: string): Promise<number[]> {
  const m = textMatcher(text);
  const out: number[] = [];
  for (let i = 0; i < dataset.size; i++) if (m.test((await dataset.get(i)).query)) out.push(i);
  return out;
}
const ones = (a: Uint8Array) => Array.from(a.keys()).filter((i) => a[i]);

describe('record sources', () => {
  test('JSONL previews by page equal the dataset records, in any order', async () => {
    for (const [count, newline] of [[400, '\n'], [401, '\r\n']] as const) {
      const file = path.join(scratch, `awkward-${count}.jsonl`);
      const queries = writeAwkwardJsonl(file, count, newline);
      const dataset = await openDataset(file, 'auto', { workers: 0 });
      const source = await openRecordSource(dataset);
      try {
        assert.ok(source instanceof JsonlRecordSource);
        assert.equal(source.size, count);
        const order = Int32Array.from({ length: count }, (_, i) => (i * 131) % count);
        const previews = await source.previews(order);
        assert.deepEqual(previews, Array.from(order, (i) => previewText(queries[i])));
        // A second time from the cache, partly.
        assert.deepEqual(await source.previews([count - 1, 0]), [previewText(queries[count - 1]), previewText(queries[0])]);
        await assert.rejects(source.previews([count]), RangeError);
      } finally {
        await source.close();
        await dataset.close();
      }
    }
  });

  test('the chunked text search finds exactly what parsing every record finds', async () => {
    const file = path.join(scratch, 'search.jsonl');
    writeAwkwardJsonl(file, 700);
    const dataset = await openDataset(file, 'auto', { workers: 0 });
    const source = await openRecordSource(dataset);
    try {
      for (const needle of ['apple', 'CAFÉ', 'naïve', '1/2', 'say "hi"', 'back\\slash', 'tab\there', 'new\nline', '数学', '😀', '#69', 'e #1', 'zzz', 'STAR', '5 k']) {
        const progress: number[] = [];
        const found = await source.search(textMatcher(needle), { onProgress: (f) => progress.push(f) });
        assert.deepEqual(ones(found), await bruteForce(dataset, needle), `needle ${JSON.stringify(needle)}`);
        assert.equal(progress.at(-1), 1);
      }
      const controller = new AbortController();
      controller.abort(new Error('stopped'));
      await assert.rejects(source.search(textMatcher('apple'), { signal: controller.signal }), /stopped/);
    } finally {
      await source.close();
      await dataset.close();
    }
  });

  test('a line longer than the scan buffer, and a last line without a newline', async () => {
    const file = path.join(scratch, 'long.jsonl');
    const long = 'needle '.repeat(1_000_000);
    writeFileSync(file, [JSON.stringify({ question: 'first', answer: 'a' }), JSON.stringify({ question: long, answer: 'b' }), JSON.stringify({ question: 'last needle', answer: 'c' })].join('\n'));
    const dataset = await openDataset(file, 'auto', { workers: 0 });
    const source = await openRecordSource(dataset);
    try {
      assert.deepEqual(ones(await source.search(textMatcher('NEEDLE'))), [1, 2]);
      assert.deepEqual(await source.previews([2, 1]), ['last needle', previewText(long)]);
    } finally {
      await source.close();
      await dataset.close();
    }
  });

  test('BOM, CRLF, blank and invalid lines: records line up with the dataset', async () => {
    const dataset = await openDataset(fx('edge-cases.jsonl'), 'auto', { workers: 0 });
    const source = await openRecordSource(dataset);
    try {
      const indices = Array.from({ length: dataset.size }, (_, i) => i);
      const expected = await Promise.all(indices.map(async (i) => previewText((await dataset.get(i)).query)));
      assert.deepEqual(await source.previews(indices), expected);
      assert.deepEqual(ones(await source.search(textMatcher('natalia'))), await bruteForce(dataset, 'natalia'));
    } finally {
      await source.close();
      await dataset.close();
    }
  });

  test('a file changed since the dataset was indexed is reported with its line', async () => {
    const file = path.join(scratch, 'changed.jsonl');
    writeFileSync(file, readFileSync(fx('gsm8k-train-head.jsonl')));
    const dataset = await openDataset(file, 'auto', { workers: 0 });
    try {
      writeFileSync(file, readFileSync(fx('gsm8k-train-head.jsonl'), 'utf8').split('\n').slice(0, 5).join('\n'));
      await assert.rejects(JsonlRecordSource.open(dataset), /changed\.jsonl:6: the file changed since it was indexed/);
    } finally {
      await dataset.close();
    }
  });

  test('Parquet goes through the dataset reader', async () => {
    const dataset = await openDataset(fx('gsm8k-train-head.parquet'), 'auto');
    const source = await openRecordSource(dataset);
    try {
      assert.ok(source instanceof DatasetRecordSource);
      const jsonl = await openDataset(fx('gsm8k-train-head.jsonl'), 'auto', { workers: 0 });
      const jsonlSource = await openRecordSource(jsonl);
      assert.deepEqual(await source.previews([19, 0, 7]), await jsonlSource.previews([19, 0, 7]));
      assert.deepEqual(ones(await source.search(textMatcher('clips'))), ones(await jsonlSource.search(textMatcher('clips'))));
      await jsonlSource.close();
      await jsonl.close();
    } finally {
      await source.close();
      await dataset.close();
    }
  });
});

describe('table model', () => {
  async function model(withScores: boolean) {
    const dataset = await openDataset(fx('gsm8k-train-200.jsonl'), 'auto', { workers: 0 });
    const source: RecordSource = await openRecordSource(dataset);
    const n = dataset.size;
    const scores: TableScores = {
      preMem: Float64Array.from({ length: n }, (_, i) => (i % 10 === 9 ? NaN : ((i * 37) % 101) / 100)),
      trajectory: Uint8Array.from({ length: n }, (_, i) => (i % 10 === 9 ? 0 : 1 + (i % 4))),
      buckets: Uint8Array.from({ length: n }, (_, i) => (i % 10 === 9 ? Bucket.NotScored : ((i * 37) % 101) / 100 <= 0.25 ? Bucket.Fragile : Bucket.Robust)),
      label: 'run-a · ckpt 3',
    };
    const flagged = new Map([[dataset.keys[5], 'wrong-target'], [dataset.keys[150], 'keep']]);
    const flags = { state: (key: string) => (flagged.has(key) ? { reason: flagged.get(key)! as 'keep' } : undefined), flaggedKeys: () => [...flagged.keys()] };
    const m = new TableModel(dataset, source, withScores ? scores : undefined, flags);
    return { m, dataset, scores, close: async () => (await source.close(), await dataset.close()) };
  }

  test('the whole dataset in file order, then sorted and filtered views', async () => {
    const { m, dataset, scores, close } = await model(true);
    try {
      assert.equal(m.rowCount, 200);
      const first = await m.window(0, 3);
      assert.deepEqual(first.map((r) => r.index), [0, 1, 2]);
      assert.equal(first[0].line, 1);
      assert.equal(first[0].key, dataset.keys[0]);
      assert.match(first[0].preview, /^Natalia sold clips/);
      assert.equal(first[0].preMem, '0.00');
      assert.equal(first[0].bucket, 'fragile');
      const last = await m.window(199, 260);
      assert.equal(last.length, 1);
      assert.equal(last[0].line, 200);
      assert.equal(last[0].preMem, '–');
      assert.equal(last[0].trajectory, 'Not scored');

      await m.apply({ ...DEFAULT_QUERY, sort: { column: 'line', descending: true } });
      assert.deepEqual((await m.window(0, 2)).map((r) => r.line), [200, 199]);

      await m.apply({ ...DEFAULT_QUERY, sort: { column: 'preMem', descending: true } });
      const rows = await m.window(0, 200);
      const values = rows.map((r) => scores.preMem[r.index]);
      assert.ok(values.slice(0, 180).every((v, i) => i === 0 || v <= values[i - 1]));
      assert.ok(values.slice(180).every(Number.isNaN), 'unscored last');
      assert.equal(m.rowOf(rows[17].index), 17);

      await m.apply({ ...DEFAULT_QUERY, buckets: ['fragile'], flaggedOnly: false });
      assert.ok(m.rowCount > 0 && m.rowCount < 200);
      assert.ok((await m.window(0, m.rowCount)).every((r) => r.bucket === 'fragile'));

      await m.apply({ ...DEFAULT_QUERY, flaggedOnly: true });
      assert.deepEqual((await m.window(0, 10)).map((r) => [r.index, r.flag]), [[5, 'wrong-target'], [150, 'keep']]);
      assert.equal(m.rowOf(6), -1);

      // Differs only: the rows whose comparison with B flipped, and every row while nothing is compared.
      await m.apply({ ...DEFAULT_QUERY, differsOnly: true });
      assert.equal(m.rowCount, 200, 'nothing compared: all rows');
      const mask = new Uint8Array(200);
      for (const i of [3, 40, 199]) mask[i] = 1;
      m.setScores({ ...scores, differs: { mask, label: 'run-b:checkpoint-1' } });
      assert.equal(m.compareLabel, 'run-b:checkpoint-1');
      await m.apply({ ...DEFAULT_QUERY, differsOnly: true });
      assert.deepEqual((await m.window(0, 10)).map((r) => r.index), [3, 40, 199]);
      await m.apply({ ...DEFAULT_QUERY, differsOnly: true, buckets: [BUCKET_NAMES[scores.buckets[40]]] });
      assert.ok((await m.window(0, 10)).some((r) => r.index === 40) && m.rowCount <= 3);
      m.setScores(scores);

      await m.apply({ ...DEFAULT_QUERY, text: 'NATALIA' });
      const natalia = await m.window(0, 50);
      assert.ok(natalia.length >= 1);
      assert.ok(natalia.every((r) => /natalia/i.test(r.preview)));
    } finally {
      await close();
    }
  });

  test('without scores: PreMemAcc sorts keep file order, a bucket filter keeps all or nothing', async () => {
    const { m, close } = await model(false);
    try {
      assert.ok(!m.scored);
      await m.apply({ ...DEFAULT_QUERY, sort: { column: 'preMem', descending: true } });
      assert.deepEqual((await m.window(0, 3)).map((r) => r.index), [0, 1, 2]);
      assert.equal((await m.window(0, 1))[0].preMem, '–');
      await m.apply({ ...DEFAULT_QUERY, buckets: ['fragile'] });
      assert.equal(m.rowCount, 0);
      await m.apply({ ...DEFAULT_QUERY, buckets: ['fragile', 'not-scored'] });
      assert.equal(m.rowCount, 200);
    } finally {
      await close();
    }
  });

  test('a cancelled text filter leaves the view as it was', async () => {
    const { m, close } = await model(true);
    try {
      await m.apply({ ...DEFAULT_QUERY, sort: { column: 'line', descending: true } });
      const controller = new AbortController();
      controller.abort(new Error('cancelled'));
      await assert.rejects(m.apply({ ...DEFAULT_QUERY, text: 'clips' }, { signal: controller.signal }), /cancelled/);
      assert.equal(m.rowCount, 200);
      assert.deepEqual(m.query.sort, { column: 'line', descending: true });
      assert.equal(m.indexAt(0), 199);
    } finally {
      await close();
    }
  });

  test('lines to examples', async () => {
    const { m, close } = await model(true);
    try {
      assert.deepEqual(m.exampleAtLine(1), { index: 0, exact: true });
      assert.deepEqual(m.exampleAtLine(200), { index: 199, exact: true });
      assert.deepEqual(m.exampleAtLine(5000), { index: 199, exact: false });
      assert.throws(() => m.indexAt(200), RangeError);
    } finally {
      await close();
    }
  });
});

describe('webview protocol', () => {
  const query = { sort: { column: 'preMem', descending: true }, text: 'apples', buckets: ['fragile'], flaggedOnly: false, differsOnly: true };

  test('the host accepts only well-formed webview messages', () => {
    assert.ok(isWebviewMessage({ type: 'ready', query: null }));
    assert.ok(isWebviewMessage({ type: 'query', query, focus: 3 }));
    assert.ok(isWebviewMessage({ type: 'rows', viewId: 2, start: 500_000, end: 500_060 }));
    assert.ok(isWebviewMessage({ type: 'cancel' }));
    assert.ok(!isWebviewMessage({ type: 'rows', viewId: 2, start: -1, end: 5 }), 'negative row');
    assert.ok(!isWebviewMessage({ type: 'rows', viewId: 2, start: 1.5, end: 5 }), 'fractional row');
    assert.ok(!isWebviewMessage({ type: 'cancel', extra: 1 }), 'unknown field');
    assert.ok(!isWebviewMessage({ type: 'select', viewId: 1, row: 0 }), 'missing field');
    assert.ok(!isWebviewMessage({ type: 'toString' }), 'inherited names are not message types');
    assert.ok(!isWebviewMessage({ type: 'query', query: { ...query, sort: { column: 'key', descending: false } }, focus: null }));
    assert.ok(!isWebviewMessage({ type: 'query', query: { ...query, buckets: ['fragile', 'bogus'] }, focus: null }));
    assert.ok(!isViewQuery({ ...query, text: 'x'.repeat(1001) }), 'filter text is bounded');
    assert.ok(!isViewQuery({ ...query, differsOnly: undefined }), 'differsOnly is required');
    assert.ok(!isViewQuery({ ...query, differsOnly: 'yes' }));
    assert.ok(!isWebviewMessage(null) && !isWebviewMessage('ready') && !isWebviewMessage([]));
  });

  test('the view message names the compared run and checkpoint, as text', () => {
    const view = { type: 'view', viewId: 1, rowCount: 3, datasetSize: 200, query, scored: true, scoreLabel: 'run-a · c1', compareLabel: 'run-b:c2', hasFlags: true, notice: '' };
    assert.ok(isHostMessage(view));
    assert.ok(isHostMessage({ ...view, compareLabel: '' }), 'nothing compared');
    assert.ok(!isHostMessage({ ...view, compareLabel: undefined }), 'compareLabel is required');
    assert.ok(!isHostMessage({ ...view, compareLabel: 7 }));
  });

  test('the webview renders only rows of the declared shape', () => {
    const row = { index: 0, line: 1, key: 'h:00', preview: '<b>x</b>', preMem: '0.50', bucket: 'fragile', trajectory: 'Generalized', flag: '' };
    assert.ok(isHostMessage({ type: 'rows', viewId: 1, start: 0, rows: [row] }));
    assert.ok(!isHostMessage({ type: 'rows', viewId: 1, start: 0, rows: [{ ...row, preview: 5 }] }));
    assert.ok(!isHostMessage({ type: 'rows', viewId: 1, start: 0, rows: [{ ...row, html: '<b>' }] }));
    assert.ok(isHostMessage({ type: 'loading', message: 'Indexing… 45%', fraction: 0.45 }));
    assert.ok(!isHostMessage({ type: 'loading', message: 'Indexing…', fraction: 1.5 }));
  });
});
