import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { compareCheckpoints, flipped, memorizationTransition, scatterGrid } from '../../src/core/compare/compare-checkpoints';
import { prepareRun } from '../../src/core/metrics/premem';
import { thresholdFromP } from '../../src/core/metrics/threshold';
import { resolveCheckpointRef } from '../../src/core/signals/checkpoint-ref';
import { makeRun } from '../support/runs';
import { repoRoot, sharedData, skipWithoutShared } from '../support/shared';

const thr = thresholdFromP(1.1);
const HIGH = 2; // a perplexity above p: not memorized
const LOW = 1.05; // under p: memorized

test('compare: buckets, learned and memorization transitions, computed by hand', () => {
  // Run A (2 checkpoints), run B (2 checkpoints), 4 examples.
  // ex0: A: acc 0.25 then 0.25, never memorized -> PreMemAcc 0.25 fragile, unlearned.
  //      B: acc 1 then 1, never memorized -> PreMemAcc 1 robust, learned.  => fragile->robust, newly-learned, never.
  // ex1: A: acc 1, 1, never memorized -> robust, learned.
  //      B: acc 1 memorized at c0 (step 10) -> masked 0, PreMemAcc min(0, 1) = 0 -> fragile; learned.
  //      => robust->fragile, stayed-learned, only-b.
  // ex2: A: acc 0.75 at c0 not memorized, memorized at c1 (step 20) acc 1 -> PreMemAcc min(max(0.75, 0), 1) = 0.75 fragile.
  //      B: memorized at c0 (step 10), acc 0 then 0.25 -> PreMemAcc min(0, .25) = 0 fragile; unlearned at B (0.25).
  //      => fragile->fragile, forgotten (A learned 1, B 0.25), earlier (10 < 20).
  // ex3: A: acc 0.9, 0.9 -> at-risk (0.75 < 0.9 <= 0.9); B: not scored at c1 -> not compared.
  const A = prepareRun(makeRun('A', [[[0.25, 1, 0.75, 0.9], [HIGH, HIGH, HIGH, HIGH]], [[0.25, 1, 1, 0.9], [HIGH, HIGH, LOW, HIGH]]]));
  const B = prepareRun(makeRun('B', [[[1, 1, 0, 1], [HIGH, LOW, LOW, HIGH]], [[1, 1, 0.25, NaN], [HIGH, LOW, LOW, NaN]]]));
  const c = compareCheckpoints({ prepared: A, checkpoint: 1 }, { prepared: B, checkpoint: 1 }, thr, 0.75);
  assert.equal(c.compared, 3);
  assert.deepEqual(
    c.examples.map((e) => [e.index, e.preMemA, e.preMemB, e.bucketA, e.bucketB, e.learned, e.firstMemorizedStepA, e.firstMemorizedStepB, e.memorization]),
    [
      [0, 0.25, 1, 'fragile', 'robust', 'newly-learned', null, null, 'never'],
      [1, 1, 0, 'robust', 'fragile', 'stayed-learned', null, 10, 'only-b'],
      [2, 0.75, 0, 'fragile', 'fragile', 'forgotten', 20, 10, 'earlier'],
    ],
  );
  assert.deepEqual(c.counts.buckets, { 'fragile->robust': 1, 'robust->fragile': 1, 'fragile->fragile': 1 });
  assert.deepEqual(c.counts.learned, { 'stayed-learned': 1, 'stayed-unlearned': 0, 'newly-learned': 1, forgotten: 1 });
  assert.deepEqual(c.counts.memorization, { never: 1, same: 0, earlier: 1, later: 0, 'only-a': 0, 'only-b': 1 });
  assert.ok(Number.isNaN(c.preMemA[3]) && Number.isNaN(c.preMemB[3]));
  assert.equal(c.examples.filter(flipped).length, 3);
});

test('compare: two checkpoints of one run see only the checkpoints up to each', () => {
  // Memorized at c1 only: at A = c0 it is not memorized yet (only-b); PreMemAcc 0.5 at c0 and min(0.5, 1) at c1.
  const R = prepareRun(makeRun('R', [[[0.5], [HIGH]], [[1], [LOW]]]));
  const c = compareCheckpoints({ prepared: R, checkpoint: 0 }, { prepared: R, checkpoint: 1 }, thr, 0.75);
  assert.deepEqual([c.examples[0].preMemA, c.examples[0].preMemB, c.examples[0].memorization, c.examples[0].learned], [0.5, 0.5, 'only-b', 'stayed-learned']);
  assert.equal(flipped(c.examples[0]), true);
});

test('compare: runs of different sizes are refused', () => {
  const A = prepareRun(makeRun('A', [[[1, 1], [HIGH, HIGH]]]));
  const B = prepareRun(makeRun('B', [[[1, 1, 1], [HIGH, HIGH, HIGH]]]));
  assert.throws(() => compareCheckpoints({ prepared: A, checkpoint: 0 }, { prepared: B, checkpoint: 0 }, thr, 0.75), /score 2 and 3 examples: not the same dataset/);
});

test('compare: only examples both runs trained on are compared', () => {
  const A = prepareRun(makeRun('A', [[[1, 1, 1], [HIGH, HIGH, HIGH]]], [], [0, 1]));
  const B = prepareRun(makeRun('B', [[[1, 1, 1], [HIGH, HIGH, HIGH]]], [], [1, 2]));
  const c = compareCheckpoints({ prepared: A, checkpoint: 0 }, { prepared: B, checkpoint: 0 }, thr, 0.75);
  assert.deepEqual(c.examples.map((e) => e.index), [1]);
});

test('memorizationTransition and scatterGrid', () => {
  assert.equal(memorizationTransition(20, 20), 'same');
  assert.equal(memorizationTransition(20, 30), 'later');
  assert.equal(memorizationTransition(null, null), 'never');
  assert.equal(memorizationTransition(10, null), 'only-a');
  // 1.0 lands in the last bin; NaN pairs are left out.
  const grid = scatterGrid(Float64Array.from([0, 1, 0.55, NaN]), Float64Array.from([0.05, 1, 0.5, 0]), 2);
  assert.deepEqual(grid, [[1, 0], [0, 2]]);
});

test('resolveCheckpointRef: RUN, RUN:CHECKPOINT, and unknown ids listed', () => {
  const runs = [prepareRun(makeRun('x:y', [[[1], [HIGH]], [[1], [HIGH]]])), prepareRun(makeRun('plain', [[[1], [HIGH]], [[1], [HIGH]]]))];
  assert.equal(resolveCheckpointRef(runs, 'x:y').checkpoint, 1);
  assert.equal(resolveCheckpointRef(runs, 'x:y:c0').checkpoint, 0);
  assert.equal(resolveCheckpointRef(runs, 'plain:c0').prepared.run.id, 'plain');
  assert.throws(() => resolveCheckpointRef(runs, 'nope'), /no run 'nope'; the runs are: x:y, plain/);
  assert.throws(() => resolveCheckpointRef(runs, 'plain:c9'), /no checkpoint 'c9'; its checkpoints are: c0, c1/);
});

function premem(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 256 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('premem compare on the tiny demo: --json counts add up; unknown run is a usage error; a missing folder exit 1', () => {
  const config = path.join(repoRoot, 'demo/tiny/premem.json');
  const r = premem('compare', '--config', config, '--a', 'tiny-lr0.001-60ep:checkpoint-380', '--b', 'tiny-lr0.0005-60ep', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.a.checkpoint, 'checkpoint-380');
  assert.equal(out.compared, 300);
  const sum = (o: Record<string, number>) => Object.values(o).reduce((s, n) => s + n, 0);
  assert.equal(sum(out.counts.buckets), 300);
  assert.equal(sum(out.counts.learned), 300);
  assert.equal(out.scatter.grid.flat().reduce((s: number, n: number) => s + n, 0), 300);
  assert.ok(out.flipped.length > 0 && out.flipped[0].key.startsWith('h:'));

  const bad = premem('compare', '--config', config, '--a', 'nope', '--b', 'tiny-lr0.0005-60ep');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /premem compare: no run 'nope'; the runs are: /);
  const missing = premem('compare', '--runs', path.join(repoRoot, 'no-such-folder'), '--a', 'x', '--b', 'y');
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.equal(premem('compare', '--a', 'x').code, 2);
});

test('premem compare on the released runs: 3 epochs against 6 epochs at lr 2e-05', { skip: skipWithoutShared('paper-runs') }, () => {
  const r = premem('compare', '--runs', sharedData('paper-runs')!, '--a', 'gsm8k_orig_3epochs_full_lr2e-05_bs128', '--b', 'gsm8k_orig_6epochs_full_lr2e-05_bs128', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.compared, 7473);
  // Longer training memorizes more: more examples are memorized only in B than only in A.
  assert.ok(out.counts.memorization['only-b'] > out.counts.memorization['only-a'], JSON.stringify(out.counts.memorization));
});

