import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { validateRecord } from '../../src/core/runlog/premem/records';
import { PreMemLogReader } from '../../src/core/runlog/premem/log-reader';
import { keysDigest } from '../../src/core/runlog/premem/scores-record';
import { PreMemLogWriter, readCompletedKeys } from '../../src/core/runlog/premem/log-writer';
import { tempDir } from '../support/temp-dir';

async function tmpFile(name: string, text: string): Promise<string> {
  const d = await tempDir('premem-scores-');
  const file = path.join(d, name);
  await writeFile(file, text);
  return file;
}
const line = (r: object) => JSON.stringify(r) + '\n';
const nan = (xs: ArrayLike<number>) => Array.from(xs, (x) => (Number.isNaN(x) ? 'nan' : x));

const KEYS = ['k0', 'k1', 'k2'];
const scores = (extra: object = {}) => ({
  v: 1,
  type: 'scores',
  run: 'r',
  checkpoint: 'c1',
  step: 10,
  sampleCount: 5,
  accuracy: [0.8, null, 0],
  perplexity: [1.05, 2, null],
  ...extra,
});

test('a scores record fills a whole checkpoint; a later example record overrides one example', async () => {
  const file = await tmpFile(
    'a.premem.jsonl',
    line({ v: 1, type: 'checkpoint', run: 'r', checkpoint: 'c1', step: 10, testAccuracy: 0.5 }) +
      line(scores({ sampleCount: [5, 5, 4] })) +
      line({ v: 1, run: 'r', checkpoint: 'c1', key: 'k2', index: 2, outcomes: [0, 0], perplexity: 1.5 }),
  );
  const reader = new PreMemLogReader([file]);
  await reader.readMore();
  assert.deepEqual(reader.problems, []);
  const [run] = reader.runs();
  assert.equal(run.numExamples, 3);
  const [c] = run.checkpoints;
  assert.deepEqual([c.id, c.step, c.testAccuracy], ['c1', 10, 0.5]);
  assert.deepEqual(nan(c.accuracy), [0.8, 'nan', 1]);
  assert.deepEqual([...c.sampleCount], [5, 0, 2], 'a null accuracy is an unscored example');
  assert.deepEqual(nan(c.perplexity), [1.05, 2, 1.5]);
});

test('with a dataset: placed in dataset order when the keys digest matches, refused with file:line otherwise', async () => {
  const keyToIndex = new Map(KEYS.map((k, i) => [k, i]));
  const good = await tmpFile('good.premem.jsonl', line(scores({ keysDigest: keysDigest(KEYS) })));
  const reader = new PreMemLogReader([good], { keyToIndex });
  await reader.readMore();
  assert.deepEqual(reader.problems, []);
  assert.deepEqual(nan(reader.runs()[0].checkpoints[0].accuracy), [0.8, 'nan', 0]);

  const reordered = await tmpFile('reordered.premem.jsonl', line(scores({ keysDigest: keysDigest(['k1', 'k0', 'k2']) })) + line(scores({ checkpoint: 'c2', accuracy: [1, 1], perplexity: [2, 2] })));
  const refused = new PreMemLogReader([reordered], { keyToIndex });
  await refused.readMore();
  assert.equal(refused.problems.length, 2);
  assert.deepEqual([refused.problems[0].line, refused.problems[0].field], [1, 'keysDigest']);
  assert.match(refused.problems[0].message, /another version of the dataset/);
  assert.deepEqual([refused.problems[1].line, refused.problems[1].field], [2, 'accuracy']);
  assert.match(refused.problems[1].message, /cover 2 examples but the dataset has 3/);
  for (const c of refused.runs()[0].checkpoints) assert.ok([...c.accuracy].every(Number.isNaN), 'nothing placed');
});

test('validation names the field at fault', () => {
  const bad = (extra: object) => {
    const v = validateRecord(scores(extra));
    assert.ok(!v.ok);
    return [v.field, v.message];
  };
  assert.equal(bad({ accuracy: [0.5, 1.5, 0] })[0], 'accuracy[1]');
  assert.equal(bad({ accuracy: 'x' })[0], 'accuracy');
  assert.equal(bad({ perplexity: [1, 2] })[0], 'perplexity');
  assert.equal(bad({ perplexity: [1, 0, null] })[0], 'perplexity[1]');
  assert.equal(bad({ sampleCount: [5, 5] })[0], 'sampleCount');
  assert.equal(bad({ sampleCount: -1 })[0], 'sampleCount');
  assert.equal(bad({ checkpoint: '' })[0], 'checkpoint');
  assert.ok(validateRecord(scores()).ok);
  const unknown = validateRecord({ v: 1, type: 'columns', run: 'r' });
  assert.ok(!unknown.ok && /"scores"/.test(unknown.message));
});

test('the writer appends scores records; resumable scoring ignores them', async () => {
  const file = await tmpFile('w.premem.jsonl', '');
  const writer = await PreMemLogWriter.open(file);
  await writer.append([scores() as never, { v: 1, run: 'r', checkpoint: 'c1', key: 'k0', index: 0, outcomes: [0] }]);
  await writer.close();
  assert.deepEqual([...(await readCompletedKeys(file, 'r'))].length, 1);
  await assert.rejects(writer.append([scores() as never]), /closed/);
});
