import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../src/core/dataset/open';
import { grade } from '../../src/core/grading';
import { exampleDynamics, TRAJECTORY_NAMES } from '../../src/core/metrics/dynamics';
import { checkpointMeans, prepareRun } from '../../src/core/metrics/premem';
import { thresholdFromP } from '../../src/core/metrics/threshold';
import { OUTCOME_NAMES } from '../../src/core/model';
import { type ExampleRecord, validateRecord } from '../../src/core/runlog/premem/records';
import { loadPreMemRuns } from '../../src/core/runlog/premem/find-and-load';
import { synthesize } from '../../src/core/synth';
import { SYNTH_P, TRAJECTORY_SHARES } from '../../src/core/synth/trajectories';
import { repoRoot } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const tmp = () => tempDir('premem-synth-');

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');

test('the same seed gives the same bytes; another seed other bytes', async () => {
  const [a, b, c] = [await tmp(), await tmp(), await tmp()];
  const opts = { examples: 300, checkpoints: 3, samples: 4 };
  const ra = synthesize({ ...opts, out: a, seed: 7 });
  const rb = synthesize({ ...opts, out: b, seed: 7 });
  const rc = synthesize({ ...opts, out: c, seed: 8 });
  assert.deepEqual(ra.testAccuracy, rb.testAccuracy);
  for (let i = 0; i < ra.logs.length; i++) assert.ok((await readFile(ra.logs[i])).equals(await readFile(rb.logs[i])), `log ${i} differs`);
  assert.ok((await readFile(ra.dataset)).equals(await readFile(rb.dataset)));
  assert.ok(!(await readFile(ra.dataset)).equals(await readFile(rc.dataset)));
});

test('every record validates, keys are the dataset reader keys, and outcomes agree with grading the sample texts', async () => {
  const out = await tmp();
  const r = synthesize({ examples: 400, checkpoints: 2, samples: 5, out, seed: 3 });
  const dataset = await openDataset(r.dataset, 'auto');
  try {
    assert.equal(dataset.size, 400);
    assert.deepEqual(dataset.problems, []);
    assert.equal(dataset.profile.name, 'gsm8k');
    let examples = 0;
    const seen = { copy: 0, other: 0 };
    for (const log of r.logs) {
      for (const line of await lines(log)) {
        const v = validateRecord(JSON.parse(line));
        assert.ok(v.ok, line.slice(0, 200));
        if (v.record.type !== undefined) continue;
        const rec = v.record as ExampleRecord;
        examples++;
        assert.equal(dataset.keys[rec.index], rec.key);
        const target = (await dataset.get(rec.index)).target;
        rec.samples!.forEach((text, j) => {
          const g = grade('gsm8k', target, text);
          assert.equal(g.outcome, OUTCOME_NAMES[rec.outcomes[j]], `${rec.key} sample ${j}: ${text}`);
          assert.equal(g.answer, rec.answers![j]);
          if (text === ' ' + target) seen.copy++;
          else seen.other++;
        });
      }
    }
    assert.equal(examples, 800);
    assert.ok(seen.copy > 0 && seen.other > 0, 'samples both copy the target and differ from it');
  } finally {
    await dataset.close();
  }
});

test('trajectories come in the released run\'s proportions, and test accuracy follows mean PreMemAcc', async () => {
  const out = await tmp();
  const r = synthesize({ examples: 6000, checkpoints: 6, samples: 4, out, seed: 11 });
  const { runs, problems } = await loadPreMemRuns(path.join(out, 'runs'), undefined, { cache: false });
  assert.deepEqual(problems, []);
  const prepared = prepareRun(runs[0]);
  const thr = thresholdFromP(SYNTH_P);
  const dyn = exampleDynamics(prepared, thr);
  const counts = new Array<number>(TRAJECTORY_NAMES.length).fill(0);
  for (const t of dyn.trajectory) counts[t]++;
  // TRAJECTORY_NAMES[0] is 'unscored'; the shares follow in the same order.
  TRAJECTORY_SHARES.forEach((share, i) => assert.ok(Math.abs(counts[i + 1] / 6000 - share) < 0.03, `${TRAJECTORY_NAMES[i + 1]}: ${counts[i + 1] / 6000} vs ${share}`));
  const means = checkpointMeans(prepared, thr).preMemAccuracy;
  runs[0].checkpoints.forEach((c, m) => assert.ok(Math.abs(c.testAccuracy! - means[m]) <= 0.0101, `checkpoint ${m}`));
  assert.deepEqual(r.testAccuracy, runs[0].checkpoints.map((c) => c.testAccuracy));
  assert.ok(means[5] > means[0], 'PreMemAcc rises over training');
});

test('premem synth: writes the files and says so; bad options exit 2 with the reason', async () => {
  const out = await tmp();
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'synth', ...args], { encoding: 'utf8', cwd: repoRoot });
  const ok = cli('--examples', '50', '--checkpoints', '2', '--samples', '3', '--out', out);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /dataset +.*train\.jsonl/);
  assert.equal((await lines(path.join(out, 'train.jsonl'))).length, 50);
  assert.equal(JSON.parse(await readFile(path.join(out, 'premem.json'), 'utf8')).dataset, 'train.jsonl');
  const missing = cli('--examples', '50', '--checkpoints', '2', '--samples', '3');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--out is required/);
  const zero = cli('--examples', '0', '--checkpoints', '2', '--samples', '3', '--out', out);
  assert.equal(zero.status, 2);
  assert.match(zero.stderr, /--examples must be a whole number from 1/);
});
