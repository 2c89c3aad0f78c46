import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { prepareRun } from '../../src/core/metrics/premem';
import { thresholdFromP } from '../../src/core/metrics/threshold';
import type { ExampleSamples, OutcomeName } from '../../src/core/model';
import { agreedWrongAnswer, suspectedWrongTargets } from '../../src/core/signals/wrong-targets';
import { makeRun } from '../support/runs';
import { repoRoot } from '../support/shared';

const thr = thresholdFromP(1.1);
const HIGH = 2;
const LOW = 1.05;
const s = (answer: string | null, outcome: OutcomeName = 'wrong') => ({ text: `#### ${answer}`, answer, outcome });

test('agreedWrongAnswer: the most common answer among wrong samples; correct and unparseable ones do not count', () => {
  assert.deepEqual(agreedWrongAnswer([s('7'), s('7'), s('5'), s('3', 'correct'), s(null, 'unparseable')]), { answer: '7', count: 2 });
  assert.deepEqual(agreedWrongAnswer([s('3', 'correct'), s('3', 'correct')]), null);
  assert.deepEqual(agreedWrongAnswer([s('5'), s('7')]), { answer: '5', count: 1 });
});

test('suspectedWrongTargets: memorized without being solved, samples before memorization agree on another answer', async () => {
  // 4 examples, 3 checkpoints (steps 10, 20, 30), all memorized at c2 (perplexity LOW) with accuracy 1 there.
  // ex0: accuracy 0, 0 before -> memorized directly; samples at c1: 7, 7, 7, 5 -> 3/4 agree on 7: suspected.
  // ex1: the same trajectory; samples at c1: 7, 5, 3, null -> best 1/4: not suspected.
  // ex2: accuracy 0.75 at c0 (solved before memorization) -> generalized then memorized: not a candidate.
  // ex3: memorized directly; no samples at c1, samples at c0: 9, 9, 9, 9 -> 4/4 at c0: suspected, evidence c0.
  const run = makeRun('r', [
    [[0, 0, 0.75, 0], [HIGH, HIGH, HIGH, HIGH]],
    [[0, 0, 0.5, 0], [HIGH, HIGH, HIGH, HIGH]],
    [[1, 1, 1, 1], [LOW, LOW, LOW, LOW]],
  ]);
  const texts: Record<string, ExampleSamples> = {
    '1:0': { samples: [s('7'), s('7'), s('7'), s('5')] },
    '1:1': { samples: [s('7'), s('5'), s('3'), s(null, 'unparseable')] },
    '1:2': { samples: [s('1'), s('1'), s('1'), s('1')] },
    '0:3': { samples: [s('9'), s('9'), s('9'), s('9')] },
  };
  run.samples = { has: (c, i) => `${c}:${i}` in texts, read: async (c, i) => texts[`${c}:${i}`] };
  const report = await suspectedWrongTargets(prepareRun(run), thr);
  assert.equal(report.memorizedDirectly, 3);
  assert.equal(report.perplexityAvailable, true);
  assert.equal(report.judged, 3);
  assert.deepEqual(
    report.suspected.map((x) => [x.index, x.agreedAnswer, x.agreeing, x.samples, x.agreement, x.evidenceCheckpoint, x.firstMemorizedCheckpoint]),
    [
      [3, '9', 4, 4, 1, 'c0', 'c2'],
      [0, '7', 3, 4, 0.75, 'c1', 'c2'],
    ],
  );
  // A stricter agreement keeps only the unanimous one; at checkpoint c1 nothing is memorized yet.
  assert.deepEqual((await suspectedWrongTargets(prepareRun(run), thr, 2, { minAgreement: 1 })).suspected.map((x) => x.index), [3]);
  assert.equal((await suspectedWrongTargets(prepareRun(run), thr, 1)).memorizedDirectly, 0);
  // Without sample texts nothing can be judged, and the report says so.
  const bare = await suspectedWrongTargets(prepareRun({ ...run, samples: undefined }), thr);
  assert.deepEqual([bare.samplesAvailable, bare.memorizedDirectly, bare.judged, bare.suspected.length], [false, 3, 0, 0]);
  // Sample-only logs (no perplexity): nothing is memorized, and the report says why.
  const noPerplexity = makeRun('r', [[[0, 1], [NaN, NaN]], [[1, 1], [NaN, NaN]]]);
  const sampled = await suspectedWrongTargets(prepareRun({ ...noPerplexity, samples: run.samples }), thr);
  assert.deepEqual([sampled.perplexityAvailable, sampled.memorizedDirectly], [false, 0]);
});

function premem(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('premem wrong-targets on the tiny demo: the suspects are corrupted targets far more often than the dataset is', () => {
  const r = premem('wrong-targets', '--config', path.join(repoRoot, 'demo/tiny/premem.json'), '--run', 'tiny-lr0.001-60ep', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(out.suspected.length >= 10, r.stdout);
  const records = readFileSync(path.join(repoRoot, 'demo/tiny/data/train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const corrupted = (i: number) => String(records[i].kind).startsWith('corrupted');
  const base = records.filter((_, i) => corrupted(i)).length / records.length;
  const precision = out.suspected.filter((x: { index: number }) => corrupted(x.index)).length / out.suspected.length;
  assert.ok(precision > 2 * base, `precision ${precision}, base rate ${base}`);
  for (const x of out.suspected) {
    assert.notEqual(x.agreedAnswer, x.targetAnswer);
    assert.equal(x.line, x.index + 1);
  }
});

test('premem wrong-targets: a run without sample answers is bad input naming the runs that have them', () => {
  const r = premem('wrong-targets', '--config', path.join(repoRoot, 'demo/premem.json'), '--run', 'gsm8k_orig_3epochs_full_lr2e-05_bs128');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /holds no sample answers: wrong targets cannot be judged; runs with samples: reference-ngram \(--run\)/);
  assert.equal(premem('wrong-targets', '--config', path.join(repoRoot, 'demo/premem.json'), '--agreement', '2').code, 2);
});
