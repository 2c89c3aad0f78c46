import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { prepareRun } from '../../src/core/metrics/premem';
import { thresholdFromP } from '../../src/core/metrics/threshold';
import { exampleSignals, firstRanked, jaccard, rankBySignal, SIGNAL_NAMES, signalOverlaps } from '../../src/core/signals/example-signals';
import { loadRuns } from '../../src/core/runlog/load';
import { preparedForExample } from '../../src/core/signals/run-prefix';
import { makeRun } from '../support/runs';
import { repoRoot, sharedData, skipWithoutShared } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const thr = thresholdFromP(1.1);
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('signals of one example, computed by hand', () => {
  // Accuracy 0.5, 0, 1 at steps 10, 20, 30; perplexity 2, 4, 1.05 (memorized at the last checkpoint).
  const run = prepareRun(makeRun('r', [[[0.5], [2]], [[0], [4]], [[1], [1.05]]]));
  const s = exampleSignals(run, thr);
  const v = (name: keyof typeof s.values) => s.values[name][0];
  // q = 1/perp = 0.5, 0.25, 1/1.05: mean and population std.
  const q = [0.5, 0.25, 1 / 1.05];
  const qMean = (q[0] + q[1] + q[2]) / 3;
  close(v('confidence'), qMean);
  close(v('variability'), Math.sqrt(q.reduce((s, x) => s + (x - qMean) ** 2, 0) / 3));
  close(v('confidenceAccuracy'), 0.5);
  close(v('variabilityAccuracy'), Math.sqrt((0 + 0.25 + 0.25) / 3));
  close(v('correctness'), 2 / 3); // learned (acc >= 0.5) at 10 and 30
  assert.equal(v('forgetting'), 1); // learned at 10, not at 20
  assert.equal(v('firstLearned'), 10);
  assert.equal(v('finalPerplexity'), 1.05);
  close(v('meanPerplexity'), (2 + 4 + 1.05) / 3);
  assert.equal(v('learnability'), 0); // 1 · (1 − 1)
  // PreMemAcc: masked 0.5, 0, 0 (memorized) -> running max 0.5; min(0.5, acc 1) = 0.5.
  assert.equal(v('preMemAccuracy'), 0.5);
});

test('signals at an earlier checkpoint ignore later ones; never learned is +Infinity; unknown perplexity is NaN', () => {
  const run = prepareRun(makeRun('r', [[[0.25, 0], [NaN, 2]], [[0.75, 0], [NaN, 2]], [[0, 0], [NaN, 2]]]));
  const s = exampleSignals(run, thr, 1);
  assert.equal(s.checkpoint, 'c1');
  assert.equal(s.values.learnability[0], 0.75 * 0.25);
  assert.equal(s.values.forgetting[0], 0); // the drop at c2 is later
  assert.equal(s.values.firstLearned[0], 20);
  assert.ok(Number.isNaN(s.values.confidence[0]) && Number.isNaN(s.values.finalPerplexity[0]));
  assert.equal(s.values.firstLearned[1], Infinity);
});

test('only the run\'s members scored at the checkpoint count', () => {
  const run = prepareRun(makeRun('r', [[[1, 1, NaN], [2, 2, 2]]], [], [1, 2]));
  const s = exampleSignals(run, thr);
  assert.deepEqual(Array.from(s.examples), [1]);
  assert.ok(Number.isNaN(s.values.confidence[0]));
});

test('signals of the run cut down to one example equal that example\'s signals in the whole run', () => {
  // Five examples, an unsorted subset without example 3, one example unscored at the last checkpoint.
  const run = prepareRun(
    makeRun(
      'r',
      [
        [[0.25, 0.5, 1, 0, 0.75], [3, 2, 1.2, 5, NaN]],
        [[0.75, 0, 1, 0.5, 0.5], [1.5, 1.04, 1.01, 2, 1.3]],
        [[0.5, 1, 1, 1, NaN], [1.02, 1.01, 1.001, 1.2, 1.1]],
      ],
      [],
      [4, 0, 2, 1],
    ),
  );
  for (const m of [1, 2]) {
    const whole = exampleSignals(run, thr, m);
    for (let i = 0; i < 5; i++) {
      const one = exampleSignals(preparedForExample(run, i), thr, m);
      for (const name of SIGNAL_NAMES) assert.ok(Object.is(one.values[name][0], whole.values[name][i]), `${name} of example ${i} at checkpoint ${m}`);
    }
  }
  assert.ok(Number.isNaN(exampleSignals(preparedForExample(run, 3), thr).values.preMemAccuracy[0]), 'not trained on: no signals');
});

test('rankBySignal: hardest first by the signal\'s direction, ties in dataset order, unknown last', () => {
  // Five examples, one checkpoint: accuracies 0.5, 0.25, 0.5, 1, 0.75; perplexity unknown for example 3.
  const run = prepareRun(makeRun('r', [[[0.5, 0.25, 0.5, 1, 0.75], [2, 3, 2, NaN, 1.5]]]));
  const s = exampleSignals(run, thr);
  assert.deepEqual(Array.from(rankBySignal(s, 'preMemAccuracy')), [1, 0, 2, 4, 3]);
  // learnability a(1-a): 0.25, 0.1875, 0.25, 0, 0.1875 -> descending
  assert.deepEqual(Array.from(rankBySignal(s, 'learnability')), [0, 2, 1, 4, 3]);
  // final perplexity, descending, unknown last
  assert.deepEqual(Array.from(rankBySignal(s, 'finalPerplexity')), [1, 0, 2, 4, 3]);
  // first-learned: never learned (+Infinity) first, then by step descending
  assert.deepEqual(Array.from(rankBySignal(s, 'firstLearned')), [1, 0, 2, 3, 4]);
});

test('firstRanked is the set of rankBySignal\'s first examples, ties included in dataset order', () => {
  // 40 examples, 3 checkpoints, accuracies in quarters (many ties), perplexities with repeats.
  const acc = (m: number) => Array.from({ length: 40 }, (_, i) => ((i * 7 + m * 3) % 5) / 4);
  const perp = (m: number) => Array.from({ length: 40 }, (_, i) => 1.05 + ((i * 3 + m) % 4) / 2);
  const s = exampleSignals(prepareRun(makeRun('r', [0, 1, 2].map((m) => [acc(m), perp(m)] as [number[], number[]]))), thr);
  for (const name of SIGNAL_NAMES) {
    for (const size of [0, 1, 7, 13, 40]) {
      const expected = Array.from(rankBySignal(s, name).subarray(0, size)).sort((a, b) => a - b);
      assert.deepEqual(Array.from(firstRanked(s, name, s.examples, size)).sort((a, b) => a - b), expected, `${name} ${size}`);
    }
  }
});

test('jaccard and the bottom-x% overlaps', () => {
  assert.equal(jaccard([1, 2, 3], [2, 3, 4]), 2 / 4);
  assert.equal(jaccard([], []), 1);
  assert.equal(jaccard([1], [2]), 0);
  // PreMemAcc ranks 1, 0, 2, 4, 3; confidence (mean 1/perp: .5, .333, .5, unknown, .667) ranks 1, 0, 2, 4 among
  // the 4 with a perplexity; PreMemAcc among those 4 ranks 1, 0, 2, 4. At 50%: both {1, 0} -> 1.
  const run = prepareRun(makeRun('r', [[[0.5, 0.25, 0.5, 1, 0.75], [2, 3, 2, NaN, 1.5]]]));
  const overlaps = signalOverlaps(exampleSignals(run, thr), 0.5);
  const confidence = overlaps.find((o) => o.signal === 'confidence')!;
  assert.deepEqual([confidence.examples, confidence.size, confidence.jaccard], [4, 2, 1]);
  // learnability's first 50% of 5 (round(2.5) = 3): {0, 2, 1} against PreMemAcc's {1, 0, 2} -> 1
  const learnability = overlaps.find((o) => o.signal === 'learnability')!;
  assert.deepEqual([learnability.size, learnability.jaccard], [3, 1]);
  // finalPerplexity among 4: ranks 1, 0, 2, 4 -> {1, 0} vs {1, 0} = 1; at 25%: size 1, {1} vs {1}
  assert.throws(() => signalOverlaps(exampleSignals(run, thr), 0), /share must lie in/);
  // Logs without perplexity: the perplexity signals have no overlap (NaN), not a perfect one.
  const noPerplexity = signalOverlaps(exampleSignals(prepareRun(makeRun('r', [[[0.5, 0.25], [NaN, NaN]]])), thr), 0.5);
  const byName = Object.fromEntries(noPerplexity.map((o) => [o.signal, o]));
  assert.ok(Number.isNaN(byName.confidence.jaccard) && byName.confidence.examples === 0);
  assert.equal(byName.correctness.examples, 2);
});

test('premem export --rank-by: rows hardest first by the signal, each with its value; an unknown signal is a usage error', async () => {
  const dir = await tempDir('premem-rank-by-');
  const out = path.join(dir, 'set.jsonl');
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'export', '--config', path.join(repoRoot, 'demo/tiny/premem.json'), ...args], { encoding: 'utf8', cwd: repoRoot });
  let r = run('--rank-by', 'finalPerplexity', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).premem);
  assert.ok(rows.length > 10);
  const values = rows.map((p) => p.rankedBy.value as number);
  assert.ok(rows.every((p) => p.rankedBy.signal === 'finalPerplexity'));
  assert.deepEqual(values, [...values].sort((a, b) => b - a));
  // The default: PreMemAcc, lowest first, the same set of examples.
  r = run('--out', out);
  assert.equal(r.status, 0, r.stderr);
  const byPreMem = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).premem);
  assert.deepEqual(byPreMem.map((p) => p.key).sort(), rows.map((p) => p.key).sort());
  const pre = byPreMem.map((p) => p.preMemAccuracy as number);
  assert.deepEqual(pre, [...pre].sort((a, b) => a - b));
  r = run('--rank-by', 'loss', '--out', out);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--rank-by must be one of preMemAccuracy, /);
});

test('overlaps on a released run: every Jaccard in [0, 1], sample-accuracy confidence close to PreMemAcc', { skip: skipWithoutShared('paper-runs') }, async () => {
  const { runs } = await loadRuns(sharedData('paper-runs', 'gsm8k_orig_6epochs_full_lr2e-05_bs128')!, { format: 'paper' });
  const s = exampleSignals(prepareRun(runs[0]), thresholdFromP(1.1055));
  assert.equal(s.examples.length, 7473);
  const overlaps = signalOverlaps(s, 0.2);
  for (const o of overlaps) assert.ok(o.jaccard >= 0 && o.jaccard <= 1 && o.size > 0, JSON.stringify(o));
  const byName = Object.fromEntries(overlaps.map((o) => [o.signal, o.jaccard]));
  // Low mean accuracy over checkpoints and low PreMemAcc pick many of the same examples; learnability, which
  // puts accuracy near 0.5 first, far fewer.
  assert.ok(byName.confidenceAccuracy > byName.learnability, JSON.stringify(byName));
});
