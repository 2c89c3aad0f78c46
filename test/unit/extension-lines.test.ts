// The extension's pure helpers: where records are in the dataset text (by indexed line, and by content after an
// edit) and the text of marks and views.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../src/core/dataset/open';
import { escapeMarkdown, preview, problemsHeadline, shortRunNames } from '../../src/extension/format';
import { lowerBound } from '../../src/core/sorted-search';
import { indexAtIndexedLine, indexOfRecordText, indicesInLines } from '../../src/extension/line-map';
import { fixtures } from '../support/shared';
import { tempDir } from '../support/temp-dir';

test('lowerBound and line lookups on a sorted line index with gaps (blank and bad lines)', () => {
  const dataset = { lines: Uint32Array.from([1, 2, 5, 6, 9]) };
  assert.deepEqual([0, 1, 2, 3, 5, 9, 10].map((v) => lowerBound(dataset.lines, v)), [0, 0, 1, 2, 2, 4, 5]);
  // 0-based editor lines: line 0 holds example 0, lines 2-3 hold none, line 4 holds example 2.
  assert.deepEqual([0, 1, 2, 3, 4, 5, 8, 9].map((l) => indexAtIndexedLine(dataset, l)), [0, 1, undefined, undefined, 2, 3, 4, undefined]);
  assert.deepEqual(indicesInLines(dataset, 2, 5), { first: 2, end: 4 });
  assert.deepEqual(indicesInLines(dataset, 6, 7), { first: 4, end: 4 }, 'no record in the range');
  assert.deepEqual(indicesInLines(dataset, 0, 100), { first: 0, end: 5 });
});

test('after an edit, a line is matched to its example by content key, and only a known record matches', async () => {
  const file = path.join(fixtures, 'datasets/gsm8k-train-200.jsonl');
  const dataset = await openDataset(file, 'gsm8k');
  try {
    const lines = (await readFile(file, 'utf8')).split('\n');
    for (const i of [0, 57, 199]) assert.equal(indexOfRecordText(dataset, lines[i]), i);
    // Whitespace around the record does not matter; a changed question, other JSON or prose do.
    assert.equal(indexOfRecordText(dataset, `  ${lines[3]}  `), 3);
    const record = JSON.parse(lines[3]);
    assert.equal(indexOfRecordText(dataset, JSON.stringify({ ...record, question: record.question + '?' })), undefined);
    assert.equal(indexOfRecordText(dataset, JSON.stringify({ answer: record.answer, question: record.question })), 3, 'field order is irrelevant');
    assert.equal(indexOfRecordText(dataset, '{"question": "x"'), undefined);
    assert.equal(indexOfRecordText(dataset, 'hello'), undefined);
    assert.equal(indexOfRecordText(dataset, '[1,2]'), undefined);
  } finally {
    await dataset.close();
  }
});

test('short run names drop the shared prefix and suffix only at separators', () => {
  const paper = ['gsm8k_orig_6epochs_full_lr2e-05_bs128', 'gsm8k_orig_3epochs_full_lr0.0002_bs128', 'gsm8k_orig_6epochs_half_lr2e-05_bs128'];
  assert.deepEqual(shortRunNames(paper), ['6epochs_full_lr2e-05', '3epochs_full_lr0.0002', '6epochs_half_lr2e-05']);
  assert.deepEqual(shortRunNames(['run-10', 'run-11']), ['run-10', 'run-11'], 'no cut inside a word');
  assert.deepEqual(shortRunNames(['only-one_bs128']), ['only-one_bs128']);
  // A run of another family keeps its id and does not spoil the others' short names.
  assert.deepEqual(shortRunNames([...paper, 'reference-ngram']), ['6epochs_full_lr2e-05', '3epochs_full_lr0.0002', '6epochs_half_lr2e-05', 'reference-ngram']);
});

test('markdown escaping leaves no markup, link or HTML from file text', () => {
  const hostile = 'a|b [x](command:evil) <img src=x> `code` *b* _i_ # h\nnext';
  const escaped = escapeMarkdown(hostile);
  assert.ok(!/(^|[^\\])[|[\]()<>`*_#]/.test(escaped), escaped);
  assert.ok(!escaped.includes('\n'));
  assert.equal(escaped.replace(/\\(.)/g, '$1'), hostile.replace('\n', ' '));
  assert.equal(preview('  a\n\n b  c ', 60), 'a b c');
  assert.equal(preview('x'.repeat(70), 60).length, 60);
});

test('the problems notification says duplicates were kept and bad records skipped, apart', async () => {
  const dir = await tempDir('premem-problems-');
  const file = path.join(dir, 'train.jsonl');
  const record = JSON.stringify({ question: 'What is 2+2?', answer: '2+2=4\n#### 4' });
  await writeFile(file, [record, record, record, record].join('\n') + '\n');
  const duplicates = await openDataset(file, 'gsm8k');
  try {
    assert.equal(duplicates.size, 4, 'every duplicate is kept');
    assert.equal(
      problemsHeadline(duplicates.problems, path.basename),
      "3 warnings, no record skipped. train.jsonl:2: duplicate record: same query and target as line 1; keyed 'h:" +
        `${duplicates.keys[0].slice(2)}#2' …`,
    );
  } finally {
    await duplicates.close();
  }
  await writeFile(file, [record, '{"question": "torn', record, JSON.stringify({ question: 'no answer' })].join('\n') + '\n');
  const mixed = await openDataset(file, 'gsm8k');
  try {
    assert.equal(mixed.size, 2);
    assert.match(problemsHeadline(mixed.problems, path.basename), /^2 bad records skipped, 1 warning\. train\.jsonl:2: invalid JSON/);
  } finally {
    await mixed.close();
  }
});
