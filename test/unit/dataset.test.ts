import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ExampleCollector } from '../../src/core/dataset/collect';
import { openJsonDataset, recordStartLines } from '../../src/core/dataset/json';
import { openJsonlDataset } from '../../src/core/dataset/jsonl';
import { indexJsonlLines, readLineAt } from '../../src/core/dataset/jsonl-index';
import { scanJsonlParallel } from '../../src/core/dataset/jsonl-parallel';
import { contentKey, exampleKey } from '../../src/core/dataset/keys';
import { openDataset } from '../../src/core/dataset/open';
import { openParquetDataset } from '../../src/core/dataset/parquet';
import { customProfile, detectProfile, getPath, GSM8K_PROFILE, MATH_PROFILE, resolveProfile } from '../../src/core/dataset/profiles';
import { InputError, type Dataset } from '../../src/core/model';
import { fixtures, sharedData, skipWithoutShared } from '../support/shared';
import { tempDirSync } from '../support/temp-dir';

const dir = path.join(fixtures, 'datasets');
const fx = (name: string) => path.join(dir, name);
const head = readFileSync(fx('gsm8k-train-head.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { question: string; answer: string });
const scratch = tempDirSync('premem-dataset-');

async function withDataset<T>(ds: Dataset | Promise<Dataset>, fn: (ds: Dataset) => Promise<T> | T): Promise<T> {
  const d = await ds;
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}

const problemSummary = (ds: Dataset) => ds.problems.map((p) => `${p.line}:${p.severity}:${p.field ?? ''}:${p.message}`);

describe('profiles', () => {
  test('named profiles and custom mappings resolve', () => {
    assert.equal(resolveProfile('gsm8k'), GSM8K_PROFILE);
    assert.deepEqual(resolveProfile('math'), { name: 'math', query: 'problem', target: 'solution', task: 'math' });
    assert.deepEqual(resolveProfile({ query: 'meta.q', target: 'a', id: 'uid', task: 'math' }), {
      name: 'custom',
      query: 'meta.q',
      target: 'a',
      id: 'uid',
      task: 'math',
    });
    assert.throws(() => resolveProfile('sharegpt'), /unknown dataset profile 'sharegpt'/);
    assert.throws(() => customProfile({ query: '', target: 'a', task: 'gsm8k' }), /'query' must name a field/);
    assert.throws(() => customProfile({ query: 'q', target: 'a', task: 'mmlu' as 'gsm8k' }), /'task' must be one of gsm8k, math, general/);
  });

  test('detectProfile picks GSM8K or MATH and names the fields it saw otherwise', () => {
    assert.equal(detectProfile({ question: 'q', answer: 'a' }), GSM8K_PROFILE);
    assert.equal(detectProfile({ problem: 'p', solution: 's', level: 'Level 1' }), MATH_PROFILE);
    assert.throws(
      () => detectProfile({ text: 'p', label: 'c' }, 'data.jsonl', 3),
      (err: unknown) => err instanceof InputError && err.line === 3 && /fields seen: text \(text: "p"\), label \(text: "c"\)/.test(err.message),
    );
  });

  test('getPath follows dotted paths through objects and arrays', () => {
    const record = { meta: { q: 'Q' }, messages: [{ content: 'first' }, { content: 'second' }], 'a.b': 'flat' };
    assert.equal(getPath(record, 'meta.q'), 'Q');
    assert.equal(getPath(record, 'messages.1.content'), 'second');
    assert.equal(getPath(record, 'a.b'), 'flat');
    assert.equal(getPath(record, 'meta.q.deeper'), undefined);
    assert.equal(getPath(record, 'messages.5.content'), undefined);
  });
});

describe('keys', () => {
  test('content key is h: + 16 hex digits of SHA-256 over query NUL target', () => {
    const expected = 'h:' + createHash('sha256').update('Q\u0000T', 'utf8').digest('hex').slice(0, 16);
    assert.equal(contentKey('Q', 'T'), expected);
    assert.notEqual(contentKey('Q', 'T'), contentKey('QT', ''));
    assert.equal(contentKey('é', 'ü'), 'h:' + createHash('sha256').update('é\u0000ü', 'utf8').digest('hex').slice(0, 16));
    assert.equal(exampleKey('Q', 'T', '42'), '42');
  });
});

describe('JSONL', () => {
  test('GSM8K head: 20 records keyed by content, read back by offset', async () => {
    await withDataset(openJsonlDataset(fx('gsm8k-train-head.jsonl'), 'auto'), async (ds) => {
      assert.equal(ds.size, 20);
      assert.equal(ds.profile, GSM8K_PROFILE);
      assert.deepEqual([...ds.lines], Array.from({ length: 20 }, (_, i) => i + 1));
      assert.deepEqual(ds.problems, []);
      assert.equal(new Set(ds.keys).size, 20);
      assert.equal(ds.keys[0], contentKey(head[0].question, head[0].answer));
      const first = await ds.get(0);
      assert.match(first.query, /^Natalia sold clips/);
      assert.equal(first.key, ds.keys[0]);
      const last = await ds.get(19);
      assert.deepEqual(last.record, head[19]);
      assert.equal(last.line, 20);
      assert.equal(ds.keyToIndex.get(ds.keys[7]), 7);
      await assert.rejects(ds.get(20), RangeError);
    });
  });

  test('edge cases: BOM, CRLF, blank lines, bad records, duplicates, torn last line', async () => {
    await withDataset(openJsonlDataset(fx('edge-cases.jsonl'), GSM8K_PROFILE), async (ds) => {
      assert.deepEqual([...ds.lines], [1, 3, 8, 9]);
      assert.equal(ds.keys[0], contentKey(head[0].question, head[0].answer));
      assert.equal(ds.keys[2], ds.keys[0] + '#2');
      assert.equal(ds.keys[3], contentKey(head[4].question, head[4].answer));
      const p = ds.problems;
      assert.deepEqual(
        p.map((x) => [x.line, x.severity, x.field]),
        [
          [4, 'error', undefined],
          [5, 'error', 'answer'],
          [7, 'error', 'answer'],
          [8, 'warning', undefined],
          [10, 'warning', undefined],
        ],
      );
      assert.ok(p.every((x) => x.file === fx('edge-cases.jsonl')));
      assert.match(p[0].message, /^invalid JSON/);
      assert.equal(p[1].message, "missing target field 'answer'");
      assert.equal(p[2].message, "target field 'answer' is a number, expected a string");
      assert.match(p[3].message, /duplicate record: same query and target as line 1; keyed 'h:[0-9a-f]{16}#2'/);
      assert.match(p[4].message, /last line is incomplete/);
      const first = await ds.get(0);
      assert.equal(first.query, head[0].question); // no BOM
      assert.equal((await ds.get(1)).target, head[1].answer); // no CR
    });
  });

  test('a valid last line without a newline is kept', async () => {
    await withDataset(openJsonlDataset(fx('no-final-newline.jsonl'), 'auto'), async (ds) => {
      assert.equal(ds.size, 2);
      assert.deepEqual(ds.problems, []);
      assert.equal((await ds.get(1)).query, head[1].question);
    });
  });

  test('dotted paths, id field, repeated and missing ids', async () => {
    const profile = customProfile({ query: 'meta.q', target: 'messages.1.content', id: 'uid', task: 'gsm8k' });
    await withDataset(openJsonlDataset(fx('nested-ids.jsonl'), profile), async (ds) => {
      assert.deepEqual(ds.keys, ['ex-0', 'ex-1', 'ex-2', '3', 'ex-4', 'ex-1#2']);
      assert.deepEqual(problemSummary(ds), [
        "6:warning::duplicate id 'ex-1' (first on line 2); this record is keyed 'ex-1#2'",
        "7:error:uid:id field 'uid' is missing, expected a string or number",
      ]);
      const e = await ds.get(3);
      assert.equal(e.query, head[3].question);
      assert.equal(e.target, head[3].answer);
      assert.equal(e.key, '3');
    });
  });

  test('keys survive reordering and edits to other records', async () => {
    const lines = readFileSync(fx('gsm8k-train-head.jsonl'), 'utf8').split('\n').filter(Boolean);
    const order = lines.map((_, i) => i).sort((a, b) => ((a * 7919) % 20) - ((b * 7919) % 20));
    assert.notDeepEqual(order, lines.map((_, i) => i));
    const shuffled = order.map((i) => lines[i]);
    shuffled[5] = JSON.stringify({ question: 'edited', answer: 'edited\n#### 1' });
    const file = path.join(scratch, 'shuffled.jsonl');
    writeFileSync(file, shuffled.join('\n') + '\n');
    const original = await openJsonlDataset(fx('gsm8k-train-head.jsonl'), 'auto');
    await withDataset(openJsonlDataset(file, 'auto'), async (ds) => {
      for (const [pos, i] of order.entries()) {
        if (pos === 5) {
          assert.equal(ds.keyToIndex.has(original.keys[i]), false);
          continue;
        }
        const j = ds.keyToIndex.get(original.keys[i]);
        assert.equal(j, pos);
        assert.equal((await ds.get(j!)).query, head[i].question);
      }
    });
    await original.close();
  });

  test('the worker-thread scan gives the same keys, lines and problems as the sequential one', async () => {
    const cases: [string, Parameters<typeof openJsonlDataset>[1]][] = [
      ['edge-cases.jsonl', 'auto'],
      ['gsm8k-train-head.jsonl', 'auto'],
      ['nested-ids.jsonl', customProfile({ query: 'meta.q', target: 'messages.1.content', id: 'uid', task: 'gsm8k' })],
    ];
    for (const [name, profile] of cases) {
      const seq = await openJsonlDataset(fx(name), profile, { workers: 0 });
      const par = await openJsonlDataset(fx(name), profile, { workers: 2, parallelMinBytes: 0 });
      assert.deepEqual(par.keys, seq.keys, name);
      assert.deepEqual(par.lines, seq.lines, name);
      assert.deepEqual(par.problems, seq.problems, name);
      assert.deepEqual(await par.get(par.size - 1), await seq.get(seq.size - 1), name);
      // Tiny chunks: lines cross chunk ends and some lines are longer than a chunk.
      const handle = await open(fx(name), 'r');
      const collector = new ExampleCollector(fx(name), seq.profile);
      const { offsets, lengths } = await scanJsonlParallel(handle, collector, { workers: 2, chunkSize: 64 });
      await handle.close();
      const small = collector.finish();
      assert.deepEqual(small.keys, seq.keys, name);
      assert.deepEqual(small.problems, seq.problems, name);
      const index = await indexJsonlLines(fx(name));
      const kept = [...seq.lines].map((line) => index.lines.indexOf(line));
      assert.deepEqual([...offsets], kept.map((k) => index.offsets[k]), name);
      assert.deepEqual([...lengths], kept.map((k) => index.lengths[k]), name);
      await seq.close();
      await par.close();
    }
  });

  test('line index: offsets and lengths are the same for any chunk size; readLineAt reads one line', async () => {
    const whole = await indexJsonlLines(fx('edge-cases.jsonl'));
    const tiny = await indexJsonlLines(fx('edge-cases.jsonl'), { chunkSize: 16 });
    assert.deepEqual(tiny, whole);
    assert.equal(whole.hasBom, true);
    assert.equal(whole.endsWithNewline, false);
    assert.equal(whole.lineCount, 10);
    assert.deepEqual([...whole.lines], [1, 3, 4, 5, 7, 8, 9, 10]);
    assert.equal(whole.offsets[0], 3);
    const withBlank = await indexJsonlLines(fx('edge-cases.jsonl'), { keepBlankLines: true });
    assert.deepEqual([...withBlank.lines], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const handle = await open(fx('edge-cases.jsonl'), 'r');
    try {
      assert.equal(await readLineAt(handle, whole.offsets[2], whole.lengths[2]), '{"question": "broken", "answer": ');
      assert.equal(await readLineAt(handle, whole.offsets[7], whole.lengths[7]), '{"question": "torn');
    } finally {
      await handle.close();
    }
  });

  test('progress reaches the file size; an aborted signal stops the read', async () => {
    const seen: [number, number][] = [];
    const ds = await openJsonlDataset(fx('gsm8k-train-head.jsonl'), 'auto', { onProgress: (done, total) => seen.push([done, total]) });
    await ds.close();
    const size = readFileSync(fx('gsm8k-train-head.jsonl')).length;
    assert.deepEqual(seen.at(-1), [size, size]);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(openJsonlDataset(fx('gsm8k-train-head.jsonl'), 'auto', { signal: controller.signal }), { name: 'AbortError' });
    await assert.rejects(indexJsonlLines(fx('gsm8k-train-head.jsonl'), { signal: controller.signal }), { name: 'AbortError' });
  });

  test('unusable files fail with an InputError naming the file', async () => {
    const empty = path.join(scratch, 'empty.jsonl');
    writeFileSync(empty, '\n\n');
    await assert.rejects(openJsonlDataset(empty, 'auto'), (e: unknown) => e instanceof InputError && /no usable records \(the file is empty\)/.test(e.message));
    const garbage = path.join(scratch, 'garbage.jsonl');
    writeFileSync(garbage, 'not json\nstill not\n');
    await assert.rejects(openJsonlDataset(garbage, 'auto'), (e: unknown) => e instanceof InputError && e.line === 1 && /invalid JSON/.test(e.message));
    const other = path.join(scratch, 'other.jsonl');
    writeFileSync(other, '[1]\n{"text": "p", "label": "c"}\n');
    await assert.rejects(openJsonlDataset(other, 'auto'), (e: unknown) => e instanceof InputError && e.line === 2 && /fields seen: text \(text: "p"\), label/.test(e.message));
    await assert.rejects(openJsonlDataset(path.join(scratch, 'missing.jsonl'), 'auto'), /missing\.jsonl: file not found/);
    await assert.rejects(openJsonlDataset(scratch, 'auto'), /is a folder/);
  });
});

describe('Parquet', () => {
  test('GSM8K head as Parquet: same keys as the JSONL, row numbers as lines', async () => {
    const jsonl = await openJsonlDataset(fx('gsm8k-train-head.jsonl'), 'auto');
    await withDataset(openParquetDataset(fx('gsm8k-train-head.parquet'), 'auto'), async (ds) => {
      assert.equal(ds.profile, GSM8K_PROFILE);
      assert.equal(ds.size, 20);
      assert.deepEqual(ds.keys, jsonl.keys);
      assert.deepEqual([...ds.lines], Array.from({ length: 20 }, (_, i) => i + 1));
      for (const i of [0, 7, 8, 19, 3]) {
        const e = await ds.get(i);
        assert.deepEqual(e.record, head[i]);
        assert.equal(e.key, jsonl.keys[i]);
        assert.equal(e.line, i + 1);
      }
    });
    await jsonl.close();
  });

  test('struct paths, INT64 ids and a null field', async () => {
    const profile = customProfile({ query: 'meta.q', target: 'meta.a', id: 'uid', task: 'gsm8k' });
    await withDataset(openParquetDataset(fx('nested.parquet'), profile), async (ds) => {
      assert.deepEqual(ds.keys, ['101', '102', '104']);
      assert.deepEqual([...ds.lines], [1, 2, 4]);
      assert.deepEqual(problemSummary(ds), ["3:error:meta.a:target field 'meta.a' is null, expected a string"]);
      const e = await ds.get(2);
      assert.equal(e.query, head[3].question);
      assert.deepEqual(e.record, { uid: 104, meta: { q: head[3].question, a: head[3].answer } });
    });
  });

  test('a field that is not a column, and a file that is not Parquet, fail clearly', async () => {
    await assert.rejects(
      openParquetDataset(fx('nested.parquet'), customProfile({ query: 'question', target: 'meta.a', task: 'gsm8k' })),
      (e: unknown) => e instanceof InputError && e.field === 'question' && /not a column; columns: uid, meta/.test(e.message),
    );
    await assert.rejects(openParquetDataset(fx('gsm8k-train-head.jsonl'), 'auto'), /not a readable Parquet file/);
  });
});

describe('JSON', () => {
  test('a pretty-printed array: line of each record', async () => {
    await withDataset(openJsonDataset(fx('gsm8k-head-array.json'), 'auto'), async (ds) => {
      assert.deepEqual([...ds.lines], [2, 6, 10]);
      assert.deepEqual(ds.keys, head.slice(0, 3).map((r) => contentKey(r.question, r.answer)));
      assert.deepEqual((await ds.get(2)).record, head[2]);
    });
  });

  test('{ "data": [...] } with a bad record', async () => {
    await withDataset(openJsonDataset(fx('gsm8k-head-data.json'), 'auto'), async (ds) => {
      assert.deepEqual([...ds.lines], [4, 5, 6]);
      assert.deepEqual(problemSummary(ds), ["7:error:answer:missing target field 'answer'"]);
      assert.equal((await ds.get(1)).query, head[1].question);
    });
  });

  test('record start lines ignore brackets, commas and quotes inside strings', () => {
    const text = '{"x": [9], "data": [\n"a,]\\"[{",\n  {"q": [1, 2]},\n\n  3]}';
    assert.deepEqual(recordStartLines(text, 'data'), [2, 3, 5]);
    assert.deepEqual(recordStartLines('[]'), []);
    assert.deepEqual(recordStartLines('[\n{"a":1},{"a":2}\n]'), [2, 2]);
  });

  test('oversized and malformed files are refused with a clear message', async () => {
    const big = path.join(scratch, 'big.json');
    writeFileSync(big, '[');
    truncateSync(big, 201 * 1024 * 1024); // sparse: no real 201 MB written
    await assert.rejects(openJsonDataset(big, 'auto'), /too large to load whole.*convert it to JSONL/);
    const bad = path.join(scratch, 'bad.json');
    writeFileSync(bad, '[\n{"question": "q", "answer": "a"},\n{"question": }\n]');
    await assert.rejects(openJsonDataset(bad, 'auto'), (e: unknown) => e instanceof InputError && e.line === 3 && /invalid JSON/.test(e.message));
    const several = path.join(scratch, 'several.json');
    writeFileSync(several, '{"train": [], "test": []}');
    await assert.rejects(openJsonDataset(several, 'auto'), /several array members \(train, test\)/);
  });
});

describe('openDataset', () => {
  test('chooses the reader by extension, and by content for JSON Lines named .json', async () => {
    await withDataset(openDataset(fx('gsm8k-train-head.parquet'), 'gsm8k'), (ds) => assert.equal(ds.size, 20));
    await withDataset(openDataset(fx('gsm8k-head-array.json'), 'auto'), (ds) => assert.deepEqual([...ds.lines], [2, 6, 10]));
    await withDataset(openDataset(fx('lines-as.json'), 'auto'), (ds) => assert.deepEqual([...ds.lines], [1, 2, 3]));
    await withDataset(openDataset(fx('math-style.jsonl'), 'auto'), async (ds) => {
      assert.equal(ds.profile, MATH_PROFILE);
      assert.equal((await ds.get(1)).target, '$2\\cdot 3=\\boxed{6}$.');
    });
  });

  test('unsupported extensions and unknown profiles are InputErrors', async () => {
    await assert.rejects(openDataset('train.csv', 'auto'), (e: unknown) => e instanceof InputError && /unsupported dataset format '.csv'/.test(e.message));
    await assert.rejects(openDataset(fx('gsm8k-train-head.jsonl'), 'sharegpt'), (e: unknown) => e instanceof InputError && e.field === 'profile');
  });
});

describe('GSM8K train (shared data)', () => {
  const train = sharedData('gsm8k', 'train.jsonl');
  test('7,473 records, first and last read back, unique keys', { skip: skipWithoutShared('gsm8k', 'train.jsonl') }, async () => {
    const started = performance.now();
    const ds = await openDataset(train!, 'auto');
    const ms = performance.now() - started;
    try {
      assert.equal(ds.size, 7473);
      assert.deepEqual(ds.problems, []);
      assert.match((await ds.get(0)).query, /^Natalia sold clips/);
      const lastLine = readFileSync(train!, 'utf8').trimEnd().split('\n').at(-1)!;
      const last = await ds.get(7472);
      assert.deepEqual(last.record, JSON.parse(lastLine));
      assert.equal(last.line, 7473);
      assert.equal(ds.keyToIndex.size, 7473);
      assert.equal(new Set(ds.keys).size, 7473);
      // Generous bound (a few tens of ms normally): catches accidental quadratic work, not machine speed.
      assert.ok(ms < 5000, `indexing took ${ms.toFixed(0)} ms`);
    } finally {
      await ds.close();
    }
    const par = await openJsonlDataset(train!, 'auto', { workers: 2, parallelMinBytes: 0 });
    assert.deepEqual(par.keys, ds.keys);
    await par.close();
  });
});

test('invalid UTF-8 in a record is warned with file:line, in the sequential and the worker-thread scan; a literal U+FFFD is not', async () => {
  const file = path.join(scratch, 'bad-utf8.jsonl');
  const good = Buffer.from('{"question":"What is 1+1?","answer":"#### 2"}\n');
  const literal = Buffer.from('{"question":"A \uFFFD sign?","answer":"#### 3"}\n');
  const bad = Buffer.concat([Buffer.from('{"question":"Caf'), Buffer.from([0xe9]), Buffer.from('?","answer":"#### 4"}\n')]);
  writeFileSync(file, Buffer.concat([good, literal, bad]));
  for (const options of [{ workers: 0 }, { workers: 2, parallelMinBytes: 0 }]) {
    const d = await openJsonlDataset(file, GSM8K_PROFILE, options);
    assert.equal(d.size, 3, JSON.stringify(options));
    assert.deepEqual(d.problems.map((p) => [p.file, p.line, p.severity]), [[file, 3, 'warning']], JSON.stringify(options));
    assert.match(d.problems[0].message, /^invalid UTF-8/);
    assert.equal(d.problems[0].skipped, undefined, 'the record is kept, so it is not counted as skipped');
    await d.close();
  }
});

/** "Caf" + the Latin-1 byte for é, which is not UTF-8 (what a file saved as Latin-1 holds). */
const LATIN1_CAFE = Buffer.concat([Buffer.from('Caf'), Buffer.from([0xe9])]);

/** All 4 records kept, and exactly these invalid UTF-8 warnings: [line or row, field]. */
function assertUtf8Warnings(d: Dataset, file: string, expected: [number, string][]) {
  assert.equal(d.size, 4, 'the records are kept');
  assert.deepEqual(
    d.problems.map((p) => [p.file, p.line, p.severity, p.field, p.skipped]),
    expected.map(([line, field]) => [file, line, 'warning', field, undefined]),
  );
  for (const p of d.problems) assert.match(p.message, /^invalid UTF-8/);
}

test('invalid UTF-8 in a JSON array file is warned with file, line and field; a literal U+FFFD is not', async () => {
  const file = path.join(scratch, 'bad-utf8.json');
  writeFileSync(
    file,
    Buffer.concat([
      Buffer.from('[\n  {"question": "What is 1+1?", "answer": "#### 2"},\n  {"question": "A \uFFFD sign?", "answer": "#### 3"},\n  {"question": "'),
      LATIN1_CAFE,
      Buffer.from('?", "answer": "#### 4"},\n  {"question": "Tea?", "meta": {"notes": ["ok", "'),
      LATIN1_CAFE,
      Buffer.from('"]}, "answer": "#### 5"}\n]\n'),
    ]),
  );
  await withDataset(openJsonDataset(file, GSM8K_PROFILE), (d) =>
    assertUtf8Warnings(d, file, [
      [4, 'question'],
      [5, 'meta.notes.1'],
    ]),
  );
});

test('invalid UTF-8 in a Parquet string column is warned with file, row and field; a literal U+FFFD is not', async () => {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const marker = 'CafX';
  const buffer = Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'question', data: ['What is 1+1?', 'A \uFFFD sign?', 'Tea?', `${marker}?`], type: 'STRING' },
        { name: 'answer', data: ['#### 2', '#### 3', `${marker}!`, '#### 5'], type: 'STRING' },
      ],
      codec: 'UNCOMPRESSED',
    }),
  );
  // The writer encodes strings as UTF-8; the marker's X becomes é's Latin-1 byte wherever it was written.
  let patched = 0;
  for (let at = buffer.indexOf(marker); at >= 0; at = buffer.indexOf(marker, at + 1), patched++) buffer[at + 3] = 0xe9;
  assert.ok(patched >= 2);
  const file = path.join(scratch, 'bad-utf8.parquet');
  writeFileSync(file, buffer);
  await withDataset(openParquetDataset(file, GSM8K_PROFILE), (d) =>
    assertUtf8Warnings(d, file, [
      [3, 'answer'],
      [4, 'question'],
    ]),
  );
});
