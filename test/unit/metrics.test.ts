import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { calibrate, DEFAULT_GRID, gridThreshold, sweepRun } from '../../src/core/metrics/calibrate';
import { calibrateInSlices, prepareRunInTurns } from '../../src/core/metrics/in-turns';
import { Category, exampleDynamics, Trajectory } from '../../src/core/metrics/dynamics';
import { linearFit, r2Identity, r2Linear } from '../../src/core/metrics/fit';
import { checkpointMeans, preMemAccuracy, prepareRun } from '../../src/core/metrics/premem';
import { thresholdFromP } from '../../src/core/metrics/threshold';
import { readPaperRuns } from '../../src/core/runlog/paper';
import { makeRun } from '../support/runs';
import { fixtures } from '../support/shared';

const P = 1.1;
const thr = thresholdFromP(P);

test('PreMemAcc follows the definition: min(running max of masked accuracy, accuracy)', () => {
  // example 0: learned (0.5), then memorized (perp under p) with accuracy 1 -> keeps 0.5
  // example 1: memorized from the start -> 0
  // example 2: never memorized -> plain accuracy
  // example 3: accuracy drops after a good start -> min with current accuracy
  // example 4: not scored at checkpoint 1 -> NaN there, running max continues
  const run = makeRun('r', [
    [[0.5, 1, 0.25, 1, 0.75], [1.5, 1.05, 2, 1.5, 1.5]],
    [[1, 1, 0.5, 0.25, NaN], [1.01, 1.01, 1.8, 1.5, NaN]],
    [[1, 1, 0.75, 0.5, 1], [1.01, 1.01, 1.6, 1.5, 1.05]],
  ]);
  const pre = preMemAccuracy(prepareRun(run), thr);
  assert.deepEqual(Array.from(pre[0]), [0.5, 0, 0.25, 1, 0.75]);
  assert.deepEqual(Array.from(pre[1]).slice(0, 4), [0.5, 0, 0.5, 0.25]);
  assert.ok(Number.isNaN(pre[1][4]));
  assert.deepEqual(Array.from(pre[2]), [0.5, 0, 0.75, 0.5, 0.75]);
  const means = checkpointMeans(prepareRun(run), thr);
  assert.deepEqual(means.scored, [5, 4, 5]);
  assert.equal(means.preMemAccuracy[0], (0.5 + 0 + 0.25 + 1 + 0.75) / 5);
  assert.equal(means.trainAccuracy[1], (1 + 1 + 0.5 + 0.25) / 4);
});

test('an unknown perplexity never masks: PreMemAcc falls back to accuracy', () => {
  const run = makeRun('r', [[[0.5], [NaN]], [[1], [NaN]]]);
  assert.deepEqual(preMemAccuracy(prepareRun(run), thr).map((a) => a[0]), [0.5, 1]);
});

test('the dataset mean is taken over the training subset only', () => {
  const run = makeRun('r', [[[1, 0, 0, 0], [2, 2, 2, 2]]]);
  run.subset = Int32Array.from([0, 1]);
  assert.equal(checkpointMeans(prepareRun(run), thr).preMemAccuracy[0], 0.5);
});

test('the difference-array sweep equals direct evaluation at every grid point (real runs)', async () => {
  const runs = (await readPaperRuns(path.join(fixtures, 'paper-runs-mini'))).map(prepareRun);
  for (const r of runs) {
    const sweep = sweepRun(r);
    for (const g of [0, 100, 500, 540, 552, 600, 700, 1000, DEFAULT_GRID.size - 1]) {
      const direct = checkpointMeans(r, gridThreshold(DEFAULT_GRID, g)).preMemAccuracy;
      direct.forEach((v, m) => assert.ok(Math.abs(sweep[m][g] - v) < 1e-12, `${r.run.id} ckpt ${m} grid ${g}: ${sweep[m][g]} vs ${v}`));
    }
  }
});

test('calibration picks the threshold that makes mean PreMemAcc match test accuracy', () => {
  // Test accuracy equals PreMemAcc exactly at p = 1.1 for these two runs, and not at other p.
  const a = makeRun(
    'r',
    [
      [[1, 1, 0, 0.5], [1.3, 1.05, 1.3, 1.3]],
      [[1, 1, 0.5, 1], [1.08, 1.04, 1.3, 1.12]],
    ],
  );
  const truth = checkpointMeans(prepareRun(a), thr).preMemAccuracy;
  a.checkpoints.forEach((c, m) => (c.testAccuracy = truth[m]));
  const b = makeRun('r', [[[0.5, 1, 1, 0], [1.2, 1.09, 1.15, 1.5]], [[1, 1, 1, 0.5], [1.09, 1.02, 1.11, 1.4]]]);
  b.id = 'b';
  const truthB = checkpointMeans(prepareRun(b), thr).preMemAccuracy;
  b.checkpoints.forEach((c, m) => (c.testAccuracy = truthB[m]));
  const cal = calibrate([prepareRun(a), prepareRun(b)])!;
  assert.equal(cal.r2, 1);
  assert.ok(cal.p > 1.09 && cal.p <= 1.1 + 1e-9, `p = ${cal.p}`);
  assert.equal(cal.sweep.length, DEFAULT_GRID.size);
  assert.ok(cal.leaveOneRunOut);
  assert.equal(calibrate([prepareRun(makeRun('r', [[[1], [2]]]))]), undefined, 'too few test points: no calibration');
});

test('calibration in slices gives the same result, and lets the event loop run between slices', async () => {
  const runs = (await readPaperRuns(path.join(fixtures, 'paper-runs-mini'))).map(prepareRun);
  let turns = 0;
  const ticker = setInterval(() => turns++, 0);
  try {
    const whole = calibrate(runs);
    assert.ok(whole, 'the fixture runs carry test accuracy');
    assert.deepEqual(await calibrateInSlices(runs, DEFAULT_GRID, 16), whole);
  } finally {
    clearInterval(ticker);
  }
  assert.ok(turns > 0, 'timers ran while the sweep was in progress');
  for (const r of runs) assert.deepEqual(await prepareRunInTurns(r.run), r, 'preparing in turns gives the same arrays');
  assert.equal(await calibrateInSlices([prepareRun(makeRun('r', [[[1], [2]]]))]), undefined, 'too few test points: no calibration');
});

test('categories, trajectories, first memorized checkpoint and forgetting', () => {
  const run = makeRun('r', [
    // 0 never learned, 1 memorized directly, 2 generalized then memorized, 3 generalized, 4 forgets
    [[0, 0, 1, 1, 1], [2, 2, 2, 2, 2]],
    [[0, 1, 1, 1, 0], [2, 1.01, 1.5, 2, 2]],
    [[0.25, 1, 1, 0.75, 1], [2, 1.01, 1.02, 2, 2]],
  ]);
  const d = exampleDynamics(prepareRun(run), thr);
  assert.deepEqual(Array.from(d.trajectory), [
    Trajectory.NeverLearned,
    Trajectory.MemorizedDirectly,
    Trajectory.GeneralizedThenMemorized,
    Trajectory.Generalized,
    Trajectory.Generalized,
  ]);
  assert.deepEqual(Array.from(d.firstMemorized), [-1, 1, 2, -1, -1]);
  assert.deepEqual(Array.from(d.category[1]), [Category.Incorrect, Category.Memorized, Category.Correct, Category.Correct, Category.Incorrect]);
  assert.deepEqual(Array.from(d.forgetting), [0, 0, 0, 0, 1]);
});

test('R² against y = x and of a linear fit', () => {
  assert.equal(r2Identity([0.1, 0.5, 0.9], [0.1, 0.5, 0.9]), 1);
  // A perfect line that is not y = x: linear R² 1, identity R² below 1.
  assert.ok(Math.abs(r2Linear([0.1, 0.2, 0.3], [0.3, 0.5, 0.7]) - 1) < 1e-12);
  assert.ok(r2Identity([0.1, 0.2, 0.3], [0.3, 0.5, 0.7]) < 0);
  const fit = linearFit([0, 1, 2], [1, 3, 5])!;
  assert.ok(Math.abs(fit.slope - 2) < 1e-12 && Math.abs(fit.intercept - 1) < 1e-12);
});
