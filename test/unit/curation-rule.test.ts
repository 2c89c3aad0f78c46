// The paper's curation rule (Algorithm 1, and the released code) selects PreMemAcc <= t, not < t. These tests
// sit exactly on t, so changing the comparison anywhere it is used fails them.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../src/core/dataset/open';
import { selectRecollection } from '../../src/core/export/recollection';
import { DEFAULT_FRAGILE_T, isFragile } from '../../src/core/metrics/dynamics';
import { prepareRun } from '../../src/core/metrics/premem';
import type { Run } from '../../src/core/model';
import { Bucket, bucketOf } from '../../src/core/session';
import { tempDir } from '../support/temp-dir';

test('an example whose PreMemAcc equals t is fragile; one just above is not', () => {
  const t = DEFAULT_FRAGILE_T;
  assert.equal(isFragile(t, t), true);
  assert.equal(isFragile(t + 1e-9, t), false);
  assert.equal(bucketOf(t, t), Bucket.Fragile);
  assert.equal(bucketOf(t + 1e-9, t), Bucket.AtRisk);
  assert.equal(bucketOf(0, 0), Bucket.Fragile);
});

test('the re-collection set takes the examples whose PreMemAcc equals t', async () => {
  const dir = await tempDir('premem-curation-');
  const file = path.join(dir, 'train.jsonl');
  const records = [0, 1, 2].map((i) => JSON.stringify({ question: `q${i}`, answer: `step\n#### ${i}` }));
  await writeFile(file, records.join('\n') + '\n');
  const dataset = await openDataset(file, 'gsm8k');
  // 3 of 4 samples correct (accuracy 0.75 = t), 4 of 4, 2 of 4; perplexities far above any threshold, so
  // nothing is masked and PreMemAcc equals accuracy.
  const run: Run = {
    id: 'r',
    numExamples: 3,
    source: { format: 'premem', path: 'mem' },
    checkpoints: [
      {
        id: 'c1',
        step: 1,
        accuracy: Float64Array.of(0.75, 1, 0.5),
        perplexity: Float64Array.of(5, 5, 5),
        sampleCount: Uint16Array.of(4, 4, 4),
      },
    ],
  };
  const selection = selectRecollection({ dataset, runs: [prepareRun(run)], thr: -2.3, t: 0.75 });
  assert.deepEqual(
    selection.examples.map((e) => [e.index, e.preMemAccuracy]),
    [
      [0, 0.75],
      [2, 0.5],
    ],
  );
  await dataset.close();
});
